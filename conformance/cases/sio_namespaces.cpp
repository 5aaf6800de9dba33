// sio/namespaces: several namespaces on one connection (multiplexing), acks carried on their
// namespace, dynamic namespaces, exact names, per-namespace rooms and socket lists, leaving one
// namespace, and packets for namespaces the client is not in.
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "areas.hpp"
#include "common.hpp"
#include "peers.hpp"

namespace conform::cases {

namespace {

using codec::Json;

// Sends `before` and a ctl:fence on `nsp` together; returns everything that reached `p` before
// the fence's answer (taken out of the inbox).
std::vector<SioReceived> fence(Context& c, Peer& p, std::string_view nsp,
                               std::vector<std::string> before = {}) {
  const auto id = p.io->next_id();
  before.push_back(codec::sio_text(2, nsp, id, R"(["ctl:fence"])"));
  send_all(p, before);
  await_ack(c, p, nsp, id, Ms(3000), p.name + ": ctl:fence on " + std::string(nsp));
  std::vector<SioReceived> out(std::make_move_iterator(p.inbox.begin()),
                               std::make_move_iterator(p.inbox.end()));
  p.inbox.clear();
  return out;
}

// Asks `ask` until `expected` comes back or the prompt deadline passes; returns the last answer.
std::string poll_until(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                       std::string_view arg, const std::string& expected) {
  const auto deadline = Clock::now() + c.prompt(p.io->eio());
  std::string last;
  while (true) {
    last = codec::dump(ctl(c, p, nsp, event, arg));
    if (last == expected || Clock::now() >= deadline) return last;
    c.loop().run_for(Ms(20));
  }
}

// After a packet for a namespace the client is not in (`violation`, sent together with a fence
// on `joined`): socket.io 4.8 closes the connection, which passes. A server that ignores the
// packet (the fence is answered, and nothing answers the packet: no ack with `probe_id` on
// `probe_nsp`) departs from it: NON-STRICT. One that dispatches it fails.
void expect_closed_or_ignored(Context& c, Peer& p, const std::string& violation,
                              std::string_view joined, std::string_view probe_nsp,
                              std::optional<std::uint64_t> probe_id) {
  const auto id = p.io->next_id();
  send_all(p, {violation, codec::sio_text(2, joined, id, R"(["ctl:fence"])")});
  const auto deadline = Clock::now() + c.prompt(p.io->eio());
  std::vector<SioReceived> seen;
  bool fenced = false;
  while (Clock::now() < deadline) {
    auto got = p.io->next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if (probe_id && is_ack(*got, probe_nsp, *probe_id))
      c.fail("answer to " + violation, "none: the connection closes (or the packet is ignored)",
             got->text);
    if (is_ack(*got, joined, id)) fenced = true;
    seen.push_back(*got);
  }
  if (p.io->closed()) {
    c.check(true, "after " + violation, "the connection closes",
            "closed (" + p.io->end_reason() + ")");
    return;
  }
  if (fenced)
    c.alternative("after " + violation, "the connection closes promptly",
                  "still open: the packet was ignored (ctl:fence on " + std::string(joined) +
                      " answered, nothing else: " + show(seen) + ")");
  c.fail("after " + violation,
         "the connection closes within " + std::to_string(c.prompt(p.io->eio()).count()) + " ms",
         "still open, and no answer to the fence; received: " + show(seen));
}

const std::string kSpec = "Socket.IO v5 specification, Exchange protocol";
const std::string kViolation =
    "socket.io 4.8 observed (S3: any packet but CONNECT for a namespace the client is not in "
    "closes the connection)";

}  // namespace

void add_sio_namespaces(std::vector<Case>& out) {
  add(out,
      {.id = "sio/namespaces/1",
       .title = "/ and /custom on one connection are each answered on their own",
       .requirement = "A client MAY use several namespaces over one connection; packets sent on "
                      "each MUST be handled by that namespace and answered on it (an EVENT on / by "
                      "/'s handler, an ack on /custom carrying /custom and the /custom socket).",
       .level = Level::must,
       .source = kSpec + " (multiplexing)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", c.transport());
        const auto root = join(c, a, "/");
        const auto custom = join(c, a, "/custom");
        const auto i1 = a.io->next_id();
        const auto i2 = a.io->next_id();
        send_all(
            a, {R"(2["message","on-root"])", codec::sio_text(2, "/custom", i1, R"(["ctl:rooms"])"),
                codec::sio_text(2, "/", i2, R"(["ctl:rooms"])")});
        auto back = take(
            a, [](const SioReceived& r) { return event_name(r) == "message-back"; }, Ms(3000));
        c.expect_eq("message-back", R"(2["message-back","on-root"])",
                    back ? back->text : why_none(a, Ms(3000)));
        c.expect_eq("ack on /custom",
                    codec::sio_text(3, "/custom", i1, "[" + sorted_list({custom}) + "]"),
                    await_ack(c, a, "/custom", i1, Ms(3000), "ack on /custom").text);
        c.expect_eq("ack on /", codec::sio_text(3, "/", i2, "[" + sorted_list({root}) + "]"),
                    await_ack(c, a, "/", i2, Ms(3000), "ack on /").text);
        auto rest = fence(c, a, "/custom");
        auto more = fence(c, a, "/");
        rest.insert(rest.end(), more.begin(), more.end());
        std::vector<SioReceived> stray;
        for (const auto& r : rest)
          if (r.packet.nsp == "/custom" || event_name(r) == "message-back") stray.push_back(r);
        c.expect_eq("anything else on /custom, or a second message-back", "nothing", show(stray));
      });

