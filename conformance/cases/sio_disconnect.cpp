// sio/disconnect: leaving a namespace (client DISCONNECT, server disconnect with and without
// close), what the connection does afterwards, and the reasons the server records.
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kSpec = "Socket.IO v5 specification, Disconnection from a namespace";
const std::string kOfficial = "official Socket.IO test suite (disconnect)";

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "(none)" : out;
}

std::string sid_arg(const std::string& sid) {
  return "{\"sid\":" + json_string(sid) + "}";
}

// Joins `nsp` (taking the auth event that follows) and returns the socket id.
std::string join(Context& c, SioClient& client, std::string_view nsp) {
  auto id = client.join(nsp, "", Ms(3000));
  const auto& reply = client.last();
  c.check(id.has_value(), "CONNECT to " + std::string(nsp),
          "0" + std::string(nsp == "/" ? "" : std::string(nsp) + ",") + "{\"sid\":...}",
          reply ? reply->text : "nothing");
  return *id;
}

// Sends Socket.IO packets as one batch: one POST on polling, where two POSTs in flight at once are
// an overlap that closes the session. Returns after queueing.
void send_together(SioClient& client, const std::vector<std::string>& sio_texts) {
  std::vector<std::string> packets;
  for (const auto& t : sio_texts)
    packets.push_back("4" + t);
  client.eio().send_batch(packets);
}

// Sends `before` and then a control event in one batch; the ack's single argument (nullopt when
// no ack came). Other packets that arrive meanwhile go to `others`.
std::optional<codec::Json> ctl_after(SioClient& client, const std::vector<std::string>& before,
                                     std::string_view nsp, std::string_view event,
                                     std::string_view arg, Ms timeout,
                                     std::vector<std::string>* others = nullptr) {
  const auto id = client.next_id();
  std::string data = "[" + json_string(event) + (arg.empty() ? "" : "," + std::string(arg)) + "]";
  auto texts = before;
  texts.push_back(codec::sio_text(2, nsp, id, data));
  send_together(client, texts);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto got = client.next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if (got->packet.type == 3 && got->packet.id == id && got->packet.nsp == nsp) {
      auto json = codec::parse_json(got->packet.data);
      if (!json || !json->is_array() || json->size() != 1) return std::nullopt;
      return (*json)[0];
    }
    if (others) others->push_back(got->text);
  }
  return std::nullopt;
}

// Asks `querier` (on `nsp`) for the reason recorded for `sid` until one is recorded or `within`
// has passed; the server may record it a little after the client saw the end.
codec::Json recorded_reason(Context& c, SioClient& querier, std::string_view nsp,
                            const std::string& sid, Ms within) {
  const auto deadline = Clock::now() + within;
  while (true) {
    auto reason = querier.ctl(nsp, "ctl:last-disconnect", sid_arg(sid), Ms(3000));
    if (!reason)
      c.fail("ctl:last-disconnect", "an ack with one argument",
             querier.last() ? querier.last()->text : "no ack");
    if (!reason->is_null() || Clock::now() >= deadline) return *reason;
    c.loop().run_for(Ms(20));
  }
}

// Judges a recorded reason: Socket.IO's word passes, another word is an allowed alternative (the
// contract lets a server use its own words), nothing recorded fails.
void judge_reason(Context& c, const codec::Json& reason, const std::vector<std::string>& accepted,
                  std::string_view what) {
  std::string expected;
  for (const auto& a : accepted)
    expected += (expected.empty() ? "\"" : " or \"") + a + "\"";
  if (!reason.is_string())
    c.fail(std::string(what), expected, codec::dump(reason) + " (nothing recorded)");
  const auto word = reason.get<std::string>();
  if (std::find(accepted.begin(), accepted.end(), word) != accepted.end()) {
    c.check(true, std::string(what), expected, word);
    return;
  }
  c.alternative(std::string(what), expected + " (Socket.IO's words)", word);
}

}  // namespace

