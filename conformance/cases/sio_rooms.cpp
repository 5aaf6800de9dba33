// sio/rooms: joining and leaving rooms, the room of a socket's own id, who is in a room, rooms
// left on disconnect, and rooms being per namespace. Membership listings run in a namespace of the
// case's own (/dyn-N with a random N), or on rooms with random names, so that parallel cases never
// show up in them.
#include <chrono>
#include <memory>
#include <random>
#include <thread>

#include "areas.hpp"
#include "common.hpp"
#include "peers.hpp"

namespace conform::cases {

namespace {

using codec::Json;

std::string room_arg(std::string_view room) {
  return R"({"room":)" + json_string(room) + "}";
}

// Asks until `expected` comes back or the prompt deadline passes; returns the last answer.
std::string poll_until(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                       std::string_view arg, const std::string& expected) {
  const auto deadline = Clock::now() + c.prompt(p.io->eio());
  std::string last;
  while (true) {
    last = ctl_text(c, p, nsp, event, arg);
    if (last == expected || Clock::now() >= deadline) return last;
    c.loop().run_for(Ms(20));
  }
}

const std::string kRooms = "Socket.IO rooms (socket.io 4.8 in-memory adapter)";
const std::string kContract = "fixture contract (extended)";

}  // namespace

void add_sio_rooms(std::vector<Case>& out) {
  add(out,
      {.id = "sio/rooms/1",
       .title = "Joining rooms answers the socket's rooms, its own id included, sorted",
       .requirement = "Every socket MUST be in the room named by its own id; after joining rooms "
                      "(one call with a list) the socket's rooms MUST be exactly those plus its "
                      "own id (ctl:join answers them sorted by byte).",
       .level = Level::must,
       .source = kRooms + "; " + kContract + " (ctl:join)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto sid = join(c, a, "/");
        const auto t = tag();
        const std::vector<std::string> rooms{"zz-" + t, "AA-" + t, "mm-" + t};
        c.expect_eq("ctl:join [zz, AA, mm]", sorted_list({sid, rooms[0], rooms[1], rooms[2]}),
                    ctl_text(c, a, "/", "ctl:join",
                             "[" + json_string(rooms[0]) + "," + json_string(rooms[1]) + "," +
                                 json_string(rooms[2]) + "]"));
        c.expect_eq("ctl:rooms", sorted_list({sid, rooms[0], rooms[1], rooms[2]}),
                    ctl_text(c, a, "/", "ctl:rooms"));
      });

  add(out,
      {.id = "sio/rooms/2",
       .title = "A new socket is in its own id room only",
       .requirement = "A socket that has just connected MUST be in exactly one room, the one named "
                      "by its id, in / as in any other namespace.",
       .level = Level::must,
       .source = kRooms,
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto root = join(c, a, "/");
        const auto nsp = private_nsp();
        const auto other = join(c, a, nsp);
        c.expect_eq("ctl:rooms on /", sorted_list({root}), ctl_text(c, a, "/", "ctl:rooms"));
        c.expect_eq("ctl:rooms on " + nsp, sorted_list({other}), ctl_text(c, a, nsp, "ctl:rooms"));
        c.expect_eq("ctl:sockets {room: own id} on " + nsp, sorted_list({other}),
                    ctl_text(c, a, nsp, "ctl:sockets", room_arg(other)));
      });

  add(out,
      {.id = "sio/rooms/3",
       .title = "Joining a room twice is the same as once",
       .requirement = "join is idempotent: joining a room the socket is in (again, or twice in one "
                      "list) MUST change nothing, and the room MUST list the socket once.",
       .level = Level::must,
       .source = kRooms + " (join is idempotent)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto nsp = private_nsp();
        const auto sid = join(c, a, nsp);
        const auto expected = sorted_list({sid, "r"});
        c.expect_eq("first ctl:join r", expected, ctl_text(c, a, nsp, "ctl:join", R"("r")"));
        c.expect_eq("second ctl:join r", expected, ctl_text(c, a, nsp, "ctl:join", R"("r")"));
        c.expect_eq("ctl:join [r, r]", expected, ctl_text(c, a, nsp, "ctl:join", R"(["r","r"])"));
        c.expect_eq("ctl:sockets {room: r}", sorted_list({sid}),
                    ctl_text(c, a, nsp, "ctl:sockets", room_arg("r")));
      });

  add(out,
      {.id = "sio/rooms/4",
       .title = "Leaving rooms, and rooms not joined, is harmless",
       .requirement =
           "leave is idempotent: leaving rooms (by list) MUST remove exactly those, and leaving a "
           "room the socket is not in (or again) MUST change nothing and keep the connection open.",
       .level = Level::must,
       .source = kRooms + " (leave is idempotent)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto nsp = private_nsp();
        const auto sid = join(c, a, nsp);
        c.expect_eq("ctl:join [a, b, c]", sorted_list({sid, "a", "b", "c"}),
                    ctl_text(c, a, nsp, "ctl:join", R"(["a","b","c"])"));
        c.expect_eq("ctl:leave never-joined", sorted_list({sid, "a", "b", "c"}),
                    ctl_text(c, a, nsp, "ctl:leave", R"("never-joined")"));
        c.expect_eq("ctl:leave [a, c]", sorted_list({sid, "b"}),
                    ctl_text(c, a, nsp, "ctl:leave", R"(["a","c"])"));
        c.expect_eq("ctl:leave a (again)", sorted_list({sid, "b"}),
                    ctl_text(c, a, nsp, "ctl:leave", R"("a")"));
        c.expect_eq("ctl:sockets {room: a}", "[]",
                    ctl_text(c, a, nsp, "ctl:sockets", room_arg("a")));
        c.expect_eq("ctl:fence", R"({"ok":true})", ctl_text(c, a, nsp, "ctl:fence"));
      });

  add(out,
      {.id = "sio/rooms/5",
       .title = "A socket may leave the room of its own id",
       .requirement = "The room of a socket's id is a room like the others: leaving it MAY be "
                      "honoured (socket.io 4.8 does: the socket is then in no room, and its id "
                      "room is empty). Recorded, with whether the socket still answers.",
       .level = Level::may,
       .source = kRooms + " (socket.leave(socket.id))",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        const auto nsp = private_nsp();
        const auto sid = join(c, a, nsp);
        const auto after = ctl_text(c, a, nsp, "ctl:leave", json_string(sid));
        const auto fence = ctl_text(c, a, nsp, "ctl:fence");
        if (fence != R"({"ok":true})") c.fail("ctl:fence after leaving", R"({"ok":true})", fence);
        c.expect_eq("ctl:leave own id", "[]", after);
        c.expect_eq("ctl:sockets {room: own id}", "[]",
                    ctl_text(c, a, nsp, "ctl:sockets", room_arg(sid)));
      });

  add(out,
      {.id = "sio/rooms/6",
       .title = "A room lists exactly its members, sorted",
       .requirement =
           "The sockets in a room MUST be exactly those that joined it (and have not left), "
           "whoever asks; ctl:sockets answers them sorted by byte, [] for a room nobody is in.",
       .level = Level::must,
       .source = kRooms + "; " + kContract + " (ctl:sockets)",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto a = open_peer(c, "A", Transport::websocket);
        auto b = open_peer(c, "B", Transport::websocket);
        auto d = open_peer(c, "C", Transport::upgrade);
        auto e = open_peer(c, "D", Transport::websocket);
        const auto sa = join(c, a, nsp);
        const auto sb = join(c, b, nsp);
        const auto sc = join(c, d, nsp);
        const auto sd = join(c, e, nsp);
        ctl_text(c, a, nsp, "ctl:join", R"("r")");
        ctl_text(c, d, nsp, "ctl:join", R"(["r","s"])");
        ctl_text(c, e, nsp, "ctl:join", R"("r")");
        ctl_text(c, b, nsp, "ctl:join", R"("s")");
        c.expect_eq("ctl:sockets {room: r} (asked by B, not a member)", sorted_list({sa, sc, sd}),
                    ctl_text(c, b, nsp, "ctl:sockets", room_arg("r")));
        c.expect_eq("ctl:sockets {room: s} (asked by A)", sorted_list({sb, sc}),
                    ctl_text(c, a, nsp, "ctl:sockets", room_arg("s")));
        c.expect_eq("ctl:sockets {} (asked by D)", sorted_list({sa, sb, sc, sd}),
                    ctl_text(c, e, nsp, "ctl:sockets", "{}"));
        c.expect_eq("ctl:sockets {room: nobody}", "[]",
                    ctl_text(c, e, nsp, "ctl:sockets", room_arg("nobody")));
      });

  add(out,
      {.id = "sio/rooms/7",
       .title = "A socket that leaves its namespace leaves every room",
       .requirement = "On a DISCONNECT for a namespace the socket MUST leave all its rooms there "
                      "(its own id room included): other clients no longer find it in any of them.",
       .level = Level::must,
       .source = kRooms + "; socket.io 4.8 (disconnecting, then every room is left)",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto a = open_peer(c, "A", Transport::websocket);
        auto b = open_peer(c, "B", Transport::websocket);
        auto d = open_peer(c, "C", Transport::upgrade);
        a.io->join("/", "", Ms(3000));
        const auto sa = join(c, a, nsp);
        const auto sb = join(c, b, nsp);
        const auto sc = join(c, d, nsp);
        for (auto* p : {&a, &b, &d})
          ctl_text(c, *p, nsp, "ctl:join", R"(["r","q"])");
        c.expect_eq("ctl:sockets {room: r} before", sorted_list({sa, sb, sc}),
                    ctl_text(c, b, nsp, "ctl:sockets", room_arg("r")));
        // A leaves the namespace (and stays connected on /).
        a.io->eio().send_batch({"41" + prefix(nsp), R"(421["ctl:fence"])"});
        bool fenced = false;
        for (int i = 0; i < 20 && !fenced; ++i) {
          auto got = a.io->next(Ms(3000));
          if (!got) break;
          fenced = got->packet.type == 3 && got->packet.nsp == "/" && got->packet.id == 1u;
        }
        c.check(fenced, "A's ctl:fence on / after leaving " + nsp, R"(31[{"ok":true}])",
                a.io->closed() ? "the connection ended (" + a.io->end_reason() + ")" : "no ack");
        c.expect_eq("ctl:sockets {room: r}", sorted_list({sb, sc}),
                    poll_until(c, b, nsp, "ctl:sockets", room_arg("r"), sorted_list({sb, sc})));
        c.expect_eq("ctl:sockets {room: q}", sorted_list({sb, sc}),
                    ctl_text(c, d, nsp, "ctl:sockets", room_arg("q")));
        c.expect_eq("ctl:sockets {room: A's id}", "[]",
                    ctl_text(c, d, nsp, "ctl:sockets", room_arg(sa)));
        c.expect_eq("ctl:sockets {}", sorted_list({sb, sc}),
                    ctl_text(c, d, nsp, "ctl:sockets", "{}"));
      });

  add(out,
      {.id = "sio/rooms/8",
       .title = "A closed connection leaves every room",
       .requirement =
           "When a client's connection ends (it closes the transport), its sockets MUST leave all "
           "their rooms promptly: other clients no longer find them in any room.",
       .level = Level::must,
       .source = kRooms + "; socket.io 4.8 (transport close: every room is left)",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto b = open_peer(c, "B", Transport::websocket);
        auto d = open_peer(c, "C", Transport::upgrade);
        auto a = open_peer(c, "A", c.transport());  // last: the session under test lives shortest
        const auto sa = join(c, a, nsp);
        const auto sb = join(c, b, nsp);
        const auto sc = join(c, d, nsp);
        for (auto* p : {&a, &b, &d})
          ctl_text(c, *p, nsp, "ctl:join", R"(["r","q"])");
        // The client ends its connection: a close packet on polling; on WebSocket the socket is
        // closed (by dropping the client: EioSession::close() and the destructor would both
        // close the WebSocket, which the driver does not allow).
        if (a.io->eio().current() == Transport::websocket)
          a.io.reset();
        else
          a.io->eio().close();
        c.expect_eq("ctl:sockets {room: r}", sorted_list({sb, sc}),
                    poll_until(c, b, nsp, "ctl:sockets", room_arg("r"), sorted_list({sb, sc})));
        c.expect_eq("ctl:sockets {room: q}", sorted_list({sb, sc}),
                    ctl_text(c, d, nsp, "ctl:sockets", room_arg("q")));
        c.expect_eq("ctl:sockets {room: A's id}", "[]",
                    ctl_text(c, d, nsp, "ctl:sockets", room_arg(sa)));
      });

  add(out,
      {.id = "sio/rooms/9",
       .title = "Rooms of the same name in two namespaces are different rooms",
       .requirement = "Rooms MUST be per namespace: sockets of / and of /custom that join rooms of "
                      "the same name are each listed in their own namespace's room only.",
       .level = Level::must,
       .source = kRooms + " (rooms are per namespace)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        auto b = open_peer(c, "B", Transport::websocket);
        auto d = open_peer(c, "C", Transport::upgrade);
        const auto a_custom = join(c, a, "/custom");
        const auto b_root = join(c, b, "/");
        const auto c_root = join(c, d, "/");
        const auto c_custom = join(c, d, "/custom");
        const std::string room = "shared-" + tag();
        ctl_text(c, a, "/custom", "ctl:join", json_string(room));
        ctl_text(c, b, "/", "ctl:join", json_string(room));
        c.expect_eq("ctl:sockets {room} on / (asked by C)", sorted_list({b_root}),
                    ctl_text(c, d, "/", "ctl:sockets", room_arg(room)));
        c.expect_eq("ctl:sockets {room} on /custom (asked by C)", sorted_list({a_custom}),
                    ctl_text(c, d, "/custom", "ctl:sockets", room_arg(room)));
        c.expect_eq("C's rooms on /", sorted_list({c_root}), ctl_text(c, d, "/", "ctl:rooms"));
        c.expect_eq("C's rooms on /custom", sorted_list({c_custom}),
                    ctl_text(c, d, "/custom", "ctl:rooms"));
      });
}

}  // namespace conform::cases