  add(out,
      {.id = "sio/namespaces/2",
       .title = "The same ack id on two namespaces gets two answers",
       .requirement = "Ack ids belong to a namespace: the same id used on / and on /custom at once "
                      "MUST be answered twice, each ack on the namespace of its event.",
       .level = Level::must,
       .source = kSpec + ", Acknowledgement",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto root = join(c, a, "/");
        const auto custom = join(c, a, "/custom");
        const auto id = a.io->next_id();
        send_all(a, {codec::sio_text(2, "/custom", id, R"(["ctl:rooms"])"),
                     codec::sio_text(2, "/", id, R"(["ctl:rooms"])")});
        c.expect_eq("ack on /custom",
                    codec::sio_text(3, "/custom", id, "[" + sorted_list({custom}) + "]"),
                    await_ack(c, a, "/custom", id, Ms(3000), "ack on /custom").text);
        c.expect_eq("ack on /", codec::sio_text(3, "/", id, "[" + sorted_list({root}) + "]"),
                    await_ack(c, a, "/", id, Ms(3000), "ack on /").text);
      });

  add(out,
      {.id = "sio/namespaces/3",
       .title = "A client's ack counts only on the namespace of its event",
       .requirement =
           "The server MUST match a client's ACK by namespace and id: an ack with the right id on "
           "another namespace (/ instead of /custom) MUST NOT complete the /custom emit.",
       .level = Level::must,
       .source =
           kSpec + ", Acknowledgement; PROTOCOL pitfall (an ack without its namespace lands on /)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        join(c, a, "/");
        join(c, a, "/custom");
        const auto id = emit(a, "/custom", "ctl:emit-with-ack",
                             R"({"event":"ask","args":[],"timeoutMs":3000})");
        auto ask = take(
            a,
            [](const SioReceived& r) {
              return r.packet.nsp == "/custom" && event_name(r) == "ask";
            },
            Ms(3000));
        if (!ask) c.fail("the ask event", "2/custom,<id>[\"ask\"]", why_none(a, Ms(3000)));
        c.check(ask->packet.id.has_value(), "the ask event", "2/custom,<id>[\"ask\"]", ask->text);
        send_all(a, {codec::sio_text(3, "/", ask->packet.id, R"(["wrong namespace"])"),
                     codec::sio_text(3, "/custom", ask->packet.id, R"(["right"])")});
        const auto answer =
            ack_argument(c, await_ack(c, a, "/custom", id, Ms(4000), "ctl:emit-with-ack answer"),
                         "ctl:emit-with-ack answer");
        c.expect_eq("ctl:emit-with-ack answer", R"({"ok":true,"response":["right"]})",
                    codec::dump(answer));
      });

