// sio/connect: joining a namespace, the CONNECT reply, refusals (payloads that are not objects
// among them) and the connect timeout.
#include "areas.hpp"
#include "common.hpp"
#include "sio_common.hpp"

namespace conform::cases {

namespace {

// The CONNECT reply's JSON object, checked to be {"sid":"..."}.
std::string expect_accept(Context& c, SioClient& client, std::string_view nsp,
                          std::string_view auth) {
  auto id = client.connect(nsp, auth, Ms(3000));
  const auto& reply = client.last();
  c.check(id.has_value(), "CONNECT to " + std::string(nsp),
          "0" + std::string(nsp == "/" ? "" : std::string(nsp) + ",") + "{\"sid\":...}",
          reply ? reply->text : "nothing");
  return *id;
}

}  // namespace

void add_sio_connect(std::vector<Case>& out) {
  const std::string spec = "Socket.IO v5 specification, Connection to a namespace";
  const std::string official = "official Socket.IO test suite; fixture contract";

  add(out,
      {.id = "sio/connect/1",
       .title = "CONNECT is answered with {\"sid\"} only",
       .requirement = "A CONNECT to \"/\" MUST be answered with CONNECT {\"sid\":\"...\"}: with "
                      "connection state recovery off, sid is the only key.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0");
        const auto reply = c.expect_sio(*client, Ms(3000), "CONNECT reply");
        auto json = codec::parse_json(reply.packet.data);
        const bool ok = reply.packet.type == 0 && reply.packet.nsp == "/" && json &&
                        json->is_object() && json->size() == 1 && json->contains("sid") &&
                        (*json)["sid"].is_string();
        c.check(ok, "CONNECT reply", "0{\"sid\":\"...\"}", reply.text);
      });

  add(out,
      {.id = "sio/connect/2",
       .title = "The first event after the CONNECT reply is auth with {}",
       .requirement = "Right after accepting a CONNECT without payload, the fixture MUST emit auth "
                      "with {} (the CONNECT reply comes first).",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0");
        const auto first = c.expect_sio(*client, Ms(3000), "CONNECT reply");
        c.check(first.packet.type == 0, "first packet", "the CONNECT reply", first.text);
        const auto second = c.expect_sio(*client, Ms(3000), "auth event");
        c.expect_eq("second packet", R"(2["auth",{}])", second.text);
      });

