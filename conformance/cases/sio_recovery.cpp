// sio/recovery: connection state recovery (socket.io >= 4.6), an optional feature. It is probed
// from the CONNECT reply: without a "pid" the target has it off (as the fixture contract says)
// and every case is UNIMPLEMENTED.
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kSource =
    "socket.io 4.8 connection state recovery (S31, S32); Socket.IO v5 specification "
    "(CONNECT payload)";

struct Accepted {
  std::string sid;
  std::string pid;
  std::string text;  // the reply as it came
};

// The JSON array of an EVENT packet, or nullopt.
std::optional<codec::Json> event_args(const SioReceived& got) {
  if (got.packet.type != 2) return std::nullopt;
  auto json = codec::parse_json(got.packet.data);
  if (!json || !json->is_array() || json->empty()) return std::nullopt;
  return json;
}

// Sends CONNECT for "/" (with `auth`) and reads the reply, skipping events that come before it
// (a recovered session gets its missed packets first); those go to `before`. Ends the case as
// UNIMPLEMENTED when the reply carries no pid.
Accepted connect(Context& c, SioClient& client, std::string_view auth,
                 std::vector<SioReceived>* before = nullptr) {
  client.send(codec::sio_text(0, "/", std::nullopt, auth));
  const auto deadline = Clock::now() + Ms(3000);
  while (true) {
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    const auto got = c.expect_sio(client, std::max(left, Ms(1)), "CONNECT reply");
    if (got.packet.type == 2 && got.packet.nsp == "/") {
      if (before) before->push_back(got);
      continue;
    }
    c.check(got.packet.type == 0 && got.packet.nsp == "/", "CONNECT reply", "0{\"sid\":...}",
            got.text);
    auto json = codec::parse_json(got.packet.data);
    c.check(json && json->is_object() && json->contains("sid") && (*json)["sid"].is_string(),
            "CONNECT reply", "0{\"sid\":\"...\"[,\"pid\":\"...\"]}", got.text);
    if (!json->contains("pid")) c.unimplemented("connection state recovery is off");
    c.check((*json)["pid"].is_string() && !(*json)["pid"].get<std::string>().empty(), "pid",
            "a non-empty string", got.text);
    return {(*json)["sid"].get<std::string>(), (*json)["pid"].get<std::string>(), got.text};
  }
}

// The offset an event carries as its last argument (the case fails when there is none).
std::string offset_of(Context& c, const SioReceived& got, std::size_t plain_args,
                      std::string_view what) {
  const auto args = event_args(got);
  c.check(args && args->size() == plain_args + 1 && args->back().is_string() &&
              !args->back().get<std::string>().empty(),
          std::string(what), "the event's arguments and then an offset string", got.text);
  return args->back().get<std::string>();
}

// The client ends its connection (a recoverable end: "transport close") and waits until the
// server has seen it end, so that the next connection finds the session stored.
void end_connection(Context& c, SioClient& client) {
  client.eio().close();
  if (client.eio().current() == Transport::polling) {
    const auto target = c.sio() + "?" + client.eio().url_query();
    const auto deadline = Clock::now() + c.prompt(client.eio());
    int status = 0;
    while (status != 400 && Clock::now() < deadline)
      status = http(c, "GET", target).status;
    c.check(status == 400, "the first session after its close packet", "gone (HTTP 400)",
            "HTTP " + std::to_string(status));
  } else {
    c.expect_closed(client.eio(), c.prompt(client.eio()), "the first connection");
  }
}

}  // namespace