  add(out,
      {.id = "sio/namespaces/4",
       .title = "A dynamic namespace exists on first use",
       .requirement = "A namespace that matches a dynamic pattern (the fixture's ^/dyn-[0-9]+$) "
                      "MUST be created by the first CONNECT: answered CONNECT {\"sid\"} on it, "
                      "then auth with the payload.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S21); fixture contract (extended)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto nsp = private_nsp();
        a.io->send(codec::sio_text(0, nsp, std::nullopt, R"({"k":[1,"x"]})"));
        const auto reply = c.expect_sio(*a.io, Ms(3000), "CONNECT reply");
        auto json = codec::parse_json(reply.packet.data);
        const bool ok = reply.packet.type == 0 && reply.packet.nsp == nsp && json &&
                        json->is_object() && json->size() == 1 && json->contains("sid") &&
                        (*json)["sid"].is_string();
        c.check(ok, "CONNECT reply", "0" + prefix(nsp) + "{\"sid\":\"...\"}", reply.text);
        const auto sid = (*json)["sid"].get<std::string>();
        const auto auth = c.expect_sio(*a.io, Ms(3000), "auth event");
        c.expect_eq("auth event",
                    codec::sio_text(2, nsp, std::nullopt, R"(["auth",{"k":[1,"x"]}])"), auth.text);
        c.expect_eq("ctl:rooms on " + nsp, sorted_list({sid}),
                    codec::dump(ctl(c, a, nsp, "ctl:rooms")));
      });

  add(out,
      {.id = "sio/namespaces/5",
       .title = "A name that the dynamic pattern refuses is an unknown namespace",
       .requirement =
           "CONNECT to /dyn-x (no match for ^/dyn-[0-9]+$) MUST be refused with CONNECT_ERROR "
           "{\"message\":\"Invalid namespace\"} on /dyn-x, and the connection MUST stay usable.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S21); fixture contract (extended)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        a.io->send("0/dyn-x,");
        const auto reply = c.expect_sio(*a.io, Ms(3000), "refusal");
        c.expect_eq("answer", R"(4/dyn-x,{"message":"Invalid namespace"})", reply.text);
        join(c, a, "/dyn-12");
      });

  add(out,
      {.id = "sio/namespaces/6",
       .title = "The dynamic pattern matches whole names",
       .requirement =
           "The dynamic pattern is anchored: /dyn-12x, /dyn-, /dyn-12/ and /x/dyn-12 MUST each be "
           "refused with CONNECT_ERROR on that name, while /dyn-12 is accepted.",
       .level = Level::must,
       .source = "fixture contract (extended), dynamic namespaces ^/dyn-[0-9]+$",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        for (const std::string nsp : {"/dyn-12x", "/dyn-", "/dyn-12/", "/x/dyn-12"}) {
          const auto id = a.io->connect(nsp, "", Ms(3000));
          const auto& last = a.io->last();
          c.check(!id && last && last->packet.type == 4 && last->packet.nsp == nsp,
                  "CONNECT to " + nsp, "4" + nsp + ",{...} (refused)",
                  last ? last->text : why_none(a, Ms(3000)));
        }
        join(c, a, "/dyn-12");
      });

