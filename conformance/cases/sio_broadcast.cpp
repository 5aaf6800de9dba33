// sio/broadcast: who receives a broadcast (rooms, except, includeSelf, dedupe, private rooms),
// what they receive (text and binary, in order, before the sender's ack), broadcasts with acks,
// and the volatile and compress flags; cases 19-26 cross every flag (rooms, except, includeSelf,
// volatile, compress) with binary arguments and with acks whose answers hold binary, on a dynamic
// namespace and on /custom. Each case runs in a namespace of its own (/dyn-N with a random N), so
// that "every other socket of the namespace" means the case's own clients only; the /custom one
// uses rooms of its own.
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "areas.hpp"
#include "common.hpp"
#include "peers.hpp"
#include "siocheck/codec/bin.hpp"

namespace conform::cases {

namespace {

using codec::Json;

// Clients A, B, C... on the given transports. Cases put the clients a check is about on the
// transport under test and the others on WebSocket, which costs a loaded machine the least (a
// polling client answers each ping with a POST of its own, after re-issuing its GET). The
// WebSocket clients are opened first, so that the polling sessions live the shortest.
std::vector<Peer> open_peers(Context& c, const std::vector<Transport>& transports) {
  std::vector<Peer> out(transports.size());
  for (bool ws_pass : {true, false})
    for (std::size_t i = 0; i < transports.size(); ++i)
      if ((transports[i] == Transport::websocket) == ws_pass)
        out[i] = open_peer(c, std::string(1, static_cast<char>('A' + i)), transports[i]);
  return out;
}

// For cases about who receives what rather than about a transport: WebSocket, with the second
// client upgraded from polling. Polling clients are the variants' business (cases 1, 9 and 17):
// on a loaded machine a polling client is the first to miss a 200 ms pong deadline.
std::vector<Peer> open_mixed(Context& c, int n) {
  std::vector<Transport> ts;
  for (int i = 0; i < n; ++i)
    ts.push_back(i == 1 ? Transport::upgrade : Transport::websocket);
  return open_peers(c, ts);
}

// The first `on_case` clients on the case's transport, the rest on WebSocket.
std::vector<Peer> open_variant(Context& c, int n, int on_case) {
  std::vector<Transport> ts;
  for (int i = 0; i < n; ++i)
    ts.push_back(i < on_case ? c.transport() : Transport::websocket);
  return open_peers(c, ts);
}

// A Socket.IO packet and its attachments, without two POSTs in flight.
void send_with_attachments(Peer& p, const std::string& sio_text,
                           const std::vector<std::string>& attachments) {
  if (p.io->eio().current() == Transport::websocket) {
    p.io->send(sio_text);
    for (const auto& a : attachments)
      p.io->send_binary(a);
    return;
  }
  std::vector<std::string> records{"4" + sio_text};
  for (const auto& a : attachments)
    records.push_back("b" + codec::base64_encode(a));
  p.io->eio().send_batch(records);
}

// Joins every client to `nsp` at once (CONNECTs first, then the answers), taking the auth events.
void join_all(Context& c, std::vector<Peer>& ps, const std::string& nsp) {
  for (auto& p : ps)
    p.io->send(codec::sio_text(0, nsp));
  for (auto& p : ps) {
    auto reply = take(
        p,
        [&](const SioReceived& r) {
          return r.packet.nsp == nsp && (r.packet.type == 0 || r.packet.type == 4);
        },
        Ms(3000));
    auto json = reply ? codec::parse_json(reply->packet.data) : std::nullopt;
    if (!reply || reply->packet.type != 0 || !json || !json->is_object() ||
        !json->contains("sid") || !(*json)["sid"].is_string())
      c.fail(p.name + " joins " + nsp, "0" + prefix(nsp) + "{\"sid\":...}",
             reply ? reply->text : why_none(p, Ms(3000)));
    p.sid[nsp] = (*json)["sid"].get<std::string>();
    auto auth = take(
        p, [&](const SioReceived& r) { return r.packet.nsp == nsp && event_name(r) == "auth"; },
        Ms(3000));
    if (!auth)
      c.fail(p.name + ": auth event on " + nsp, "2" + prefix(nsp) + "[\"auth\",{}]",
             why_none(p, Ms(3000)));
  }
}

void expect_ok(Context& c, const Json& answer, const std::string& what) {
  c.expect_eq(what, R"({"ok":true})", codec::dump(answer));
}

// Control events on several clients at once: sends them all, then takes each answer.
std::vector<Json> ctl_all(Context& c, std::vector<Peer>& ps, const std::vector<int>& who,
                          std::string_view nsp, std::string_view event,
                          const std::vector<std::string>& args) {
  std::vector<std::uint64_t> ids;
  for (std::size_t i = 0; i < who.size(); ++i)
    ids.push_back(emit(ps[who[i]], nsp, event, args.size() == 1 ? args[0] : args[i]));
  std::vector<Json> out;
  for (std::size_t i = 0; i < who.size(); ++i) {
    auto& p = ps[who[i]];
    const std::string what = p.name + ": " + std::string(event) + " on " + std::string(nsp);
    out.push_back(ack_argument(c, await_ack(c, p, nsp, ids[i], Ms(3000), what), what));
  }
  return out;
}

// Everything that reached each client before the answer to its ctl:fence on `nsp` (the fences
// go out together), taken out of the inboxes.
std::vector<std::vector<SioReceived>> fence_all(Context& c, std::vector<Peer>& ps,
                                                const std::vector<int>& who, std::string_view nsp) {
  std::vector<std::uint64_t> ids;
  for (int i : who)
    ids.push_back(emit(ps[i], nsp, "ctl:fence", ""));
  std::vector<std::vector<SioReceived>> out;
  for (std::size_t k = 0; k < who.size(); ++k) {
    auto& p = ps[who[k]];
    await_ack(c, p, nsp, ids[k], Ms(3000), p.name + ": ctl:fence on " + std::string(nsp));
    out.emplace_back(std::make_move_iterator(p.inbox.begin()),
                     std::make_move_iterator(p.inbox.end()));
    p.inbox.clear();
  }
  return out;
}

std::vector<SioReceived> fence(Context& c, Peer& p, std::string_view nsp) {
  const auto id = emit(p, nsp, "ctl:fence", "");
  await_ack(c, p, nsp, id, Ms(3000), p.name + ": ctl:fence on " + std::string(nsp));
  std::vector<SioReceived> out(std::make_move_iterator(p.inbox.begin()),
                               std::make_move_iterator(p.inbox.end()));
  p.inbox.clear();
  return out;
}

std::vector<SioReceived> named(const std::vector<SioReceived>& list, std::string_view event) {
  std::vector<SioReceived> out;
  for (const auto& r : list)
    if (event_name(r) == event) out.push_back(r);
  return out;
}

// After the broadcast's ack: each client received `event` exactly as expected (text and
// attachments, as show() writes them), once; or, where the expected text is empty, not at all.
// Proven with fences (sent together).
void expect_deliveries(Context& c, std::vector<Peer>& ps, std::string_view nsp,
                       std::string_view event, const std::vector<std::string>& expected) {
  std::vector<int> who;
  for (std::size_t i = 0; i < ps.size(); ++i)
    who.push_back(static_cast<int>(i));
  const auto got = fence_all(c, ps, who, nsp);
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const auto mine = named(got[i], event);
    const std::string what = ps[i].name + " received before its fence";
    if (expected[i].empty())
      c.expect_eq(what, "nothing", show(mine));
    else
      c.expect_eq(what, expected[i] + " (once)",
                  mine.size() == 1 ? show(mine) + " (once)" : show(mine));
  }
}

std::string event_text(std::string_view nsp, std::string_view data,
                       std::optional<std::uint64_t> id = {}) {
  return codec::sio_text(2, nsp, id, data);
}

std::string json_list(std::vector<std::string> items, bool sort) {
  if (sort) std::sort(items.begin(), items.end());
  Json a = Json::array();
  for (auto& i : items)
    a.push_back(i);
  return codec::dump(a);
}

// Answers a broadcast's event: `p` waits for `event` on `nsp` (with an ack id) and answers it with
// `answer_inner` (the ack's arguments without brackets); returns the event as received.
SioReceived answer_event(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                         std::optional<std::string> answer_inner) {
  auto got = take(
      p, [&](const SioReceived& r) { return r.packet.nsp == nsp && event_name(r) == event; },
      Ms(3000));
  if (!got) c.fail(p.name + " receives " + std::string(event), "the event", why_none(p, Ms(3000)));
  c.check(got->packet.id.has_value(), p.name + ": " + std::string(event) + " asks for an ack",
          "2" + prefix(nsp) + "<id>[\"" + std::string(event) + "\",...]", show(*got));
  if (answer_inner)
    send_all(p, {codec::sio_text(3, nsp, got->packet.id, "[" + *answer_inner + "]")});
  return *got;
}

const std::string kS28 = "socket.io 4.8 observed (S28); Socket.IO rooms and broadcasting";
const std::string kContract = "fixture contract (extended), ctl:broadcast";

// The cases about who receives a broadcast, all of one shape: clients A, B, C... join the case's
// namespace and some rooms; A asks for broadcasts; fences prove who received each, and how often.
struct WhoReceives {
  CaseInfo info;
  int clients = 3;
  int on_case = 0;  // clients on the case's transport (the rest on WebSocket); 0: open_mixed
  std::vector<std::pair<int, std::string>> joins;  // client -> a room or a list of rooms (JSON)
  struct Broadcast {
    std::string request;  // ctl:broadcast's argument; "@C" stands for C's socket id
    std::string event;
    std::vector<std::string> received;  // each client's EVENT data, or "" for nothing
  };
  std::vector<Broadcast> broadcasts;
};

void who_receives(Context& c, const WhoReceives& row) {
  const auto nsp = private_nsp();
  auto ps = row.on_case ? open_variant(c, row.clients, row.on_case) : open_mixed(c, row.clients);
  join_all(c, ps, nsp);
  if (!row.joins.empty()) {
    std::vector<int> who;
    std::vector<std::string> rooms;
    for (const auto& [i, room] : row.joins) {
      who.push_back(i);
      rooms.push_back(room);
    }
    ctl_all(c, ps, who, nsp, "ctl:join", rooms);
  }
  for (std::size_t k = 0; k < row.broadcasts.size(); ++k) {
    const auto& b = row.broadcasts[k];
    auto request = b.request;
    if (const auto at = request.find("\"@C\""); at != std::string::npos)
      request.replace(at, 4, json_string(ps[2].sid[nsp]));
    expect_ok(
        c, ctl(c, ps[0], nsp, "ctl:broadcast", request),
        "A's ctl:broadcast ack" + (row.broadcasts.size() > 1 ? " #" + std::to_string(k + 1) : ""));
    std::vector<std::string> expected;
    for (const auto& data : b.received)
      expected.push_back(data.empty() ? "" : event_text(nsp, data));
    expect_deliveries(c, ps, nsp, b.event, expected);
  }
}

const std::vector<WhoReceives> kWhoReceives{
    {.info = {.id = "sio/broadcast/1",
              .title = "A broadcast to a room reaches its other members only",
              .requirement = "A broadcast from a socket to a room (socket.to(room)) MUST reach "
                             "every other member of the room exactly once, and MUST NOT reach the "
                             "sender (although it is a member) nor sockets outside the room.",
              .source = kS28,
              .transports = kAllTransports,
              .extended = true},
     .on_case = 2,  // A sends, B in r with A, C outside
     .joins = {{0, R"("r")"}, {1, R"("r")"}},
     .broadcasts = {{R"({"event":"news","args":["hi",1],"to":["r"]})",
                     "news",
                     {"", R"(["news","hi",1])", ""}}}},
    {.info = {.id = "sio/broadcast/2",
              .title = "A broadcast without rooms reaches every other socket of the namespace",
              .requirement = "socket.broadcast.emit MUST reach every other socket of the namespace "
                             "exactly once, and not the sender.",
              .source = kS28,
              .extended = true},
     .broadcasts = {{R"({"event":"all","args":[{"k":[true,null]}]})",
                     "all",
                     {"", R"(["all",{"k":[true,null]}])", R"(["all",{"k":[true,null]}])"}}}},
    {.info = {.id = "sio/broadcast/3",
              .title = "includeSelf reaches every socket of the namespace, the sender too",
              .requirement = "A namespace-wide broadcast (io.of(nsp).emit) MUST reach every socket "
                             "of the namespace exactly once, the one that asked for it included.",
              .source = "Socket.IO emit cheatsheet (io.emit); " + kContract,
              .extended = true},
     .broadcasts = {{R"({"event":"all","args":[],"includeSelf":true})",
                     "all",
                     {R"(["all"])", R"(["all"])", R"(["all"])"}}}},
    {.info = {.id = "sio/broadcast/4",
              .title = "includeSelf with a room reaches its members, the sender too",
              .requirement =
                  "io.of(nsp).to(room).emit MUST reach every member of the room exactly once, the "
                  "sender included when it is a member, and no socket outside the room.",
              .source = "Socket.IO emit cheatsheet (io.to(room).emit); " + kContract,
              .extended = true},
     .joins = {{0, R"("r")"}, {2, R"("r")"}},  // A and C in r, B outside
     .broadcasts = {{R"({"event":"news","args":["x"],"to":["r"],"includeSelf":true})",
                     "news",
                     {R"(["news","x"])", "", R"(["news","x"])"}}}},
    {.info = {.id = "sio/broadcast/5",
              .title = "except leaves a room out",
              .requirement = "Sockets in an except room MUST NOT receive the broadcast, whether it "
                             "targets every socket or some rooms; the others MUST receive it once.",
              .source = "socket.io 4.8 BroadcastOperator.except; " + kContract,
              .extended = true},
     .joins = {{1, R"(["r","x"])"}, {2, R"("r")"}},  // A sends; B in r and x; C in r
     // Every other socket except x: C only. Then room r except x: C again, not B (in both).
     .broadcasts = {{R"({"event":"one","args":[],"except":["x"]})", "one", {"", "", R"(["one"])"}},
                    {R"({"event":"two","args":[],"to":["r"],"except":"x"})",
                     "two",
                     {"", "", R"(["two"])"}}}},
    {.info = {.id = "sio/broadcast/6",
              .title = "A socket in several target rooms receives the broadcast once",
              .requirement =
                  "A broadcast to several rooms MUST reach each socket of their union exactly "
                  "once, even one that is in several of the rooms, and no socket in none of them.",
              .source = "socket.io 4.8 in-memory adapter (each socket once); " + kS28,
              .extended = true},
     .clients = 4,  // A sends (in r1); B in r1+r2; C in r2; D in none
     .joins = {{0, R"("r1")"}, {1, R"(["r1","r2"])"}, {2, R"("r2")"}},
     .broadcasts = {{R"({"event":"multi","args":[7],"to":["r1","r2"]})",
                     "multi",
                     {"", R"(["multi",7])", R"(["multi",7])", ""}}}},
    {.info = {.id = "sio/broadcast/7",
              .title = "A socket's own id is a room: a private message",
              .requirement = "Every socket is in the room named by its id: a broadcast to that "
                             "room MUST reach that socket only.",
              .source = "Socket.IO rooms (each socket joins the room of its id); " + kS28,
              .extended = true},
     .broadcasts = {{R"({"event":"dm","args":["for C"],"to":["@C"]})",
                     "dm",
                     {"", "", R"(["dm","for C"])"}}}},
};

// ---- Cases 19-26: the broadcast flags with binary arguments and with acks ----

// A packet shown whole: its text, then each attachment; one longer than 32 bytes by its size and
// a checksum, so that long attachments compare byte for byte too.
std::string exact(std::string_view text, const std::vector<std::string>& attachments) {
  std::string out(text);
  for (const auto& a : attachments) {
    if (a.size() <= 32) {
      out += " " + text::attachment(a);
      continue;
    }
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a
    for (const unsigned char b : a)
      h = (h ^ b) * 1099511628211ull;
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>(h));
    out += " <" + std::to_string(a.size()) + " bytes, fnv-1a " + digits + ">";
  }
  return out;
}

