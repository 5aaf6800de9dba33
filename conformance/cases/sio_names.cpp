// sio/names: hostile names where a Socket.IO server looks something up by name. Namespaces named
// like object properties (1), with path steps, URL syntax, a NUL or odd characters (2):
// CONNECT_ERROR under their exact name; in bytes that are not UTF-8 (3): refused or closed. Events
// named like object properties, a handler plus a NUL, or lone surrogates (4): not dispatched. Rooms
// named like object properties, empty or very long (5): rooms like any other. Keys named like
// object properties in the CONNECT payload (6), in event data (7) and around attachments (8, 9):
// plain data. Packets for such namespaces that the client never joined (10): closed or ignored.
// Each case ends by checking that the server still serves a client connected before and a new one.
#include <algorithm>
#include <functional>
#include <map>

#include "areas.hpp"
#include "common.hpp"
#include "peers.hpp"
#include "sio_common.hpp"

namespace conform::cases {

namespace {

using codec::Json;

const std::string kSpec = "Socket.IO v5 specification";
const std::string kContract = "fixture contract";

const std::vector<std::string> kPropertyNames{"__proto__",        "constructor",  "toString",
                                              "hasOwnProperty",   "valueOf",      "prototype",
                                              "__defineGetter__", "isPrototypeOf"};

std::string refusal(std::string_view nsp) {
  return "4" + prefix(nsp) + R"({"message":"Invalid namespace"})";
}

// Sends a CONNECT for each of `names` together, then takes the answer for each (answers to
// several CONNECTs may come in any order). Returns the names whose answer was not the refusal,
// with what came instead.
std::string expect_refused(SioClient& client, const std::vector<std::string>& names) {
  std::vector<Part> parts;
  for (const auto& n : names)
    parts.push_back({codec::sio_text(0, n)});
  send_all(client, parts);
  std::map<std::string, std::string> answers;
  const auto deadline = Clock::now() + Ms(3000);
  while (answers.size() < names.size() && Clock::now() < deadline) {
    auto got = client.next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    answers.emplace(got->packet.nsp, shown(*got));
  }
  std::string wrong;
  for (const auto& n : names) {
    const auto it = answers.find(n);
    const std::string got = it != answers.end() ? it->second
                            : client.closed()
                                ? "(the connection ended: " + client.end_reason() + ")"
                                : "(no answer on this namespace)";
    if (got != refusal(n))
      wrong += (wrong.empty() ? "" : "; ") + text::printable(n, {.max = 40}) + ": " +
               text::printable(got, {.max = 200});
  }
  for (const auto& [nsp, got] : answers)
    if (std::find(names.begin(), names.end(), nsp) == names.end())
      wrong += (wrong.empty() ? "" : "; ") +
               std::string("an answer on a namespace not asked for: ") +
               text::printable(got, {.max = 200});
  return wrong;
}

// The connection still serves /: a CONNECT is accepted and message comes back as message-back.
void expect_root_works(Context& c, SioClient& client, std::string_view what) {
  if (!client.join("/", "", Ms(3000)))
    c.fail(std::string(what) + ": a later CONNECT to /", "accepted",
           client.last()
               ? client.last()->text
               : (client.closed() ? "the connection ended: " + client.end_reason() : "no answer"));
  client.send(R"(2["message","after"])");
  expect_next(c, client, std::string(what) + ": message on / afterwards",
              R"(2["message-back","after"])");
}

// Everything that reached `client` before the first packet `stop` accepts (taken, not returned);
// `found` says whether it came within `timeout`.
std::vector<SioReceived> until(SioClient& client,
                               const std::function<bool(const SioReceived&)>& stop, Ms timeout,
                               bool& found) {
  std::vector<SioReceived> before;
  found = false;
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto got = client.next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
    if (!got) break;
    if (stop(*got)) {
      found = true;
      break;
    }
    before.push_back(std::move(*got));
  }
  return before;
}

// Sends `parts` a few packets at a time, each POST answered before the next goes out: the case is
// about the names, not about how many packets fit in one polling payload (python-engineio drops a
// payload of more than 16 packets).
void send_in_groups(Context& c, SioClient& client, const std::vector<Part>& parts) {
  constexpr std::size_t kGroup = 8;
  for (std::size_t i = 0; i < parts.size(); i += kGroup) {
    send_all(client,
             {parts.begin() + static_cast<std::ptrdiff_t>(i),
              parts.begin() + static_cast<std::ptrdiff_t>(std::min(i + kGroup, parts.size()))});
    const auto deadline = Clock::now() + Ms(3000);
    while (!client.eio().posts_done() && Clock::now() < deadline)
      c.loop().run_for(Ms(1));
  }
}

std::string show_all(const std::vector<SioReceived>& list) {
  std::string out;
  for (const auto& r : list)
    out += (out.empty() ? "" : " | ") + text::printable(shown(r), {.max = 200});
  return out.empty() ? "nothing" : out;
}

// Everything that reached `p` before the answer to its ctl:fence on `nsp`, taken out of its inbox.
std::vector<SioReceived> fence(Context& c, Peer& p, std::string_view nsp) {
  const auto id = emit(p, nsp, "ctl:fence", "");
  await_ack(c, p, nsp, id, Ms(3000), p.name + ": ctl:fence on " + std::string(nsp));
  std::vector<SioReceived> out(std::make_move_iterator(p.inbox.begin()),
                               std::make_move_iterator(p.inbox.end()));
  p.inbox.clear();
  return out;
}

std::string room_arg(std::string_view room) {
  return R"({"room":)" + json_string(room) + "}";
}

std::string json_list(const std::vector<std::string>& items) {
  Json a = Json::array();
  for (const auto& i : items)
    a.push_back(i);
  return codec::dump(a);
}

// A room name as the checks show it.
std::string room_shown(const std::string& room) {
  if (room.empty()) return "\"\"";
  if (room.size() > 40) return std::to_string(room.size()) + " r's";
  return room;
}

// Sends ["message", `data`] with two attachments (<01 02 03>, <04 05>) and checks the echo, after
// checking that the server still serves others.
void expect_binary_echo(Context& c, const std::string& data) {
  auto bystander = joined(c);
  auto client = joined(c);
  send_all(*client,
           {{"52-[\"message\"," + data + "]"}, {bytes({1, 2, 3}), true}, {bytes({4, 5}), true}});
  const auto got = client->next(Ms(3000));
  expect_unharmed(c, *bystander);
  c.expect_eq("echo",
              "52-[\"message-back\"," + data + "] + " + text::attachment(bytes({1, 2, 3})) + " + " +
                  text::attachment(bytes({4, 5})),
              got ? shown(*got)
                  : (client->closed() ? "the connection ended: " + client->end_reason()
                                      : "nothing within 3000 ms"));
}

}  // namespace