  add(out,
      {.id = "sio/namespaces/7",
       .title = "Namespace names are matched exactly",
       .requirement = "A namespace name MUST be matched byte for byte: /Custom, /CUSTOM, /custom/ "
                      "and /custom/x are unknown namespaces (CONNECT_ERROR on that name), while "
                      "/custom is accepted.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Connection to a namespace; fixture contract"},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        for (const std::string nsp : {"/Custom", "/CUSTOM", "/custom/", "/custom/x"}) {
          const auto id = a.io->connect(nsp, "", Ms(3000));
          const auto& last = a.io->last();
          c.check(!id && last && last->packet.type == 4 && last->packet.nsp == nsp,
                  "CONNECT to " + nsp, "4" + nsp + ",{...} (refused)",
                  last ? last->text : why_none(a, Ms(3000)));
        }
        join(c, a, "/custom");
      });

  add(out,
      {.id = "sio/namespaces/8",
       .title = "Rooms belong to one namespace of the connection",
       .requirement = "Rooms MUST be per namespace: a room joined by a connection's / socket MUST "
                      "NOT list or contain its /custom socket.",
       .level = Level::must,
       .source = "Socket.IO rooms and namespaces; fixture contract (ctl:rooms, ctl:sockets)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto root = join(c, a, "/");
        const auto custom = join(c, a, "/custom");
        const std::string room = "ns-room-" + tag();
        c.expect_eq("ctl:join on /", sorted_list({root, room}),
                    codec::dump(ctl(c, a, "/", "ctl:join", json_string(room))));
        c.expect_eq("ctl:rooms on /custom", sorted_list({custom}),
                    codec::dump(ctl(c, a, "/custom", "ctl:rooms")));
        const std::string ask = R"({"room":)" + json_string(room) + "}";
        c.expect_eq("ctl:sockets {room} on /custom", "[]",
                    codec::dump(ctl(c, a, "/custom", "ctl:sockets", ask)));
        c.expect_eq("ctl:sockets {room} on /", sorted_list({root}),
                    codec::dump(ctl(c, a, "/", "ctl:sockets", ask)));
      });

  add(out,
      {.id = "sio/namespaces/9",
       .title = "A namespace lists only its own sockets",
       .requirement = "The sockets of a namespace MUST be exactly those connected to it: "
                      "ctl:sockets {} on each of two namespaces lists its own sockets and none of "
                      "the other's, for three connections with different mixes.",
       .level = Level::must,
       .source = "Socket.IO namespaces; fixture contract (ctl:sockets)",
       .extended = true},
      [](Context& c) {
        const auto one = private_nsp();
        auto two = private_nsp();
        while (two == one)
          two = private_nsp();
        auto a = open_peer(c, "A", Transport::websocket);
        auto b = open_peer(c, "B", Transport::websocket);
        auto d = open_peer(c, "C", Transport::upgrade);
        const auto a1 = join(c, a, one);
        const auto a2 = join(c, a, two);
        const auto b1 = join(c, b, one);
        join(c, d, "/");
        const auto d2 = join(c, d, two);
        c.expect_eq("ctl:sockets {} on " + one, sorted_list({a1, b1}),
                    codec::dump(ctl(c, b, one, "ctl:sockets", "{}")));
        c.expect_eq("ctl:sockets {} on " + two, sorted_list({a2, d2}),
                    codec::dump(ctl(c, d, two, "ctl:sockets", "{}")));
      });

  add(out,
      {.id = "sio/namespaces/10",
       .title = "Leaving one namespace leaves the others working",
       .requirement =
           "A DISCONNECT for one namespace MUST end that socket only: it gets no answer, the "
           "namespace no longer lists it, and the connection's other namespaces keep working.",
       .level = Level::must,
       .source = kSpec + ", Disconnection from a namespace",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto b = open_peer(c, "B", Transport::websocket);
        auto a = open_peer(c, "A", c.transport());
        join(c, a, "/");
        const auto custom = join(c, a, "/custom");
        join(c, a, nsp);
        const auto b1 = join(c, b, nsp);
        const auto got = fence(c, a, "/", {codec::sio_text(1, nsp)});
        std::vector<SioReceived> on_nsp;
        for (const auto& r : got)
          if (r.packet.nsp == nsp) on_nsp.push_back(r);
        c.expect_eq("packets on " + nsp + " after its DISCONNECT", "nothing", show(on_nsp));
        a.io->send(R"(2["message","still here"])");
        auto back = take(
            a, [](const SioReceived& r) { return event_name(r) == "message-back"; }, Ms(3000));
        c.expect_eq("message-back on /", R"(2["message-back","still here"])",
                    back ? back->text : why_none(a, Ms(3000)));
        c.expect_eq("ctl:rooms on /custom", sorted_list({custom}),
                    codec::dump(ctl(c, a, "/custom", "ctl:rooms")));
        c.expect_eq("ctl:sockets {} on " + nsp + " (asked by B)", sorted_list({b1}),
                    poll_until(c, b, nsp, "ctl:sockets", "{}", sorted_list({b1})));
      });

  add(out,
      {.id = "sio/namespaces/11",
       .title = "A packet for a namespace the client left is not dispatched",
       .requirement = "After a DISCONNECT for /custom, an EVENT on /custom is a packet for a "
                      "namespace the client is not in: it MUST NOT be dispatched, and the server "
                      "closes the connection promptly (as socket.io 4.8 does; ignoring the packet "
                      "is an allowed alternative, NON-STRICT).",
       .level = Level::must,
       .source = kViolation,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", c.transport());
        join(c, a, "/");
        join(c, a, "/custom");
        fence(c, a, "/", {"1/custom,"});
        const auto probe = a.io->next_id();
        expect_closed_or_ignored(c, a, codec::sio_text(2, "/custom", probe, R"(["ctl:rooms"])"),
                                 "/", "/custom", probe);
      });

  add(out,
      {.id = "sio/namespaces/12",
       .title = "A packet for a refused namespace closes the connection",
       .requirement =
           "A refused CONNECT leaves the client outside that namespace: an EVENT for it is a "
           "packet for a namespace the client is not in, and the server closes the connection "
           "promptly (as socket.io 4.8 does; ignoring it is an allowed alternative, NON-STRICT).",
       .level = Level::must,
       .source = kViolation,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", c.transport());
        join(c, a, "/");
        a.io->send("0/random,");
        const auto reply = c.expect_sio(*a.io, Ms(3000), "refusal");
        c.check(reply.packet.type == 4 && reply.packet.nsp == "/random", "refusal",
                "4/random,{...}", reply.text);
        expect_closed_or_ignored(c, a, R"(2/random,["message","x"])", "/", "/random", std::nullopt);
      });

  add(out,
      {.id = "sio/namespaces/13",
       .title = "An ack for a namespace the client is not in closes the connection",
       .requirement =
           "An ACK without a namespace is an ack for /: from a client joined to /custom only it is "
           "a packet for a namespace the client is not in (the symptom of an ack that forgot its "
           "namespace), and the server closes the connection promptly (as socket.io 4.8 does; "
           "ignoring it is an allowed alternative, NON-STRICT).",
       .level = Level::must,
       .source = kViolation + "; PROTOCOL pitfall (ack without its namespace)",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", c.transport());
        join(c, a, "/custom");
        expect_closed_or_ignored(c, a, "30[]", "/custom", "/", std::nullopt);
      });

  add(out,
      {.id = "sio/namespaces/14",
       .title = "Handlers belong to their namespace",
       .requirement =
           "An event MUST reach the handlers of its own namespace only: message on /custom (which "
           "has no such handler) MUST NOT be echoed by /'s handler on either namespace.",
       .level = Level::must,
       .source = "Socket.IO namespaces; fixture contract (message-back on / only)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        join(c, a, "/");
        join(c, a, "/custom");
        auto got = fence(c, a, "/custom", {R"(2/custom,["message","not for /"])"});
        auto more = fence(c, a, "/");
        got.insert(got.end(), more.begin(), more.end());
        c.expect_eq("received before the fences", "nothing", show(got));
      });
}

}  // namespace conform::cases