std::string exact(const SioReceived& r) {
  return exact(r.text, r.attachments);
}

std::string exact(const std::vector<SioReceived>& list) {
  if (list.empty()) return "nothing";
  std::string out;
  for (const auto& r : list)
    out += (out.empty() ? "" : " | ") + exact(r);
  return out;
}

// Arguments with binary ({"$bin": base64}, as the fixture contract writes it): one attachment,
// two beside text, two nested in an object, and a long one (past compression thresholds).
const std::string kOneBin = R"([{"$bin":"AQID"}])";
const std::string kTwoBins = R"([{"$bin":"AP8="},"mid",{"$bin":"gA=="}])";
const std::string kNestedBins = R"([{"a":[1,{"b":{"$bin":"3q2+7w=="}}],"c":{"$bin":"AQ=="}}])";

std::string long_bins() {
  std::string bytes(2000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(i * 7 % 251);
  return R"([{"$bin":")" + codec::base64_encode(bytes) + R"("},{"$bin":"/g=="}])";
}

// What a recipient of `event` with the request's `args` must receive, shown whole: a
// BINARY_EVENT whose placeholders are numbered in order of appearance (depth first), the
// attachment count in its header, the attachments in that order; with the ack id `id` if any.
std::string expected_event(std::string_view nsp, std::string_view event, const std::string& args,
                           std::optional<std::uint64_t> id) {
  std::vector<std::string> attachments;
  auto data = codec::to_placeholders(*codec::parse_json(args), attachments);
  data.insert(data.begin(), Json(event));
  return exact(codec::sio_text(5, nsp, id, codec::dump(data), static_cast<int>(attachments.size())),
               attachments);
}

// The rooms of these cases: A (the sender) in r1; B in r1 and r2; C in r2 and x; D in x.
void join_layout(Context& c, std::vector<Peer>& ps, const std::string& nsp) {
  join_all(c, ps, nsp);
  ctl_all(c, ps, {0, 1, 2, 3}, nsp, "ctl:join",
          {R"("r1")", R"(["r1","r2"])", R"(["r2","x"])", R"("x")"});
}

// A ctl:broadcast with binary arguments and the clients that must receive it.
struct FlagBroadcast {
  std::string fields;     // the request's fields besides "event" and "args"
  std::string args;       // with {"$bin": base64}
  std::string receivers;  // "BC": each of them once, the others not at all
};

struct FlagCase {
  CaseInfo info;
  std::vector<FlagBroadcast> broadcasts;
  bool may_drop = false;  // volatile: a recipient that got nothing is an allowed alternative
};

// A asks for each broadcast in turn; after each, fences prove who received it, how often, and
// that what came is the whole BINARY_EVENT. Cases with variants put B (a recipient of every
// broadcast) on the case's transport. A volatile broadcast that a recipient did not get (its
// transport was busy, with a ping for instance) is asked for again, up to three times in all,
// before the drop is reported as the allowed alternative.
void flag_broadcasts(Context& c, const FlagCase& row) {
  const auto nsp = private_nsp();
  auto ps = row.info.transports.empty()
                ? open_mixed(c, 4)
                : open_peers(c, {Transport::websocket, c.transport(), Transport::websocket,
                                 Transport::websocket});
  join_layout(c, ps, nsp);
  for (std::size_t k = 0; k < row.broadcasts.size(); ++k) {
    const auto& b = row.broadcasts[k];
    const std::string shown_fields = b.fields.empty() ? "no rooms" : b.fields;
    for (int attempt = 1;; ++attempt) {
      const std::string event =
          "bin" + std::to_string(k + 1) + (attempt > 1 ? "-" + std::to_string(attempt) : "");
      expect_ok(c,
                ctl(c, ps[0], nsp, "ctl:broadcast",
                    R"({"event":")" + event + R"(","args":)" + b.args +
                        (b.fields.empty() ? "" : "," + b.fields) + "}"),
                "A's ctl:broadcast ack (" + event + ": " + shown_fields + ")");
      const auto got = fence_all(c, ps, {0, 1, 2, 3}, nsp);
      const auto expected = expected_event(nsp, event, b.args, std::nullopt);
      std::vector<std::string> dropped;
      for (std::size_t i = 0; i < ps.size(); ++i) {
        const auto mine = named(got[i], event);
        const std::string what =
            ps[i].name + " received " + event + " (" + shown_fields + ") before its fence";
        // A header whose attachments had not all come when the fence's ack did: a packet cut in
        // two (socket.io 4.1-4.2 sent volatile binary broadcasts' headers without attachments).
        if (const auto& cut = ps[i].io->incomplete())
          c.fail(what, "whole packets only",
                 exact(*cut) + " (then the fence's ack; " +
                     std::to_string(cut->packet.attachments -
                                    static_cast<int>(cut->attachments.size())) +
                     " attachment(s) missing)");
        if (b.receivers.find(static_cast<char>('A' + i)) == std::string::npos)
          c.expect_eq(what, "nothing", exact(mine));
        else if (mine.empty() && row.may_drop)
          dropped.push_back(ps[i].name);
        else
          c.expect_eq(what, expected + " (once)",
                      mine.size() == 1 ? exact(mine) + " (once)" : exact(mine));
      }
      if (dropped.empty()) break;
      if (attempt == 3)
        c.alternative(dropped.front() + " received " + event + " (" + shown_fields + ")",
                      expected + " (once)",
                      "nothing, three times (a volatile packet may be dropped)");
    }
  }
}

// Takes `event` on `nsp` at `p`: it must be exactly the BINARY_EVENT for `args`, with an ack id
// (whichever the server chose for this socket). Returns that id.
std::uint64_t take_binary_ask(Context& c, Peer& p, std::string_view nsp, std::string_view event,
                              const std::string& args) {
  auto got = take(
      p, [&](const SioReceived& r) { return r.packet.nsp == nsp && event_name(r) == event; },
      Ms(3000));
  const std::string what = p.name + " receives " + std::string(event) + " with an ack id";
  const auto shape = "5N-" + prefix(nsp) + "<id>[" + json_string(event) + ",...]";
  if (!got) c.fail(what, shape, why_none(p, Ms(3000)));
  if (!got->packet.id) c.fail(what, shape, exact(*got));
  c.expect_eq(what, expected_event(nsp, event, args, got->packet.id), exact(*got));
  return *got->packet.id;
}

// Answers the server's ack request `id` with `args` (JSON, with {"$bin"}): an ACK, or a
// BINARY_ACK with its attachments when the arguments hold binary.
void answer_ack(Peer& p, std::string_view nsp, std::uint64_t id, const std::string& args) {
  std::vector<std::string> attachments;
  const auto data = codec::to_placeholders(*codec::parse_json(args), attachments);
  send_with_attachments(p,
                        codec::sio_text(attachments.empty() ? 3 : 6, nsp, id, codec::dump(data),
                                        static_cast<int>(attachments.size())),
                        attachments);
}

// A report of ctl:broadcast-with-ack with its responses sorted (they come in any order).
Json sorted_responses(Json report) {
  if (report.is_object() && report.contains("responses") && report["responses"].is_array()) {
    auto& list = report["responses"];
    std::sort(list.begin(), list.end(),
              [](const Json& a, const Json& b) { return codec::dump(a) < codec::dump(b); });
  }
  return report;
}

// The sender's ack must carry `expected` (binary as {"$bin"}; responses in any order): binary
// responses as real attachments of a BINARY_ACK, one per placeholder, numbered in order.
void expect_report(Context& c, const SioReceived& ack, const std::string& expected,
                   const std::string& what) {
  const auto arg = ack_argument(c, ack, what);
  const auto resolved = codec::with_binary(arg, ack.attachments);
  std::vector<std::string> again;
  const bool numbered = codec::to_placeholders(resolved, again) == arg &&
                        again == ack.attachments &&
                        (ack.packet.type == 6) == !ack.attachments.empty();
  c.check(numbered, what + ": attachments",
          "a BINARY_ACK with one attachment per placeholder, numbered in order (an ACK without "
          "binary)",
          exact(ack));
  c.expect_eq(what, codec::dump(sorted_responses(*codec::parse_json(expected))),
              codec::dump(sorted_responses(resolved)));
}

// After a broadcast with an ack has been answered: no client received `event` (again).
void expect_no_more(Context& c, std::vector<Peer>& ps, std::string_view nsp,
                    std::string_view event) {
  std::vector<int> who;
  for (std::size_t i = 0; i < ps.size(); ++i)
    who.push_back(static_cast<int>(i));
  const auto got = fence_all(c, ps, who, nsp);
  for (std::size_t i = 0; i < ps.size(); ++i)
    c.expect_eq(ps[i].name + " received " + std::string(event) + " (again) before its fence",
                "nothing", exact(named(got[i], event)));
}

}  // namespace