  add(out,
      {.id = "sio/connect/3",
       .title = "The CONNECT payload comes back byte for byte in auth",
       .requirement = "The fixture MUST emit auth with the CONNECT payload, serialised as "
                      "JSON.stringify writes it: canonical input comes back byte for byte.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(0{"token":"123","nested":{"z":1,"a":[true,null,1.5]}})");
        c.expect_sio(*client, Ms(3000), "CONNECT reply");
        const auto auth = c.expect_sio(*client, Ms(3000), "auth event");
        c.expect_eq("auth event",
                    R"(2["auth",{"token":"123","nested":{"z":1,"a":[true,null,1.5]}}])", auth.text);
      });

  add(out,
      {.id = "sio/connect/4",
       .title = "A custom namespace is joined and answers on its own name",
       .requirement = "CONNECT to /custom MUST be answered 0/custom,{\"sid\":...} and followed by "
                      "2/custom,[\"auth\",...].",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(0/custom,{"token":"abc"})");
        const auto reply = c.expect_sio(*client, Ms(3000), "CONNECT reply");
        c.check(reply.packet.type == 0 && reply.packet.nsp == "/custom", "CONNECT reply",
                "0/custom,{\"sid\":...}", reply.text);
        const auto auth = c.expect_sio(*client, Ms(3000), "auth event");
        c.expect_eq("auth event", R"(2/custom,["auth",{"token":"abc"}])", auth.text);
      });

  add(out,
      {.id = "sio/connect/5",
       .title = "An unknown namespace is refused",
       .requirement = "CONNECT to a namespace that does not exist MUST be answered CONNECT_ERROR "
                      "{\"message\":\"Invalid namespace\"} on that namespace.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0/random,");
        const auto reply = c.expect_sio(*client, Ms(3000), "refusal");
        c.expect_eq("answer", R"(4/random,{"message":"Invalid namespace"})", reply.text);
      });

  add(out,
      {.id = "sio/connect/6",
       .title = "A namespace without the trailing comma is read to the end",
       .requirement = "\"0/random\" (no comma) names /random: the server MUST answer "
                      "4/random,{\"message\":\"Invalid namespace\"}.",
       .level = Level::must,
       .source = official + "; socket.io-parser",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0/random");
        const auto reply = c.expect_sio(*client, Ms(3000), "refusal");
        c.expect_eq("answer", R"(4/random,{"message":"Invalid namespace"})", reply.text);
      });

  add(out,
      {.id = "sio/connect/7",
       .title = "A refusal leaves the connection usable",
       .requirement = "After a refused CONNECT the connection MUST stay open, and other namespaces "
                      "MUST be joinable on it.",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0/random,");
        c.expect_sio(*client, Ms(3000), "refusal");
        expect_accept(c, *client, "/", "");
      });

  add(out,
      {.id = "sio/connect/8",
       .title = "The socket id is not the Engine.IO session id",
       .requirement = "The sid of a CONNECT reply MUST be a new id, never the Engine.IO session id "
                      "(which grants control of the session).",
       .level = Level::must,
       .source = spec + "; socket.io security note",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        const auto id = expect_accept(c, *client, "/", "");
        c.check(id != client->eio().sid(), "socket id", "not " + client->eio().sid(), id);
      });

  add(out,
      {.id = "sio/connect/9",
       .title = "Each namespace of a connection has its own socket id",
       .requirement = "Joining / and /custom on one connection MUST give two different socket ids.",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        const auto a = expect_accept(c, *client, "/", "");
        const auto b = expect_accept(c, *client, "/custom", "");
        c.check(a != b, "socket ids", "two different ids", a + " and " + b);
      });

  add(out,
      {.id = "sio/connect/10",
       .title = "Connections get different socket ids",
       .requirement = "Two connections joining / MUST get different socket ids.",
       .level = Level::must,
       .source = spec},
      [](Context& c) {
        auto one = c.open_sio();
        auto two = c.open_sio();
        const auto a = expect_accept(c, *one, "/", "");
        const auto b = expect_accept(c, *two, "/", "");
        c.check(a != b, "socket ids", "two different ids", a + " and " + b);
      });

  add(out,
      {.id = "sio/connect/11",
       .title = "A CONNECT payload that is not an object closes the connection",
       .requirement = "The CONNECT payload MUST be an object when present; \"0\\\"s\\\"\" is a "
                      "protocol violation and the server MUST close the connection promptly.",
       .level = Level::must,
       .source = spec + " (packet validity)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(0"s")");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 0\"s\"");
      });

  add(out,
      {.id = "sio/connect/12",
       .title = "A CONNECT whose payload is an array closes the connection",
       .requirement =
           "\"0[]\" is a protocol violation: the server MUST close the connection promptly.",
       .level = Level::must,
       .source = spec + " (packet validity)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0[]");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 0[]");
      });

  add(out,
      {.id = "sio/connect/13",
       .title = "A second CONNECT to a joined namespace closes the connection",
       .requirement = "CONNECT to a namespace the client has already joined is a protocol "
                      "violation: the server MUST close the connection promptly.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S1); Socket.IO v5 specification",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        expect_accept(c, *client, "/", "");
        client->send("0");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after the second CONNECT");
      });

  add(out,
      {.id = "sio/connect/14",
       .title = "An event before any CONNECT closes the connection",
       .requirement = "If the first packet is not a CONNECT the server MUST close the connection "
                      "(the specification: \"immediately\").",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(2["message","too early"])");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after an EVENT without CONNECT");
      });

  add(out,
      {.id = "sio/connect/15",
       .title = "Several CONNECTs at once are all answered",
       .requirement =
           "CONNECTs to several namespaces sent together MUST each be answered (in any order).",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->eio().send_batch({"40", "40/custom,", "40/random,"});
        std::set<std::string> answers;
        for (int i = 0; i < 5 && answers.size() < 3; ++i) {
          auto got = client->next(Ms(3000));
          if (!got) break;
          if (got->packet.type == 0 || got->packet.type == 4)
            answers.insert(got->packet.nsp + ":" + std::to_string(got->packet.type));
        }
        std::string seen;
        for (const auto& a : answers)
          seen += (seen.empty() ? "" : " ") + a;
        c.expect_eq("answers (namespace:type)", "/:0 /custom:0 /random:4", seen);
      });

  add(out,
      {.id = "sio/connect/16",
       .title = "A client that joins no namespace is closed at the connect timeout",
       .requirement =
           "A connection that joins no namespace within the connect timeout (1000 ms in the "
           "fixture contract) MUST be closed by the server, while the client answers every ping.",
       .level = Level::must,
       .source = "socket.io connectTimeout; fixture contract",
       .transports = kPollingAndWebSocket,
       .timing = true},
      [](Context& c) {
        auto client = c.open_sio();
        const auto start = Clock::now();
        c.expect_sio_closed(*client, c.connect_timeout() + c.prompt(client->eio()),
                            "without a CONNECT");
        const auto took = std::chrono::duration_cast<Ms>(Clock::now() - start);
        c.check(took >= c.connect_timeout() - c.tolerance(), "closed after",
                "about " + std::to_string(c.connect_timeout().count()) + " ms",
                std::to_string(took.count()) + " ms");
      });

  add(out,
      {.id = "sio/connect/17",
       .title = "A CONNECT whose payload is null, a boolean or a number closes the connection",
       .requirement =
           "The CONNECT payload MUST be an object when present: \"0null\", \"0/custom,null\", "
           "\"0true\" and \"0-1\" are protocol violations (digits right after the type would be "
           "an ack id), and the server MUST close each connection promptly, without a CONNECT "
           "reply, and keep serving everyone else.",
       .level = Level::must,
       .source = spec + " (packet validity); socket.io 4.6.2 (with socket.io-parser before "
                        "4.2.4, \"0null\" crashed socket.io 4.6.0 and 4.6.1)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        for (const std::string input : {"0null", "0/custom,null", "0true", "0-1"}) {
          auto client = c.open_sio();
          client->send(input);
          c.expect_sio_closed(*client, c.prompt(client->eio()), "after " + input);
        }
        expect_unharmed(c, *bystander);
      });
}

}  // namespace conform::cases
