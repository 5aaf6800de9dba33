// sio/middleware: a namespace middleware (the fixture's /auth) refusing and accepting CONNECTs:
// the CONNECT_ERROR bytes, retries on the same connection, and what a refusal leaves behind.
#include <chrono>
#include <deque>
#include <memory>

#include "areas.hpp"
#include "common.hpp"
#include "peers.hpp"

namespace conform::cases {

namespace {

using codec::Json;

const std::string kRefusal = R"(4/auth,{"message":"unauthorized","data":{"reason":"bad token"}})";

// The answer to a CONNECT on /auth with `payload` (no payload when empty): its text.
std::string connect_auth(Context& c, Peer& p, std::string_view payload) {
  p.io->send(codec::sio_text(0, "/auth", std::nullopt, payload));
  auto got = take(
      p,
      [](const SioReceived& r) {
        return r.packet.nsp == "/auth" && (r.packet.type == 0 || r.packet.type == 4);
      },
      Ms(3000));
  if (!got)
    c.fail("answer to 0/auth," + std::string(payload), "a CONNECT or CONNECT_ERROR on /auth",
           why_none(p, Ms(3000)));
  return got->text;
}

// The accepted CONNECT reply's socket id (fails the case unless it is exactly {"sid":"..."}).
std::string expect_accepted(Context& c, std::string_view what, const std::string& reply) {
  auto parsed = codec::parse_sio(reply);
  auto json = parsed ? codec::parse_json(parsed->data) : std::nullopt;
  const bool ok = parsed && parsed->type == 0 && parsed->nsp == "/auth" && json &&
                  json->is_object() && json->size() == 1 && json->contains("sid") &&
                  (*json)["sid"].is_string();
  c.check(ok, std::string(what), R"(0/auth,{"sid":"..."})", reply);
  return (*json)["sid"].get<std::string>();
}

// The next packet on /auth must be the auth event with `payload`.
void expect_auth_event(Context& c, Peer& p, std::string_view payload) {
  auto got = take(
      p, [](const SioReceived& r) { return r.packet.nsp == "/auth"; }, Ms(3000));
  c.expect_eq("the packet after the CONNECT reply",
              R"(2/auth,["auth",)" + std::string(payload) + "]",
              got ? got->text : why_none(p, Ms(3000)));
}

std::string one_room(const std::string& id) {
  return codec::dump(Json::array({id}));
}

const std::string kSource = "socket.io 4.8 observed (S20); fixture contract (extended), /auth";

}  // namespace

void add_sio_middleware(std::vector<Case>& out) {
  add(out,
      {.id = "sio/middleware/1",
       .title = "A refusing middleware answers CONNECT_ERROR with its message and data",
       .requirement =
           "When a namespace middleware refuses a CONNECT, the server MUST answer CONNECT_ERROR on "
           "that namespace with {\"message\":...,\"data\":...} as the middleware gave them: "
           "4/auth,{\"message\":\"unauthorized\",\"data\":{\"reason\":\"bad token\"}}.",
       .level = Level::must,
       .source = kSource + "; Socket.IO v5 specification, CONNECT_ERROR",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", c.transport());
        c.expect_eq("answer to a bad token", kRefusal, connect_auth(c, a, R"({"token":"nope"})"));
      });

  add(out,
      {.id = "sio/middleware/2",
       .title = "Every payload but the right token is refused the same way",
       .requirement =
           "The middleware decides on the CONNECT payload as sent: no payload, {}, a token of "
           "another case or type, or another key MUST each be refused with the same CONNECT_ERROR.",
       .level = Level::must,
       .source = kSource,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        for (const std::string payload :
             {"", "{}", R"({"token":"Secret"})", R"({"token":"secret "})",
              R"({"token":["secret"]})", R"({"tok":"secret"})", R"({"token":null})"})
          c.expect_eq("answer to 0/auth," + payload, kRefusal, connect_auth(c, a, payload));
      });

  add(out,
      {.id = "sio/middleware/3",
       .title = "The right token is accepted and followed by auth",
       .requirement =
           "A CONNECT the middleware accepts MUST be answered CONNECT {\"sid\"} on /auth, then the "
           "connection handler's auth event with the payload byte for byte; the socket then works.",
       .level = Level::must,
       .source = kSource,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const std::string payload = R"({"token":"secret","extra":[1,{"z":null}]})";
        const auto sid =
            expect_accepted(c, "answer to the right token", connect_auth(c, a, payload));
        expect_auth_event(c, a, payload);
        c.expect_eq("ctl:rooms on /auth", one_room(sid), ctl_text(c, a, "/auth", "ctl:rooms"));
      });

  add(out,
      {.id = "sio/middleware/4",
       .title = "A refused client may try again on the same connection",
       .requirement =
           "The client MAY retry a refused CONNECT, so the server MUST accept a new CONNECT to the "
           "namespace on the same connection after refusing one, and run the middleware again: the "
           "right token is then accepted, with a fresh socket in no room but its own.",
       .level = Level::must,
       .source = kSource + " (a retry CONNECT is allowed)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        c.expect_eq("first answer", kRefusal, connect_auth(c, a, R"({"token":"wrong"})"));
        c.expect_eq("second answer (still wrong)", kRefusal, connect_auth(c, a, "{}"));
        const auto sid = expect_accepted(c, "third answer (right token)",
                                         connect_auth(c, a, R"({"token":"secret"})"));
        expect_auth_event(c, a, R"({"token":"secret"})");
        c.expect_eq("ctl:rooms on /auth", one_room(sid), ctl_text(c, a, "/auth", "ctl:rooms"));
      });

  add(out,
      {.id = "sio/middleware/5",
       .title = "A refusal leaves the connection's other namespaces alone",
       .requirement = "A refused CONNECT MUST NOT disturb the connection: / joined before keeps "
                      "working, /custom can be joined after, and nothing else is sent for /auth "
                      "(no CONNECT, no auth event).",
       .level = Level::must,
       .source = kSource + "; Socket.IO v5 specification, Connection to a namespace",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto root = a.io->join("/", "", Ms(3000));
        c.check(root.has_value(), "join /", R"(0{"sid":...})",
                a.io->last() ? a.io->last()->text : "no answer");
        c.expect_eq("answer on /auth", kRefusal, connect_auth(c, a, R"({"token":"bad"})"));
        const auto custom = a.io->join("/custom", "", Ms(3000));
        c.check(custom.has_value(), "join /custom after the refusal", R"(0/custom,{"sid":...})",
                a.io->last() ? a.io->last()->text : "no answer");
        a.io->send(R"(2["message","after"])");
        auto back = take(
            a,
            [](const SioReceived& r) {
              return r.packet.nsp == "/" && r.packet.data.starts_with(R"(["message-back")");
            },
            Ms(3000));
        c.expect_eq("message-back on /", R"(2["message-back","after"])",
                    back ? back->text : why_none(a, Ms(3000)));
        c.expect_eq("ctl:fence on /", R"({"ok":true})", ctl_text(c, a, "/", "ctl:fence"));
        c.expect_eq("ctl:fence on /custom", R"({"ok":true})",
                    ctl_text(c, a, "/custom", "ctl:fence"));
        std::vector<SioReceived> on_auth;
        for (const auto& r : a.inbox)
          if (r.packet.nsp == "/auth") on_auth.push_back(r);
        c.expect_eq("packets on /auth after the refusal", "nothing", show(on_auth));
      });

  add(out,
      {.id = "sio/middleware/6",
       .title = "A refused CONNECT leaves no socket behind",
       .requirement =
           "A refused client is not in the namespace: an EVENT for /auth after the refusal MUST "
           "NOT be dispatched (that would bypass the middleware). socket.io 4.8 closes the "
           "connection promptly; ignoring the packet is an allowed alternative (NON-STRICT).",
       .level = Level::must,
       .source = kSource + "; socket.io 4.8 observed (S3)",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", c.transport());
        const auto root = a.io->join("/", "", Ms(3000));
        c.check(root.has_value(), "join /", R"(0{"sid":...})",
                a.io->last() ? a.io->last()->text : "no answer");
        c.expect_eq("answer on /auth", kRefusal, connect_auth(c, a, R"({"token":"bad"})"));
        // The EVENT on /auth asks for an ack; a fence on / follows it.
        a.io->eio().send_batch({R"(42/auth,5["ctl:rooms"])", R"(426["ctl:fence"])"});
        const auto deadline = Clock::now() + c.prompt(a.io->eio());
        std::vector<SioReceived> seen;
        bool fenced = false;
        while (Clock::now() < deadline) {
          auto got = a.io->next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
          if (!got) break;
          if (got->packet.nsp == "/auth")
            c.fail("answer to 2/auth,5[\"ctl:rooms\"]", "none: the refused client has no socket",
                   got->text);
          if (got->packet.type == 3 && got->packet.nsp == "/" && got->packet.id == 6u)
            fenced = true;
          seen.push_back(*got);
        }
        if (a.io->closed()) {
          c.check(true, "after an EVENT on the refused /auth", "the connection closes",
                  "closed (" + a.io->end_reason() + ")");
          return;
        }
        if (fenced)
          c.alternative("after an EVENT on the refused /auth", "the connection closes promptly",
                        "still open: the packet was ignored (ctl:fence on / answered, nothing on "
                        "/auth: " +
                            show(seen) + ")");
        c.fail("after an EVENT on the refused /auth", "the connection closes promptly",
               "still open, and no answer to the fence; received: " + show(seen));
      });

  add(out,
      {.id = "sio/middleware/7",
       .title = "The middleware runs on every CONNECT, not once per connection",
       .requirement = "A connection that was accepted on /auth, left it, and connects again with a "
                      "bad token MUST be refused: acceptance is not remembered across CONNECTs.",
       .level = Level::must,
       .source = kSource + "; Socket.IO namespace middlewares",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        a.io->join("/", "", Ms(3000));
        expect_accepted(c, "first answer (right token)",
                        connect_auth(c, a, R"({"token":"secret"})"));
        expect_auth_event(c, a, R"({"token":"secret"})");
        a.io->eio().send_batch({"41/auth,", "421[\"ctl:fence\"]"});
        auto fenced = take(
            a, [](const SioReceived& r) { return r.packet.type == 3 && r.packet.id == 1u; },
            Ms(3000));
        c.check(fenced.has_value(), "ctl:fence on / after leaving /auth", R"(31[{"ok":true}])",
                fenced ? fenced->text : why_none(a, Ms(3000)));
        c.expect_eq("answer to a bad token after leaving", kRefusal,
                    connect_auth(c, a, R"({"token":"bad"})"));
      });
}

}  // namespace conform::cases
