// sio/connect: joining a namespace, the CONNECT reply, refusals and the connect timeout.
#include "areas.hpp"
#include "common.hpp"

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
      {"sio/connect/1", "CONNECT is answered with {\"sid\"} only",
       "A CONNECT to \"/\" MUST be answered with CONNECT {\"sid\":\"...\"}: with connection state "
       "recovery off, sid "
       "is the only key.",
       Level::must, official, kAllTransports},
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
      {"sio/connect/2", "The first event after the CONNECT reply is auth with {}",
       "Right after accepting a CONNECT without payload, the fixture MUST emit auth with {} (the "
       "CONNECT reply comes "
       "first).",
       Level::must, official, kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0");
        const auto first = c.expect_sio(*client, Ms(3000), "CONNECT reply");
        c.check(first.packet.type == 0, "first packet", "the CONNECT reply", first.text);
        const auto second = c.expect_sio(*client, Ms(3000), "auth event");
        c.expect_eq("second packet", R"(2["auth",{}])", second.text);
      });

  add(out,
      {"sio/connect/3", "The CONNECT payload comes back byte for byte in auth",
       "The fixture MUST emit auth with the CONNECT payload, serialised as JSON.stringify writes "
       "it: canonical input "
       "comes back byte for byte.",
       Level::must, official, kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(0{"token":"123","nested":{"z":1,"a":[true,null,1.5]}})");
        c.expect_sio(*client, Ms(3000), "CONNECT reply");
        const auto auth = c.expect_sio(*client, Ms(3000), "auth event");
        c.expect_eq("auth event",
                    R"(2["auth",{"token":"123","nested":{"z":1,"a":[true,null,1.5]}}])", auth.text);
      });

  add(out,
      {"sio/connect/4", "A custom namespace is joined and answers on its own name",
       "CONNECT to /custom MUST be answered 0/custom,{\"sid\":...} and followed by "
       "2/custom,[\"auth\",...].",
       Level::must, official, kAllTransports},
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
      {"sio/connect/5", "An unknown namespace is refused",
       "CONNECT to a namespace that does not exist MUST be answered CONNECT_ERROR "
       "{\"message\":\"Invalid namespace\"} on that namespace.",
       Level::must, official, kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0/random,");
        const auto reply = c.expect_sio(*client, Ms(3000), "refusal");
        c.expect_eq("answer", R"(4/random,{"message":"Invalid namespace"})", reply.text);
      });

  add(out,
      {"sio/connect/6", "A namespace without the trailing comma is read to the end",
       "\"0/random\" (no comma) names /random: the server MUST answer "
       "4/random,{\"message\":\"Invalid namespace\"}.",
       Level::must, official + "; socket.io-parser", kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0/random");
        const auto reply = c.expect_sio(*client, Ms(3000), "refusal");
        c.expect_eq("answer", R"(4/random,{"message":"Invalid namespace"})", reply.text);
      });

  add(out,
      {"sio/connect/7", "A refusal leaves the connection usable",
       "After a refused CONNECT the connection MUST stay open, and other namespaces MUST be "
       "joinable on it.",
       Level::must, spec, kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0/random,");
        c.expect_sio(*client, Ms(3000), "refusal");
        expect_accept(c, *client, "/", "");
      });

  add(out,
      {"sio/connect/8", "The socket id is not the Engine.IO session id",
       "The sid of a CONNECT reply MUST be a new id, never the Engine.IO session id (which grants "
       "control of the "
       "session).",
       Level::must, spec + "; socket.io security note", kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        const auto id = expect_accept(c, *client, "/", "");
        c.check(id != client->eio().sid(), "socket id", "not " + client->eio().sid(), id);
      });

  add(out,
      {"sio/connect/9", "Each namespace of a connection has its own socket id",
       "Joining / and /custom on one connection MUST give two different socket ids.", Level::must,
       spec, kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        const auto a = expect_accept(c, *client, "/", "");
        const auto b = expect_accept(c, *client, "/custom", "");
        c.check(a != b, "socket ids", "two different ids", a + " and " + b);
      });

  add(out,
      {"sio/connect/10",
       "Connections get different socket ids",
       "Two connections joining / MUST get different socket ids.",
       Level::must,
       spec,
       {}},
      [](Context& c) {
        auto one = c.open_sio();
        auto two = c.open_sio();
        const auto a = expect_accept(c, *one, "/", "");
        const auto b = expect_accept(c, *two, "/", "");
        c.check(a != b, "socket ids", "two different ids", a + " and " + b);
      });

  add(out,
      {"sio/connect/11", "A CONNECT payload that is not an object closes the connection",
       "The CONNECT payload MUST be an object when present; \"0\\\"s\\\"\" is a protocol violation "
       "and the server MUST "
       "close the connection promptly.",
       Level::must, spec + " (packet validity)", kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(0"s")");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 0\"s\"");
      });

  add(out,
      {"sio/connect/12", "A CONNECT whose payload is an array closes the connection",
       "\"0[]\" is a protocol violation: the server MUST close the connection promptly.",
       Level::must, spec + " (packet validity)", kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send("0[]");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 0[]");
      });

  add(out,
      {"sio/connect/13", "A second CONNECT to a joined namespace closes the connection",
       "CONNECT to a namespace the client has already joined is a protocol violation: the server "
       "MUST close the "
       "connection promptly.",
       Level::must, "socket.io 4.8 observed (S1); Socket.IO v5 specification", kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        expect_accept(c, *client, "/", "");
        client->send("0");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after the second CONNECT");
      });

  add(out,
      {"sio/connect/14", "An event before any CONNECT closes the connection",
       "If the first packet is not a CONNECT the server MUST close the connection (the "
       "specification: \"immediately\").",
       Level::must, spec, kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        client->send(R"(2["message","too early"])");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after an EVENT without CONNECT");
      });

  add(out,
      {"sio/connect/15", "Several CONNECTs at once are all answered",
       "CONNECTs to several namespaces sent together MUST each be answered (in any order).",
       Level::must, spec, kAllTransports},
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
      {"sio/connect/16", "A client that joins no namespace is closed at the connect timeout",
       "A connection that joins no namespace within the connect timeout (1000 ms in the fixture "
       "contract) MUST be "
       "closed by the server, while the client answers every ping.",
       Level::must, "socket.io connectTimeout; fixture contract", kPollingAndWebSocket, false,
       true},
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
}

}  // namespace conform::cases