void add_sio_names(std::vector<Case>& out) {
  add(out,
      {.id = "sio/names/1",
       .title = "Namespaces named like object properties are unknown namespaces",
       .requirement = "CONNECT to /__proto__, /constructor, /toString, /hasOwnProperty, /valueOf, "
                      "/prototype, /__defineGetter__ or /isPrototypeOf (none of them served) MUST "
                      "be refused with CONNECT_ERROR {\"message\":\"Invalid namespace\"} on that "
                      "name; the connection stays usable (a later CONNECT to / works) and the "
                      "server keeps serving everyone else.",
       .level = Level::must,
       .source = kSpec + ", Connection to a namespace; " + kContract + " (unknown namespace)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = c.open_sio();
        std::vector<std::string> names;
        for (const auto& n : kPropertyNames)
          names.push_back("/" + n);
        const auto wrong = expect_refused(*client, names);
        c.check(wrong.empty(), "answers to the CONNECTs",
                "4/<name>,{\"message\":\"Invalid namespace\"} for each",
                wrong.empty() ? "each refused so" : wrong);
        expect_root_works(c, *client, "the same connection");
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/names/2",
       .title = "Namespaces with path steps, URL syntax, a NUL or odd characters are refused by "
                "their exact name",
       .requirement = "A namespace name MUST be matched as the exact text it is: /custom/.., "
                      "/../custom, /./custom, //custom, /custom followed by a NUL (and more), "
                      "/dyn-1 followed by a NUL or /.., /custom?x=1, /custom#x, /custom%2F.., "
                      "/custom and a space, U+2028, a 10000-character name: each "
                      "refused with CONNECT_ERROR {\"message\":\"Invalid namespace\"} under that "
                      "very name; the connection stays usable and others are unharmed.",
       .level = Level::must,
       .source = kSpec + ", Connection to a namespace; " + kContract + " (unknown namespace)"},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = c.open_sio(Transport::websocket);
        using namespace std::string_literals;
        const std::vector<std::string> names{
            "/custom/..",    "/../custom",   "/./custom",
            "//custom",      "/custom\0"s,   "/custom\0x"s,
            "/dyn-1\0"s,     "/dyn-1/..",    "/custom?x=1",
            "/custom#x",     "/custom%2F..", "/custom ",
            "/\xe2\x80\xa8", "/\xc3\xbc",    "/" + std::string(10000, 'n')};
        const auto wrong = expect_refused(*client, names);
        c.check(wrong.empty(), "answers to the CONNECTs",
                "4/<name>,{\"message\":\"Invalid namespace\"} for each, under the exact name",
                wrong.empty() ? "each refused so" : wrong);
        expect_root_works(c, *client, "the same connection");
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/names/3",
       .title = "A namespace in bytes that are not UTF-8 harms no one",
       .requirement = "A CONNECT whose namespace holds bytes that are not UTF-8 (FF FE, or a lone "
                      "surrogate ED A0 80) in a polling POST MUST NOT be accepted and MUST NOT "
                      "harm the server: it is refused with CONNECT_ERROR (under the name as the "
                      "server decoded it) or the connection is closed; a connection left open "
                      "still serves /.",
       .level = Level::must,
       .source = kSpec + ", Connection to a namespace; RFC 3629",
       .transports = kPolling},
      [](Context& c) {
        auto bystander = joined(c);
        for (const std::string bad : {"/\xff\xfe", "/\xed\xa0\x80"}) {
          const auto what = "CONNECT to /" + text::hex(bad.substr(1));
          auto client = c.open_sio();
          client->send(codec::sio_text(0, bad));
          const auto got = client->next(c.prompt(client->eio()));
          if (!got) {
            c.check(client->closed(), what, "CONNECT_ERROR, or the connection closed",
                    client->closed()
                        ? "closed: " + client->end_reason()
                        : "nothing within " + std::to_string(c.prompt(client->eio()).count()) +
                              " ms, connection open");
            continue;
          }
          c.check(got->packet.type == 4, what, "CONNECT_ERROR (4...), or the connection closed",
                  text::printable(shown(*got), {.max = 200}));
          expect_root_works(c, *client, "the connection that sent " + what);
        }
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/names/4",
       .title = "Events named like object properties reach no handler",
       .requirement = "Events that no handler serves, named __proto__, constructor, toString, "
                      "hasOwnProperty, valueOf, prototype, __defineGetter__, isPrototypeOf, a "
                      "handler's name followed by a NUL (message\\u0000, "
                      "message-with-ack\\u0000x), or lone surrogates (\\ud800, "
                      "message\\udfff\\ud800), with and without an ack id, MUST NOT be "
                      "dispatched to anything: no event and no ack comes back (an empty ack is an "
                      "allowed alternative), the connection stays usable, and others are "
                      "unharmed.",
       .level = Level::must,
       .source = kSpec + ", Event; " + kContract + " (events message and message-with-ack)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = joined(c);
        std::vector<Part> parts;
        std::map<std::uint64_t, std::string> asked;  // ack id -> event name
        // Each event goes out twice: without and with an ack id. The name is JSON text.
        auto add_event = [&](const std::string& name, const std::string& args) {
          const auto data = "[" + name + args + "]";
          parts.push_back({codec::sio_text(2, "/", std::nullopt, data)});
          const auto id = client->next_id();
          asked[id] = name;
          parts.push_back({codec::sio_text(2, "/", id, data)});
        };
        for (const auto& n : kPropertyNames)
          add_event(json_string(n), ",1");
        add_event(R"("message\u0000")", R"(,"nul")");
        add_event(R"("message-with-ack\u0000x")", R"(,"nul")");
        add_event(R"("\ud800")", R"(,"lone surrogate")");
        add_event(R"("message\udfff\ud800")", R"(,"lone surrogates")");
        add_event(json_string("__proto__"), R"(,{"__proto__":{"polluted":true}})");
        add_event(json_string("constructor"), R"(,"prototype","polluted")");
        parts.push_back({R"(2["message","after"])"});
        send_in_groups(c, *client, parts);
        bool found = false;
        const auto before = until(
            *client, [](const SioReceived& r) { return r.text == R"(2["message-back","after"])"; },
            Ms(3000), found);
        std::string wrong;
        std::string empty_acks;
        for (const auto& r : before) {
          const bool ack = r.packet.type == 3 && r.packet.nsp == "/" && r.packet.id &&
                           asked.contains(*r.packet.id);
          if (ack && r.packet.data == "[]") {
            empty_acks += (empty_acks.empty() ? "" : ", ") + text::printable(asked[*r.packet.id]) +
                          " (" + r.text + ")";
          } else {
            wrong += (wrong.empty() ? "" : " | ") + text::printable(shown(r), {.max = 200});
          }
        }
        if (!found)
          wrong += std::string(wrong.empty() ? "" : " | ") +
                   "no message-back for the message "
                   "sent after them (" +
                   (client->closed() ? "the connection ended: " + client->end_reason()
                                     : "nothing within 3000 ms") +
                   ")";
        expect_unharmed(c, *bystander);
        const std::string expected = "nothing before message-back for the message sent after them";
        c.check(wrong.empty(), "answers to the events", expected,
                wrong.empty() ? "nothing" : wrong);
        if (!empty_acks.empty())
          c.alternative("answers to the events", expected, "empty acks for " + empty_acks);
      });

  add(out,
      {.id = "sio/names/5",
       .title = "Rooms named like object properties, or empty, are rooms like any other",
       .requirement = "Rooms named __proto__, constructor, toString, hasOwnProperty, valueOf, "
                      "the empty name and a 10000-character name MUST behave as any room: empty "
                      "until joined, listed after a join, reached by a broadcast to them (and "
                      "only their members), excluded by except, and left by a leave.",
       .level = Level::must,
       .source = "Socket.IO rooms; " + kContract +
                 " (extended: ctl:join, ctl:sockets, ctl:broadcast; \"\" is a room name)",
       .extended = true},
      [](Context& c) {
        auto a = open_peer(c, "A", Transport::websocket);
        auto b = open_peer(c, "B", Transport::websocket);
        auto s = open_peer(c, "C", Transport::websocket);
        const auto nsp = private_nsp();
        const auto sa = join(c, a, nsp);
        const auto sb = join(c, b, nsp);
        join(c, s, nsp);
        const std::string long_room(10000, 'r');
        const std::vector<std::string> a_rooms{"__proto__",      "constructor", "toString",
                                               "hasOwnProperty", "valueOf",     ""};
        const std::vector<std::string> b_rooms{"constructor", long_room};

        for (const auto& r : {"__proto__", "constructor", "toString", "", long_room.c_str()})
          c.expect_eq("ctl:sockets in " + room_shown(r) + " before any join", "[]",
                      ctl_text(c, s, nsp, "ctl:sockets", room_arg(r)));

        std::vector<std::string> expected_a{sa};
        expected_a.insert(expected_a.end(), a_rooms.begin(), a_rooms.end());
        c.expect_eq("A: ctl:join of the hostile names", sorted_list(expected_a),
                    ctl_text(c, a, nsp, "ctl:join", json_list(a_rooms)));
        c.expect_eq("B: ctl:join [constructor, 10000 r's]",
                    sorted_list({sb, "constructor", long_room}),
                    ctl_text(c, b, nsp, "ctl:join", json_list(b_rooms)));

        const std::vector<std::pair<std::string, std::vector<std::string>>> members{
            {"__proto__", {sa}},      {"constructor", {sa, sb}}, {"toString", {sa}},
            {"hasOwnProperty", {sa}}, {"valueOf", {sa}},         {"", {sa}},
            {long_room, {sb}},        {"isPrototypeOf", {}}};
        for (const auto& [room, who] : members)
          c.expect_eq("ctl:sockets in " + room_shown(room), sorted_list(who),
                      ctl_text(c, s, nsp, "ctl:sockets", room_arg(room)));

        // C broadcasts; A and B each get exactly what the rooms say.
        struct Cast {
          std::string what;
          std::string fields;
          bool to_a;
          bool to_b;
        };
        const std::vector<Cast> casts{
            {"to __proto__", R"("to":"__proto__")", true, false},
            {"to constructor except hasOwnProperty",
             R"("to":"constructor","except":"hasOwnProperty")", false, true},
            {"to [\"\", isPrototypeOf]", R"("to":["","isPrototypeOf"])", true, false},
            {"to the 10000-character room", R"("to":)" + json_string(long_room), false, true},
            {"to valueOf except \"\"", R"("to":"valueOf","except":"")", false, false},
            {"to isPrototypeOf (never joined)", R"("to":"isPrototypeOf")", false, false},
            {"to everyone except constructor", R"("except":"constructor")", false, false}};
        for (std::size_t i = 0; i < casts.size(); ++i) {
          const auto& cast = casts[i];
          const std::string args = R"(["cast-)" + std::to_string(i) + R"("])";
          c.expect_eq("C: ctl:broadcast " + cast.what, R"({"ok":true})",
                      ctl_text(c, s, nsp, "ctl:broadcast",
                               R"({"event":"news","args":)" + args + "," + cast.fields + "}"));
          const std::string packet =
              "2" + prefix(nsp) + R"(["news","cast-)" + std::to_string(i) + R"("])";
          c.expect_eq("A receives the broadcast " + cast.what, cast.to_a ? packet : "nothing",
                      show(fence(c, a, nsp)));
          c.expect_eq("B receives the broadcast " + cast.what, cast.to_b ? packet : "nothing",
                      show(fence(c, b, nsp)));
        }

        c.expect_eq("B: ctl:leave constructor", sorted_list({sb, long_room}),
                    ctl_text(c, b, nsp, "ctl:leave", json_string("constructor")));
        c.expect_eq("ctl:sockets in constructor after B left", sorted_list({sa}),
                    ctl_text(c, s, nsp, "ctl:sockets", room_arg("constructor")));
        c.expect_eq("A: ctl:leave of the hostile names", sorted_list({sa}),
                    ctl_text(c, a, nsp, "ctl:leave", json_list(a_rooms)));
        c.expect_eq("ctl:sockets in __proto__ after A left", "[]",
                    ctl_text(c, s, nsp, "ctl:sockets", room_arg("__proto__")));
        auto bystander = joined(c);
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/names/6",
       .title = "CONNECT payload keys named like object properties are plain data",
       .requirement = "The CONNECT payload is data: keys named __proto__ or constructor MUST NOT "
                      "change what the application reads. /auth (token \"secret\" only) refuses "
                      "{\"__proto__\":{\"token\":\"secret\"}}, "
                      "{\"constructor\":{\"prototype\":{\"token\":\"secret\"}}} and a wrong token "
                      "beside them; accepts \"secret\" beside such keys and hands the payload on "
                      "unchanged; and a later connection with {} is still refused.",
       .level = Level::must,
       .source = kContract + " (extended: /auth); prototype pollution (CWE-1321)",
       .extended = true},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = c.open_sio(Transport::websocket);
        const std::string refused =
            R"(4/auth,{"message":"unauthorized","data":{"reason":"bad token"}})";
        for (const std::string auth :
             {R"({"__proto__":{"token":"secret"}})",
              R"({"constructor":{"prototype":{"token":"secret"}}})",
              R"({"token":"nope","__proto__":{"token":"secret"}})",
              R"({"__proto__":{"__proto__":{"token":"secret"}},"toString":"secret"})"}) {
          const auto id = client->connect("/auth", auth, Ms(3000));
          c.check(!id && client->last(), "CONNECT to /auth with " + auth, refused,
                  id ? "accepted (sid " + *id + ")" : "no answer");
          c.expect_eq("CONNECT to /auth with " + auth, refused, client->last()->text);
        }
        const std::string good =
            R"({"token":"secret","__proto__":{"token":"nope"},"constructor":null,)"
            R"("toString":1,"hasOwnProperty":"x","valueOf":[],"\ud800":"lone"})";
        const auto id = client->connect("/auth", good, Ms(3000));
        c.check(id.has_value(), "CONNECT to /auth with " + good, "0/auth,{\"sid\":...}",
                client->last() ? client->last()->text : "no answer");
        expect_next(c, *client, "the auth event", "2/auth,[\"auth\"," + good + "]");

        auto later = c.open_sio(Transport::websocket);
        const auto again = later->connect("/auth", "{}", Ms(3000));
        c.check(!again && later->last(), "a later connection's CONNECT to /auth with {}", refused,
                again ? "accepted (sid " + *again + ")" : "no answer");
        c.expect_eq("a later connection's CONNECT to /auth with {}", refused, later->last()->text);
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/names/7",
       .title = "Keys named like object properties in event data come back as data",
       .requirement = "Event arguments are data: objects with keys __proto__, constructor, "
                      "toString, hasOwnProperty and valueOf MUST come back from the echo exactly "
                      "as sent, and must not change what later events see.",
       .level = Level::must,
       .source = kContract + " (message echoed as message-back); prototype pollution (CWE-1321)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = joined(c);
        const std::string data =
            R"({"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},)"
            R"("toString":"x","hasOwnProperty":1,"valueOf":null})";
        client->send(R"(2["message",)" + data + "]");
        expect_next(c, *client, "echo", R"(2["message-back",)" + data + "]");
        client->send(R"(2["message",{}])");
        expect_next(c, *client, "echo of {} afterwards", R"(2["message-back",{}])");
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/names/8",
       .title = "Keys named like object methods around attachments come back as data",
       .requirement = "Binary event arguments are data: an object with own keys hasOwnProperty, "
                      "toString, constructor and valueOf, some holding attachments, MUST come back "
                      "from the echo with the same keys and attachments, and the connection stays "
                      "open (socket.io-parser before 4.1.2 called the object's own hasOwnProperty "
                      "while rebuilding it, and closed the connection).",
       .level = Level::must,
       .source = kContract + " (binary arguments echoed at any depth); socket.io-parser 4.1.2",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        expect_binary_echo(
            c, R"({"hasOwnProperty":1,"toString":{"_placeholder":true,"num":0},)"
               R"("constructor":{"valueOf":{"_placeholder":true,"num":1}},"valueOf":"x"})");
      });

  add(out,
      {.id = "sio/names/9",
       .title = "A __proto__ key holding an attachment comes back as data",
       .requirement = "An object whose own key __proto__ holds an attachment SHOULD come back from "
                      "the echo with that key and its attachment (socket.io 4.8 drops the key "
                      "when it writes the binary packet, leaving an attachment no placeholder "
                      "names).",
       .level = Level::should,
       .source = kContract + " (binary arguments echoed at any depth); socket.io-parser",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        expect_binary_echo(c, R"({"__proto__":{"_placeholder":true,"num":0},"constructor":{"b":)"
                              R"({"_placeholder":true,"num":1}}})");
      });

  add(out,
      {.id = "sio/names/10",
       .title = "Packets for namespaces named like object properties close or are ignored",
       .requirement = "EVENT, BINARY_EVENT, ACK, BINARY_ACK and DISCONNECT packets for a namespace "
                      "the client never joined, named /__proto__, /constructor, /toString, "
                      "/hasOwnProperty or /valueOf, MUST NOT be dispatched: socket.io 4.8 closes "
                      "the connection; ignoring the packet is an allowed alternative; the server "
                      "keeps serving everyone else.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S3: any packet but CONNECT for a namespace the client is "
                 "not in closes the connection)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const auto one = bytes({1, 2, 3});
        const std::vector<std::pair<std::string, std::vector<Part>>> inputs{
            {"EVENT on /__proto__", {{R"(2/__proto__,["message","x"])"}}},
            {"EVENT with ack id on /constructor", {{R"(2/constructor,7["message-with-ack","x"])"}}},
            {"BINARY_EVENT on /toString",
             {{R"(51-/toString,["message",{"_placeholder":true,"num":0}])"}, {one, true}}},
            {"ACK on /hasOwnProperty", {{"3/hasOwnProperty,0[]"}}},
            {"BINARY_ACK on /__proto__",
             {{R"(61-/__proto__,0[{"_placeholder":true,"num":0}])"}, {one, true}}},
            {"DISCONNECT on /valueOf", {{"1/valueOf,"}}}};
        std::vector<std::unique_ptr<SioClient>> clients;
        for (std::size_t i = 0; i < inputs.size(); ++i)
          clients.push_back(joined(c));
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          auto parts = inputs[i].second;
          parts.push_back({R"(2["message","probe"])"});
          send_all(*clients[i], parts);
        }
        std::string wrong;
        std::string ignored;
        const auto deadline = Clock::now() + c.prompt(bystander->eio());
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          auto& client = *clients[i];
          bool probed = false;
          const auto left =
              std::max(Ms(0), std::chrono::duration_cast<Ms>(deadline - Clock::now()));
          const auto before = until(
              client, [](const SioReceived& r) { return r.text == R"(2["message-back","probe"])"; },
              left, probed);
          const auto& what = inputs[i].first;
          if (!before.empty()) {
            wrong += (wrong.empty() ? "" : "; ") + what + ": answered " + show_all(before);
          } else if (client.closed()) {
            c.check(true, "after " + what, "the connection closes",
                    "closed: " + client.end_reason());
          } else if (probed) {
            ignored += (ignored.empty() ? "" : "; ") + what;
          } else {
            wrong += (wrong.empty() ? "" : "; ") + what +
                     ": neither closed nor answering message within " +
                     std::to_string(c.prompt(bystander->eio()).count()) + " ms";
          }
        }
        expect_unharmed(c, *bystander);
        const std::string expected = "each connection closed, with no answer";
        c.check(wrong.empty(), "the connections that sent the packets", expected,
                wrong.empty() ? "no answers" : wrong);
        if (!ignored.empty())
          c.alternative("the connections that sent the packets", expected,
                        "ignored (message still answered) after: " + ignored);
      });
}

}  // namespace conform::cases