void add_sio_recovery(std::vector<Case>& out) {
  add(out,
      {.id = "sio/recovery/1",
       .title = "With recovery on, the CONNECT reply carries sid and pid",
       .requirement =
           "Connection state recovery is optional. A server that has it on MUST answer CONNECT "
           "with {\"sid\":...,\"pid\":...}: the public socket id and the private session id a "
           "client sends back to recover, both strings, and nothing else.",
       .level = Level::must,
       .source = kSource,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        const auto accepted = connect(c, *client, "");
        const auto json = codec::parse_json(accepted.text.substr(accepted.text.find('{')));
        c.check(json->size() == 2, "keys of the CONNECT reply", "sid and pid", accepted.text);
        c.check(accepted.sid != accepted.pid, "pid", "not the public sid", accepted.text);
      });

  add(out,
      {.id = "sio/recovery/2",
       .title = "With recovery on, events carry an offset as their last argument",
       .requirement =
           "With connection state recovery on, every EVENT the server sends without an ack id MUST "
           "carry its offset as an extra last argument, a string (the client keeps the last one to "
           "recover from); successive events get different offsets.",
       .level = Level::must,
       .source = kSource,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        connect(c, *client, "");
        const auto auth = c.expect_sio(*client, Ms(3000), "auth event");
        const auto first = offset_of(c, auth, 2, "auth event");
        client->send(R"(2["message","x"])");
        const auto back = c.expect_sio(*client, Ms(3000), "message-back");
        const auto second = offset_of(c, back, 2, "message-back");
        c.check(first != second, "offsets", "two different offsets", first + " and " + second);
      });

  add(out,
      {.id = "sio/recovery/3",
       .title = "With recovery on, a reconnect with pid and offset gets the same sid back",
       .requirement =
           "With connection state recovery on, after a connection is lost (here the client closes "
           "it), a CONNECT on a new connection with {\"pid\",\"offset\"} MUST be answered with the "
           "old sid and the same pid; packets missed meanwhile come before that reply.",
       .level = Level::must,
       .source = kSource,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        const auto first = connect(c, *client, "");
        const auto auth = c.expect_sio(*client, Ms(3000), "auth event");
        std::string offset = offset_of(c, auth, 2, "auth event");
        client->send(R"(2["message","before"])");
        offset = offset_of(c, c.expect_sio(*client, Ms(3000), "message-back"), 2, "message-back");
        end_connection(c, *client);
        client.reset();
        auto again = c.open_sio();
        const std::string auth_json =
            "{\"pid\":" + json_string(first.pid) + ",\"offset\":" + json_string(offset) + "}";
        std::vector<SioReceived> missed;
        const auto second = connect(c, *again, auth_json, &missed);
        c.expect_eq("sid after recovery", first.sid, second.sid);
        c.expect_eq("pid after recovery", first.pid, second.pid);
      });
  add(out,
      {.id = "sio/recovery/4",
       .title = "With recovery on, packets missed while away come before the CONNECT reply",
       .requirement = "With connection state recovery on, an event sent to a socket's room while "
                      "its client is away MUST be delivered on recovery, with its offset, before "
                      "the CONNECT reply that restores the socket.",
       .level = Level::must,
       .source = kSource + "; fixture contract (ctl:broadcast)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto other = c.open_sio();
        const bool joined = other->join("/", "", Ms(3000)).has_value();
        c.check(joined, "CONNECT of a second client", "accepted",
                other->last() ? other->last()->text : "nothing");
        auto client = c.open_sio();
        const auto first = connect(c, *client, "");
        const auto offset =
            offset_of(c, c.expect_sio(*client, Ms(3000), "auth event"), 2, "auth event");
        end_connection(c, *client);
        client.reset();
        const auto sent = other->ctl(
            "/", "ctl:broadcast",
            R"({"event":"missed","args":[1],"to":[)" + json_string(first.sid) + "]}", Ms(3000));
        c.check(sent && *sent == codec::parse_json(R"({"ok":true})").value(), "ctl:broadcast",
                "{\"ok\":true}", sent ? codec::dump(*sent) : "no ack");
        auto again = c.open_sio();
        std::vector<SioReceived> missed;
        const auto second = connect(
            c, *again,
            "{\"pid\":" + json_string(first.pid) + ",\"offset\":" + json_string(offset) + "}",
            &missed);
        c.expect_eq("sid after recovery", first.sid, second.sid);
        std::string seen;
        for (const auto& m : missed)
          seen += (seen.empty() ? "" : ", ") + m.text;
        c.check(missed.size() == 1 && missed[0].text.starts_with(R"(2["missed",1,")"),
                "packets before the CONNECT reply", "2[\"missed\",1,\"<offset>\"]",
                seen.empty() ? "(none)" : seen);
      });
}

}  // namespace conform::cases