void add_sio_disconnect(std::vector<Case>& out) {
  add(out,
      {.id = "sio/disconnect/1",
       .title = "A client DISCONNECT gets no reply and the Engine.IO session stays",
       .requirement =
           "After the client sends DISCONNECT for \"/\" (\"41\"), the server MUST NOT answer it "
           "and MUST keep the Engine.IO connection open: the next packet is the ping.",
       .level = Level::must,
       .source = kSpec + "; " + kOfficial + " (should disconnect from the main namespace)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        join(c, *client, "/");
        client->send("1");
        const auto wait = client->eio().ping_interval() + c.tolerance() * 2;
        const auto e = client->eio().next(wait, true);
        if (!e)
          c.fail("next packet", "the ping 2",
                 "nothing within " + std::to_string(wait.count()) + " ms");
        c.expect_eq("next packet after 41", "2", describe(*e));
      });

  add(out,
      {.id = "sio/disconnect/2",
       .title = "After a DISCONNECT the client can join the namespace again",
       .requirement = "The Engine.IO connection kept after a DISCONNECT MUST still carry "
                      "Socket.IO: a new CONNECT to the same namespace is accepted (a client that "
                      "reconnects a socket reuses its connection).",
       .level = Level::must,
       .source = kSpec + "; socket.io 4.8 observed",
       .transports = kAllTransports},
      [](Context& c) {
        // Pongs by hand, so that the pong and the CONNECT share one POST on polling.
        SioClient client(c.loop(), c.transport());
        client.eio().set_auto_pong(false);
        if (!client.open(Ms(5000)))
          c.fail("opening a Socket.IO connection", "a handshake (and upgrade)", client.error());
        const auto first = join(c, client, "/");
        client.send("1");
        // The next ping shows the DISCONNECT was handled (socket.io handles it a tick later, so
        // a CONNECT in the same payload would still find the old socket).
        const auto wait = client.eio().ping_interval() + c.tolerance() * 2;
        const auto e = client.eio().next(wait, true);
        c.check(e && e->kind == EioEvent::Kind::packet && e->packet.type == '2',
                "next packet after 41", "the ping 2", e ? describe(*e) : "nothing");
        client.eio().send_batch({"3", "40"});
        std::vector<std::string> seen;
        const auto deadline = Clock::now() + Ms(3000);
        while (Clock::now() < deadline) {
          auto got = client.next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
          if (!got) break;
          seen.push_back(got->text);
          if (got->packet.type == 0 || got->packet.type == 4) break;
        }
        const bool accepted = !seen.empty() && seen.back().starts_with("0{\"sid\":");
        c.check(accepted, "answer to CONNECT after DISCONNECT", "0{\"sid\":...}",
                client.closed()
                    ? joined(seen) + " then the connection ended: " + client.end_reason()
                    : joined(seen));
        c.check(true, "socket ids", "a new socket", first + " then " + joined(seen));
      });

  add(out,
      {.id = "sio/disconnect/3",
       .title = "A client DISCONNECT is recorded as \"client namespace disconnect\"",
       .requirement =
           "The server MUST handle a client DISCONNECT as the end of that socket, with no reply, "
           "and SHOULD report the reason as Socket.IO names it: \"client namespace disconnect\".",
       .level = Level::must,
       .source = kSpec + "; socket.io 4.8 (DisconnectReason); fixture contract (extended)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto client = c.open_sio();
        const auto sid = join(c, *client, "/");
        join(c, *client, "/custom");
        std::vector<std::string> others;
        const auto reason = ctl_after(*client, {"1"}, "/custom", "ctl:last-disconnect",
                                      sid_arg(sid), Ms(3000), &others);
        if (!reason) c.fail("ctl:last-disconnect on /custom", "an ack", "none");
        c.check(others.empty(), "packets before the ack", "none (no reply to 41)", joined(others));
        judge_reason(c, *reason, {"client namespace disconnect"}, "recorded reason");
      });

  add(out,
      {.id = "sio/disconnect/4",
       .title = "A server disconnect of \"/\" sends \"41\" and keeps the connection",
       .requirement = "socket.disconnect(false) on \"/\" MUST send DISCONNECT \"1\" for \"/\" and "
                      "keep the Engine.IO connection (the client can join again); the reason "
                      "SHOULD be recorded as \"server namespace disconnect\".",
       .level = Level::must,
       .source = kSpec + "; socket.io 4.8 observed (S26); fixture contract (ctl:disconnect)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto client = c.open_sio();
        const auto sid = join(c, *client, "/");
        client->send(R"(2["ctl:disconnect",{"close":false}])");
        const auto got = c.expect_sio(*client, c.prompt(client->eio()), "after ctl:disconnect");
        c.expect_eq("packet after ctl:disconnect", "1", got.text);
        join(c, *client, "/");
        judge_reason(c, recorded_reason(c, *client, "/", sid, c.prompt(client->eio())),
                     {"server namespace disconnect"}, "recorded reason");
      });

  add(out,
      {.id = "sio/disconnect/5",
       .title = "A server disconnect of a custom namespace leaves \"/\" working",
       .requirement = "socket.disconnect(false) on /custom MUST send \"1/custom,\"; the socket on "
                      "\"/\" of the same connection MUST keep working; the reason SHOULD be "
                      "recorded as \"server namespace disconnect\".",
       .level = Level::must,
       .source = kSpec + "; socket.io 4.8 observed (S26)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto client = c.open_sio();
        join(c, *client, "/");
        const auto custom = join(c, *client, "/custom");
        client->send(R"(2/custom,["ctl:disconnect",{"close":false}])");
        const auto got = c.expect_sio(*client, c.prompt(client->eio()), "after ctl:disconnect");
        c.expect_eq("packet after ctl:disconnect on /custom", "1/custom,", got.text);
        client->send(R"(2["message","still here"])");
        const auto back = c.expect_sio(*client, c.prompt(client->eio()), "message-back on /");
        c.expect_eq("echo on /", R"(2["message-back","still here"])", back.text);
        judge_reason(c, recorded_reason(c, *client, "/", custom, c.prompt(client->eio())),
                     {"server namespace disconnect"}, "recorded reason for /custom");
      });

  add(out,
      {.id = "sio/disconnect/6",
       .title = "A server disconnect with close sends DISCONNECT for every namespace, then closes",
       .requirement =
           "socket.disconnect(true) MUST send DISCONNECT for every namespace the connection joined "
           "(\"1\" and \"1/custom,\") and then close the Engine.IO connection; each socket's "
           "reason SHOULD be recorded as \"server namespace disconnect\".",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S27); fixture contract (ctl:disconnect)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto other = c.open_sio();
        join(c, *other, "/");
        auto client = c.open_sio();
        const auto root = join(c, *client, "/");
        const auto custom = join(c, *client, "/custom");
        client->send(R"(2["ctl:disconnect",{"close":true}])");
        std::vector<std::string> seen;
        const auto deadline = Clock::now() + c.prompt(client->eio());
        // Everything up to the end (the end may already be queued behind the packets).
        while (Clock::now() < deadline) {
          auto got = client->next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
          if (!got) break;
          seen.push_back(got->text);
        }
        auto has = [&](const std::string& t) {
          return std::find(seen.begin(), seen.end(), t) != seen.end();
        };
        c.check(has("1") && has("1/custom,"), "packets before the close", "1 and 1/custom,",
                joined(seen));
        c.check(client->closed(), "connection", "closed after the DISCONNECT packets",
                client->closed() ? "closed: " + client->end_reason() : "still open");
        judge_reason(c, recorded_reason(c, *other, "/", root, c.prompt(other->eio())),
                     {"server namespace disconnect"}, "recorded reason for /");
        judge_reason(c, recorded_reason(c, *other, "/", custom, c.prompt(other->eio())),
                     {"server namespace disconnect"}, "recorded reason for /custom");
      });

  add(out,
      {.id = "sio/disconnect/7",
       .title = "DISCONNECT of a custom namespace leaves \"/\" working, with no reply",
       .requirement =
           "After \"1/custom,\" the server MUST send nothing in reply and the socket on \"/\" MUST "
           "keep working: the next packet is the answer to an event on \"/\".",
       .level = Level::must,
       .source =
           kSpec + "; " + kOfficial + " (should connect then disconnect from a custom namespace)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        join(c, *client, "/");
        join(c, *client, "/custom");
        send_together(*client, {"1/custom,", R"(2["message","message to main namespace"])"});
        const auto got = c.expect_sio(*client, c.prompt(client->eio()), "next packet");
        c.expect_eq("next packet", R"(2["message-back","message to main namespace"])", got.text);
      });

  add(out,
      {.id = "sio/disconnect/8",
       .title = "An event for a namespace the client left closes the connection",
       .requirement = "After \"1/custom,\", an EVENT for /custom is a packet for a namespace the "
                      "client is not connected to: the server SHOULD close the connection "
                      "promptly, as socket.io 4.8 does.",
       .level = Level::should,
       .source = "socket.io 4.8 observed (S3: client.ts closes on a packet for a namespace "
                 "not joined)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        join(c, *client, "/");
        join(c, *client, "/custom");
        // An event on "/" answered shows the DISCONNECT was handled (socket.io handles packets a
        // tick after decoding them: in the same payload the event would still find the socket).
        send_together(*client, {"1/custom,", R"(2["message","barrier"])"});
        const auto back = c.expect_sio(*client, c.prompt(client->eio()), "message-back on /");
        c.expect_eq("answer on /", R"(2["message-back","barrier"])", back.text);
        client->send(R"(2/custom,["message","too late"])");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after an event for /custom");
      });

  add(out,
      {.id = "sio/disconnect/9",
       .title = "A DISCONNECT with a payload closes the connection",
       .requirement = "A DISCONNECT packet carries no payload: \"1{}\" is invalid, and the server "
                      "MUST close the connection promptly.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Packet encoding; socket.io-parser "
                 "(isPayloadValid); socket.io 4.8 observed (S5)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        join(c, *client, "/");
        client->send("1{}");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 41{}");
      });

  add(out,
      {.id = "sio/disconnect/10",
       .title = "A client that goes away is recorded as \"transport close\"",
       .requirement =
           "When the client ends the connection (a close packet over polling; closing the "
           "WebSocket), the server MUST end its sockets and SHOULD record \"transport close\".",
       .level = Level::must,
       .source = "socket.io 4.8 (DisconnectReason); fixture contract (extended)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto other = c.open_sio();
        join(c, *other, "/");
        auto client = c.open_sio();
        const auto sid = join(c, *client, "/");
        if (c.transport() == Transport::polling) {
          client->eio().close();  // the close packet in a POST
        } else {
          client.reset();  // the WebSocket is closed
        }
        judge_reason(c, recorded_reason(c, *other, "/", sid, c.prompt(other->eio())),
                     {"transport close"}, "recorded reason");
      });

  add(out,
      {.id = "sio/disconnect/11",
       .title = "A client that stops answering pings is recorded as \"ping timeout\"",
       .requirement = "When the Engine.IO session ends by ping timeout, the server MUST end its "
                      "sockets and SHOULD record \"ping timeout\".",
       .level = Level::must,
       .source = "socket.io 4.8 (DisconnectReason); fixture contract (extended)",
       .transports = kAllTransports,
       .extended = true,
       .timing = true},
      [](Context& c) {
        auto other = c.open_sio();
        join(c, *other, "/");
        SioClient client(c.loop(), c.transport());
        client.eio().set_auto_pong(false);
        if (!client.open(Ms(5000)))
          c.fail("opening a Socket.IO connection", "a handshake (and upgrade)", client.error());
        const auto sid = join(c, client, "/");
        // Whether and how the client sees the end is eio/heartbeat's business; here the session
        // is over by pingInterval + pingTimeout, and the reason is what counts.
        const auto end = client.eio().ping_interval() + client.eio().ping_timeout();
        const auto deadline = Clock::now() + end + c.tolerance();
        while (Clock::now() < deadline &&
               client.next(std::chrono::duration_cast<Ms>(deadline - Clock::now())))
          continue;
        judge_reason(c, recorded_reason(c, *other, "/", sid, c.prompt(other->eio())),
                     {"ping timeout"}, "recorded reason");
      });

  add(out,
      {.id = "sio/disconnect/12",
       .title = "A protocol violation is recorded as a server-side close",
       .requirement =
           "When the server closes a connection over an invalid packet, it MUST end its sockets "
           "and SHOULD record one of Socket.IO's reasons for it: \"parse error\", \"forced close\" "
           "or \"forced server close\" (which one depends on the transport in socket.io 4.8).",
       .level = Level::must,
       .source = "socket.io 4.8 (DisconnectReason, client.ts onerror); fixture contract "
                 "(extended)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto other = c.open_sio();
        join(c, *other, "/");
        auto client = c.open_sio();
        const auto sid = join(c, *client, "/");
        client->send("abc");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after the invalid packet 4abc");
        judge_reason(c, recorded_reason(c, *other, "/", sid, c.prompt(other->eio())),
                     {"parse error", "forced close", "forced server close"}, "recorded reason");
      });

  add(out,
      {.id = "sio/disconnect/13",
       .title = "A DISCONNECT for a namespace never joined",
       .requirement = "A DISCONNECT for a namespace the client is not connected to is a packet for "
                      "a namespace not joined; socket.io 4.8 closes the connection. A server MAY "
                      "ignore it instead (recorded).",
       .level = Level::may,
       .source = "socket.io 4.8 (client.ts: invalid state closes)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = c.open_sio();
        join(c, *client, "/");
        client->send("1/custom,");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 41/custom, without /custom");
      });
}

}  // namespace conform::cases