void add_sio_broadcast(std::vector<Case>& out) {
  for (const auto& row : kWhoReceives)
    add(out, row.info, [&row](Context& c) { who_receives(c, row); });

  add(out,
      {.id = "sio/broadcast/8",
       .title = "The broadcast is sent before the sender's ack",
       .requirement =
           "Packets to one socket MUST arrive in the order the server sent them: a broadcast "
           "emitted by a handler before it acknowledges arrives before the ack at the sender "
           "(includeSelf), and has reached the other recipients' queues by then.",
       .level = Level::must,
       .source = "fixture contract (ctl:broadcast: the emit happens before the ack)",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);  // A and B in r, C outside
        join_all(c, ps, nsp);
        ctl_all(c, ps, {0, 1}, nsp, "ctl:join", {R"("r")"});
        const auto id = emit(ps[0], nsp, "ctl:broadcast",
                             R"({"event":"first","args":[],"to":["r"],"includeSelf":true})");
        std::vector<SioReceived> order;
        const auto deadline = Clock::now() + Ms(3000);
        while (Clock::now() < deadline) {
          auto got = ps[0].io->next(std::chrono::duration_cast<Ms>(deadline - Clock::now()));
          if (!got) break;
          order.push_back(*got);
          if (is_ack(*got, nsp, id)) break;
        }
        const auto text = event_text(nsp, R"(["first"])");
        const auto ack = codec::sio_text(3, nsp, id, R"([{"ok":true}])");
        c.expect_eq("what A received, in order", text + " | " + ack, show(order));
        expect_deliveries(c, ps, nsp, "first", {"", text, ""});
      });

  add(out,
      {.id = "sio/broadcast/9",
       .title = "Binary arguments reach the recipients as attachments",
       .requirement = "A broadcast whose arguments hold binary MUST reach each recipient as a "
                      "BINARY_EVENT with placeholders numbered depth-first and the attachments in "
                      "that order, byte for byte.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Packet encoding (BINARY_EVENT); " + kContract,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_variant(c, 3, 2);  // A sends, B and C in r with A
        join_all(c, ps, nsp);
        ctl_all(c, ps, {0, 1, 2}, nsp, "ctl:join", {R"("r")"});
        expect_ok(
            c,
            ctl(c, ps[0], nsp, "ctl:broadcast",
                R"({"event":"bin","args":["x",{"$bin":"AQID"},{"n":[{"$bin":"BAU="}]}],"to":["r"]})"),
            "A's ctl:broadcast ack");
        const auto text =
            "52-" + prefix(nsp) +
            R"(["bin","x",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])" +
            " <01 02 03> <04 05>";
        expect_deliveries(c, ps, nsp, "bin", {"", text, text});
      });

  add(out,
      {.id = "sio/broadcast/10",
       .title = "A broadcast does not cross namespaces",
       .requirement =
           "A broadcast MUST reach sockets of its own namespace only: neither the other namespaces "
           "of a recipient's connection nor a room of the same name in another namespace.",
       .level = Level::must,
       .source = "Socket.IO namespaces (rooms and broadcasts are per namespace)",
       .extended = true},
      [](Context& c) {
        const auto one = private_nsp();
        auto two = private_nsp();
        while (two == one)
          two = private_nsp();
        auto ps = open_mixed(c, 3);  // A: one; B: one and two (in r on two); C: two (in r)
        join(c, ps[0], one);
        join(c, ps[1], one);
        join(c, ps[1], two);
        join(c, ps[2], two);
        ctl_all(c, ps, {1, 2}, two, "ctl:join", {R"("r")"});
        expect_ok(c, ctl(c, ps[0], one, "ctl:broadcast", R"({"event":"all","args":[]})"),
                  "A's first ctl:broadcast ack");
        expect_ok(c,
                  ctl(c, ps[0], one, "ctl:broadcast", R"({"event":"room","args":[],"to":["r"]})"),
                  "A's second ctl:broadcast ack");
        // B: "all" once, on `one` only; nothing for r. C: nothing.
        auto b = fence(c, ps[1], two);
        auto b_more = fence(c, ps[1], one);
        b.insert(b.end(), b_more.begin(), b_more.end());
        auto b_got = named(b, "all");
        auto b_room = named(b, "room");
        b_got.insert(b_got.end(), b_room.begin(), b_room.end());
        c.expect_eq("B received (both namespaces)", event_text(one, R"(["all"])"), show(b_got));
        auto c_all = fence(c, ps[2], two);
        auto c_got = named(c_all, "all");
        auto c_room = named(c_all, "room");
        c_got.insert(c_got.end(), c_room.begin(), c_room.end());
        c.expect_eq("C received", "nothing", show(c_got));
      });

  add(out,
      {.id = "sio/broadcast/11",
       .title = "A broadcast with an ack gathers each recipient's first argument",
       .requirement = "A broadcast that asks for acks MUST send every recipient an EVENT with an "
                      "ack id, and report the first argument of each recipient's ack, one per "
                      "recipient, once all have answered.",
       .level = Level::must,
       .source = "socket.io 4.8 broadcast with ack (S29); fixture contract, ctl:broadcast-with-ack",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);
        join_all(c, ps, nsp);
        const auto id = emit(ps[0], nsp, "ctl:broadcast-with-ack",
                             R"({"event":"q","args":[1,"two"],"timeoutMs":5000})");
        std::vector<std::string> expected;
        for (int i : {1, 2}) {
          const std::string me = "from-" + std::string(1, static_cast<char>('A' + i));
          const auto got = answer_event(c, ps[i], nsp, "q", json_string(me) + ",\"extra\"");
          c.expect_eq(ps[i].name + " received", event_text(nsp, R"(["q",1,"two"])", got.packet.id),
                      got.text);
          expected.push_back(me);
        }
        const auto ack =
            await_ack(c, ps[0], nsp, id, Ms(3000), "A's ctl:broadcast-with-ack answer");
        const auto answer = ack_argument(c, ack, "A's ctl:broadcast-with-ack answer");
        std::vector<std::string> responses;
        bool shape = answer.is_object() && answer.size() == 2 && answer.contains("ok") &&
                     answer["ok"] == true && answer.contains("responses") &&
                     answer["responses"].is_array();
        if (shape)
          for (const auto& r : answer["responses"]) {
            if (!r.is_string())
              shape = false;
            else
              responses.push_back(r.get<std::string>());
          }
        c.check(shape, "A's answer", R"({"ok":true,"responses":[two strings]})",
                codec::dump(answer));
        c.expect_eq("responses (sorted)", json_list(expected, true), json_list(responses, true));
        c.expect_eq("A received", "nothing", show(named(fence(c, ps[0], nsp), "q")));
      });

  add(out,
      {.id = "sio/broadcast/12",
       .title = "A broadcast with an ack uses one ack id for every recipient",
       .requirement = "A broadcast that asks for acks SHOULD give every recipient the same ack id "
                      "(socket.io 4.8 encodes the packet once); a server that numbers each "
                      "recipient's acks on its own departs from socket.io 4.8.",
       .level = Level::should,
       .source = "socket.io 4.8 observed (S29: one id for all recipients)",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);
        join_all(c, ps, nsp);
        // An emit-with-ack to B alone first, so that per-socket counters would differ.
        const auto warm =
            emit(ps[1], nsp, "ctl:emit-with-ack", R"({"event":"w","args":[],"timeoutMs":3000})");
        answer_event(c, ps[1], nsp, "w", std::string(""));
        await_ack(c, ps[1], nsp, warm, Ms(3000), "B's ctl:emit-with-ack answer");
        const auto id = emit(ps[0], nsp, "ctl:broadcast-with-ack",
                             R"({"event":"q","args":[],"timeoutMs":5000})");
        std::string ids;
        std::set<std::uint64_t> distinct;
        for (int i : {1, 2}) {
          const auto got = answer_event(c, ps[i], nsp, "q", std::string("0"));
          ids += (ids.empty() ? "" : ", ") + ps[i].name + ": " + std::to_string(*got.packet.id);
          distinct.insert(*got.packet.id);
        }
        await_ack(c, ps[0], nsp, id, Ms(3000), "A's ctl:broadcast-with-ack answer");
        c.check(distinct.size() == 1, "ack ids of the recipients", "one id for all", ids);
      });

  add(out,
      {.id = "sio/broadcast/13",
       .title = "A broadcast with an ack times out with the answers it got",
       .requirement =
           "When some recipients do not answer within the timeout, the broadcast MUST report the "
           "timeout (not earlier) together with the answers that came in time.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S29); fixture contract, ctl:broadcast-with-ack",
       .extended = true,
       .timing = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);
        join_all(c, ps, nsp);
        const Ms timeout(600);
        const auto start = Clock::now();
        const auto id =
            emit(ps[0], nsp, "ctl:broadcast-with-ack",
                 R"({"event":"q","args":[],"timeoutMs":)" + std::to_string(timeout.count()) + "}");
        answer_event(c, ps[1], nsp, "q", std::string(R"("from-B")"));
        answer_event(c, ps[2], nsp, "q", std::nullopt);
        const auto limit = timeout + c.prompt(ps[0].io->eio());
        const auto ack = await_ack(c, ps[0], nsp, id, limit + Ms(2000), "A's answer");
        const auto took = std::chrono::duration_cast<Ms>(Clock::now() - start);
        c.expect_eq("A's answer", R"({"ok":false,"error":"timeout","responses":["from-B"]})",
                    codec::dump(ack_argument(c, ack, "A's answer")));
        c.check(
            took >= timeout - c.tolerance() && took <= limit, "answered after",
            std::to_string(timeout.count()) + " ms (at most " + std::to_string(limit.count()) + ")",
            std::to_string(took.count()) + " ms");
      });

  add(out,
      {.id = "sio/broadcast/14",
       .title = "A broadcast with an ack to nobody answers at once",
       .requirement = "A broadcast that asks for acks and has no recipient MUST complete at once "
                      "with no answers, without waiting for its timeout.",
       .level = Level::must,
       .source = "socket.io 4.8 broadcastWithAck (no recipient: [] at once)",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);
        join_all(c, ps, nsp);
        const auto start = Clock::now();
        const auto id = emit(ps[0], nsp, "ctl:broadcast-with-ack",
                             R"({"event":"q","args":[],"to":["empty-room"],"timeoutMs":10000})");
        const auto limit = c.prompt(ps[0].io->eio());
        const auto ack = await_ack(c, ps[0], nsp, id, limit, "A's answer");
        const auto took = std::chrono::duration_cast<Ms>(Clock::now() - start);
        c.expect_eq("A's answer", R"({"ok":true,"responses":[]})",
                    codec::dump(ack_argument(c, ack, "A's answer")));
        c.check(took <= limit, "answered after", "at most " + std::to_string(limit.count()) + " ms",
                std::to_string(took.count()) + " ms");
        expect_deliveries(c, ps, nsp, "q", {"", "", ""});
      });

  add(out,
      {.id = "sio/broadcast/15",
       .title = "A binary ack to a broadcast stays binary",
       .requirement =
           "A recipient MAY answer a broadcast with a BINARY_ACK; the server MUST rebuild its "
           "attachments, and the fixture's report carries them as real attachments (BINARY_ACK).",
       .level = Level::must,
       .source = "Socket.IO v5 specification, BINARY_ACK; fixture contract, ctl:broadcast-with-ack",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);
        join_all(c, ps, nsp);
        const std::string to = json_string(ps[1].sid[nsp]);
        const auto id = emit(ps[0], nsp, "ctl:broadcast-with-ack",
                             R"({"event":"q","args":[],"to":[)" + to + R"(],"timeoutMs":5000})");
        const auto got = answer_event(c, ps[1], nsp, "q", std::nullopt);
        send_with_attachments(
            ps[1], codec::sio_text(6, nsp, got.packet.id, R"([{"_placeholder":true,"num":0}])", 1),
            {std::string("\x09\x08", 2)});
        const auto ack = await_ack(c, ps[0], nsp, id, Ms(3000), "A's answer");
        c.expect_eq("A's answer",
                    "61-" + prefix(nsp) + std::to_string(id) +
                        R"([{"ok":true,"responses":[{"_placeholder":true,"num":0}]}])" + " <09 08>",
                    show(ack));
        c.expect_eq("C received", "nothing", show(named(fence(c, ps[2], nsp), "q")));
      });

  add(out,
      {.id = "sio/broadcast/16",
       .title = "A volatile broadcast reaches idle WebSocket clients",
       .requirement =
           "A volatile packet MAY be dropped for a recipient that is not writable, but a WebSocket "
           "recipient with nothing in flight is writable: socket.io 4.8 delivers it (recorded).",
       .level = Level::may,
       .source = "socket.io 4.8 volatile flag; Socket.IO rooms and broadcasting",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_peers(c, {Transport::websocket, Transport::websocket, Transport::websocket});
        join_all(c, ps, nsp);
        expect_ok(
            c, ctl(c, ps[0], nsp, "ctl:broadcast", R"({"event":"v","args":[1],"volatile":true})"),
            "A's ctl:broadcast ack");
        const auto text = event_text(nsp, R"(["v",1])");
        expect_deliveries(c, ps, nsp, "v", {"", text, text});
      });

  add(out,
      {.id = "sio/broadcast/17",
       .title = "compress:false is accepted and the broadcast still arrives",
       .requirement = "The compress flag only changes how the bytes travel: a broadcast with "
                      "compress false MUST be accepted and MUST reach its recipients unchanged.",
       .level = Level::must,
       .source = "socket.io 4.8 compress flag; " + kContract,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_variant(c, 3, 2);
        join_all(c, ps, nsp);
        const std::string big(1500, 'z');  // past the 1024-byte compression threshold
        expect_ok(c,
                  ctl(c, ps[0], nsp, "ctl:broadcast",
                      R"({"event":"plain","args":[")" + big + R"("],"compress":false})"),
                  "A's ctl:broadcast ack");
        const auto text = event_text(nsp, R"(["plain",")" + big + R"("])");
        expect_deliveries(c, ps, nsp, "plain", {"", text, text});
      });

  add(out,
      {.id = "sio/broadcast/18",
       .title = "Consecutive broadcasts arrive in order",
       .requirement = "Packets the server sends one socket MUST arrive in the order sent: three "
                      "broadcasts in a row reach each recipient in that order.",
       .level = Level::must,
       .source = "Engine.IO v4 specification (ordered transports); " + kS28,
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 3);
        join_all(c, ps, nsp);
        for (int n = 1; n <= 3; ++n)
          expect_ok(c,
                    ctl(c, ps[0], nsp, "ctl:broadcast",
                        R"({"event":"seq","args":[)" + std::to_string(n) + "]}"),
                    "A's ctl:broadcast ack " + std::to_string(n));
        const auto expected = event_text(nsp, R"(["seq",1])") + " | " +
                              event_text(nsp, R"(["seq",2])") + " | " +
                              event_text(nsp, R"(["seq",3])");
        const auto got = fence_all(c, ps, {1, 2}, nsp);
        for (int i : {0, 1})
          c.expect_eq(ps[i + 1].name + " received, in order", expected, show(named(got[i], "seq")));
      });

  // Cases 19-22: who receives a broadcast with binary arguments, for each flag (join_layout's
  // rooms: A the sender in r1; B in r1 and r2; C in r2 and x; D in x).
  static const std::vector<FlagCase> kFlagCases{
      {.info = {.id = "sio/broadcast/19",
                .title = "Binary broadcasts to one or several rooms reach each member once",
                .requirement =
                    "A broadcast with binary arguments to one or several rooms MUST reach every "
                    "other socket in at least one of them exactly once, as a BINARY_EVENT whose "
                    "header counts its attachments and whose attachments follow in placeholder "
                    "order, byte for byte; it MUST NOT reach the sender nor sockets in none of "
                    "the rooms.",
                .source = "Socket.IO v5 specification, BINARY_EVENT; " + kS28,
                .transports = kAllTransports,
                .extended = true},
       .broadcasts = {{R"("to":"r1")", kOneBin, "B"},
                      {R"("to":["r1","r2"])", kTwoBins, "BC"},
                      {R"("to":["r2","x"])", kNestedBins, "BCD"}}},
      {.info = {.id = "sio/broadcast/20",
                .title = "except leaves rooms out of binary broadcasts",
                .requirement =
                    "A binary broadcast with except rooms MUST NOT reach the sockets in any of "
                    "them, even those also in a target room, and MUST reach each other recipient "
                    "once with all of its attachments.",
                .source = "socket.io 4.8 BroadcastOperator.except; " + kContract,
                .extended = true},
       .broadcasts = {{R"("except":"x")", kNestedBins, "B"},
                      {R"("to":["r2"],"except":["x"])", kTwoBins, "B"},
                      {R"("to":["r2","x"],"except":"r1")", kOneBin, "CD"}}},
      {.info = {.id = "sio/broadcast/21",
                .title = "includeSelf binary broadcasts reach the sender too",
                .requirement =
                    "A namespace-level binary broadcast (io.of(nsp), io.of(nsp).to(rooms)."
                    "except(rooms)) MUST reach its recipients, the sender among them when it is "
                    "targeted, each exactly once with all of its attachments in order, and no "
                    "other socket.",
                .source = "Socket.IO emit cheatsheet (io.to(room).emit); " + kContract,
                .extended = true},
       .broadcasts = {{R"("includeSelf":true)", kNestedBins, "ABCD"},
                      {R"("to":["r1","r2"],"except":"x","includeSelf":true)", kTwoBins, "AB"},
                      {R"("to":"x","includeSelf":true)", kOneBin, "CD"}}},
      {.info = {.id = "sio/broadcast/22",
                .title = "compress and volatile binary broadcasts arrive whole",
                .requirement =
                    "The compress flag MUST NOT change what a binary broadcast delivers, and a "
                    "volatile one MAY be dropped for a recipient but never in part: each "
                    "recipient gets the whole BINARY_EVENT with every attachment, once (socket.io "
                    "4.8 delivers to idle WebSocket clients), and non-recipients nothing.",
                .source = "socket.io 4.8 compress and volatile flags; socket.io 4.3.0 and "
                          "socket.io-adapter 2.3.3 changelogs (volatile binary packets lost their "
                          "attachments); " +
                          kContract,
                .extended = true},
       .broadcasts = {{R"("to":["r2","x"],"compress":true)", long_bins(), "BCD"},
                      {R"("except":"r1","compress":false)", long_bins(), "CD"},
                      {R"("to":["r1","x"],"volatile":true)", kTwoBins, "BCD"}},
       .may_drop = true},  // only the volatile one, which comes last, can be dropped
  };
  for (const auto& row : kFlagCases)
    add(out, row.info, [&row](Context& c) { flag_broadcasts(c, row); });

  add(out,
      {.id = "sio/broadcast/23",
       .title = "A binary broadcast with an ack to several rooms gathers text and binary answers",
       .requirement =
           "A broadcast with binary arguments that asks for acks MUST reach each socket of the "
           "rooms' union once, as a BINARY_EVENT with an ack id, and report each recipient's first "
           "ack argument once all have answered: a BINARY_ACK answer's binary as a real "
           "attachment of the report (a BINARY_ACK to the sender).",
       .level = Level::must,
       .source = "socket.io 4.8 broadcast with ack (S29); Socket.IO v5 specification, "
                 "BINARY_ACK; fixture contract, ctl:broadcast-with-ack",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        // B (in r1 and r2, answering with binary) on the case's transport.
        auto ps = open_peers(
            c, {Transport::websocket, c.transport(), Transport::websocket, Transport::websocket});
        join_layout(c, ps, nsp);
        const auto id =
            emit(ps[0], nsp, "ctl:broadcast-with-ack",
                 R"({"event":"q","args":)" + kTwoBins + R"(,"to":["r1","r2"],"timeoutMs":5000})");
        const auto b = take_binary_ask(c, ps[1], nsp, "q", kTwoBins);
        const auto cc = take_binary_ask(c, ps[2], nsp, "q", kTwoBins);
        answer_ack(ps[1], nsp, b, R"([{"$bin":"sAs="}])");
        answer_ack(ps[2], nsp, cc, R"(["from-C"])");
        const auto ack =
            await_ack(c, ps[0], nsp, id, Ms(3000), "A's ctl:broadcast-with-ack answer");
        expect_report(c, ack, R"({"ok":true,"responses":[{"$bin":"sAs="},"from-C"]})",
                      "A's ctl:broadcast-with-ack answer");
        expect_no_more(c, ps, nsp, "q");
      });

  add(out,
      {.id = "sio/broadcast/24",
       .title = "An includeSelf binary broadcast with an ack and except: the sender answers too",
       .requirement =
           "A namespace-level broadcast with an ack (io.of(nsp).to(rooms).except(rooms)) MUST "
           "reach the sender when it is targeted, as any recipient, and report the first argument "
           "only of each answer: a first argument with binary keeps its bytes (and only its "
           "own), a text first argument stays text.",
       .level = Level::must,
       .source = "socket.io 4.8 broadcast with ack (the ack callback's first argument); fixture "
                 "contract, ctl:broadcast-with-ack",
       .extended = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        auto ps = open_mixed(c, 4);
        join_layout(c, ps, nsp);
        // r1 or x but not r2: A (the sender) and D; B and C are in r2.
        const auto id = emit(ps[0], nsp, "ctl:broadcast-with-ack",
                             R"({"event":"q","args":)" + kNestedBins +
                                 R"(,"to":["r1","x"],"except":"r2","includeSelf":true,)"
                                 R"("timeoutMs":5000})");
        const auto a = take_binary_ask(c, ps[0], nsp, "q", kNestedBins);
        const auto d = take_binary_ask(c, ps[3], nsp, "q", kNestedBins);
        answer_ack(ps[0], nsp, a, R"([{"$bin":"AAE="},{"$bin":"AgM="}])");
        answer_ack(ps[3], nsp, d, R"(["from-D",{"$bin":"BA=="}])");
        const auto ack =
            await_ack(c, ps[0], nsp, id, Ms(3000), "A's ctl:broadcast-with-ack answer");
        expect_report(c, ack, R"({"ok":true,"responses":[{"$bin":"AAE="},"from-D"]})",
                      "A's ctl:broadcast-with-ack answer");
        expect_no_more(c, ps, nsp, "q");
      });

  add(out,
      {.id = "sio/broadcast/25",
       .title = "A binary broadcast with an ack that times out reports the binary answers it got",
       .requirement =
           "When a recipient of a broadcast with an ack (here: every other socket except a room) "
           "does not answer in time, the report MUST be the timeout with the first arguments that "
           "came, binary ones as real attachments (a BINARY_ACK to the sender).",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S29); fixture contract, ctl:broadcast-with-ack",
       .extended = true,
       .timing = true},
      [](Context& c) {
        const auto nsp = private_nsp();
        // WebSocket only: the case waits for the timeout, longer than a client in the middle of
        // an upgrade should have to last.
        auto ps = open_peers(c, std::vector<Transport>(4, Transport::websocket));
        join_layout(c, ps, nsp);
        // Not in r1: C and D. C answers with binary, D not at all.
        const auto id =
            emit(ps[0], nsp, "ctl:broadcast-with-ack",
                 R"({"event":"q","args":)" + kOneBin + R"(,"except":["r1"],"timeoutMs":300})");
        const auto cc = take_binary_ask(c, ps[2], nsp, "q", kOneBin);
        take_binary_ask(c, ps[3], nsp, "q", kOneBin);
        answer_ack(ps[2], nsp, cc, R"([{"$bin":"Cgs="},"more"])");
        const auto ack =
            await_ack(c, ps[0], nsp, id, Ms(3300), "A's ctl:broadcast-with-ack answer");
        expect_report(c, ack, R"({"ok":false,"error":"timeout","responses":[{"$bin":"Cgs="}]})",
                      "A's ctl:broadcast-with-ack answer");
        expect_no_more(c, ps, nsp, "q");
      });

  add(out,
      {.id = "sio/broadcast/26",
       .title = "Binary broadcasts and their acks on /custom carry the namespace",
       .requirement =
           "On a namespace other than /, a binary broadcast (to rooms) and a binary broadcast "
           "with an ack (to one room) MUST reach their recipients as BINARY_EVENTs written with "
           "the namespace (5N-/custom,...), and the sender's report as a BINARY_ACK with it "
           "(6N-/custom,<id>...).",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Packet encoding (namespace); " + kContract,
       .extended = true},
      [](Context& c) {
        const std::string nsp = "/custom";  // shared with other cases: rooms of our own only
        const auto ra = "ra-" + tag();
        const auto rb = "rb-" + tag();
        auto ps = open_mixed(c, 3);  // A in ra; B in ra and rb; C in rb
        join_all(c, ps, nsp);
        ctl_all(c, ps, {0, 1, 2}, nsp, "ctl:join",
                {json_string(ra), "[" + json_string(ra) + "," + json_string(rb) + "]",
                 json_string(rb)});
        expect_ok(c,
                  ctl(c, ps[0], nsp, "ctl:broadcast",
                      R"({"event":"cbin","args":)" + kTwoBins + R"(,"to":[)" + json_string(ra) +
                          "," + json_string(rb) + "]}"),
                  "A's ctl:broadcast ack");
        const auto expected = expected_event(nsp, "cbin", kTwoBins, std::nullopt);
        const auto got = fence_all(c, ps, {0, 1, 2}, nsp);
        c.expect_eq(ps[0].name + " received cbin", "nothing", exact(named(got[0], "cbin")));
        for (int i : {1, 2}) {
          const auto mine = named(got[i], "cbin");
          c.expect_eq(ps[i].name + " received cbin", expected + " (once)",
                      mine.size() == 1 ? exact(mine) + " (once)" : exact(mine));
        }
        const auto id = emit(ps[0], nsp, "ctl:broadcast-with-ack",
                             R"({"event":"cq","args":)" + kNestedBins + R"(,"to":)" +
                                 json_string(rb) + R"(,"timeoutMs":5000})");
        const auto b = take_binary_ask(c, ps[1], nsp, "cq", kNestedBins);
        const auto cc = take_binary_ask(c, ps[2], nsp, "cq", kNestedBins);
        answer_ack(ps[1], nsp, b, R"([{"$bin":"/w=="}])");
        answer_ack(ps[2], nsp, cc, R"(["from-C"])");
        const auto ack =
            await_ack(c, ps[0], nsp, id, Ms(3000), "A's ctl:broadcast-with-ack answer");
        c.expect_eq("A's answer, as written", "61-/custom," + std::to_string(id) + "[...] <ff>",
                    ack.text.substr(0, ack.text.find('[')) + "[...]" +
                        (ack.attachments.size() == 1
                             ? " " + text::attachment(ack.attachments[0])
                             : " (" + std::to_string(ack.attachments.size()) + " attachments)"));
        expect_report(c, ack, R"({"ok":true,"responses":[{"$bin":"/w=="},"from-C"]})",
                      "A's ctl:broadcast-with-ack answer");
        expect_no_more(c, ps, nsp, "cq");
      });
}

}  // namespace conform::cases
