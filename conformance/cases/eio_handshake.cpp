// eio/handshake: opening a session, and the errors for requests that cannot open one.
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

// The open packet of a polling handshake, checked to be one.
codec::Handshake polling_handshake(Context& c,
                                   const std::string& query = "EIO=4&transport=polling") {
  const auto r = get_eio(c, query);
  c.check(r.status == 200 && !r.body.empty() && r.body.front() == '0', "handshake answer",
          "200 and 0{...}", std::to_string(r.status) + " " + r.body);
  auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
  c.check(h.has_value(), "open packet", "a JSON object after the 0", r.body);
  return *h;
}

std::string keys_of(const codec::Handshake& h) {
  std::string out;
  for (const auto& k : h.keys)
    out += (out.empty() ? "" : ",") + k;
  return out;
}

}  // namespace

void add_eio_handshake(std::vector<Case>& out) {
  const std::string spec = "Engine.IO v4 specification, Handshake";
  const std::string errors = "Engine.IO v4 specification, Errors; engine.io 6.6 observed";

  add(out,
      {.id = "eio/handshake/1",
       .title = "The open packet has exactly the five keys",
       .requirement =
           "The open packet MUST be a JSON object with sid, upgrades, pingInterval, pingTimeout "
           "and maxPayload, and no other key (the official suite asserts all.keys).",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto session = c.open_eio();
        const auto keys = keys_of(session->handshake());
        std::vector<std::string> sorted = session->handshake().keys;
        std::sort(sorted.begin(), sorted.end());
        std::string got;
        for (const auto& k : sorted)
          got += (got.empty() ? "" : ",") + k;
        c.check(got == "maxPayload,pingInterval,pingTimeout,sid,upgrades",
                "keys of the open packet", "sid, upgrades, pingInterval, pingTimeout, maxPayload",
                keys);
      });

  add(out,
      {.id = "eio/handshake/2",
       .title = "The open packet's keys come in the specification's order",
       .requirement =
           "The open packet SHOULD list sid, upgrades, pingInterval, pingTimeout and maxPayload in "
           "that order, as the specification and Node's engine.io write it.",
       .level = Level::should,
       .source = spec,
       .transports = kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        // Only the order of the five known keys: extra keys are eio/handshake/1's business.
        std::string order;
        for (const auto& k : h.keys)
          if (k == "sid" || k == "upgrades" || k == "pingInterval" || k == "pingTimeout" ||
              k == "maxPayload")
            order += (order.empty() ? "" : ",") + k;
        c.expect_eq("key order", "sid,upgrades,pingInterval,pingTimeout,maxPayload", order);
      });

  add(out,
      {.id = "eio/handshake/3",
       .title = "The sid is a non-empty string",
       .requirement = "The session id MUST be a non-empty string.",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto session = c.open_eio();
        const auto& json = session->handshake().json;
        c.check(json.contains("sid") && json["sid"].is_string() &&
                    !json["sid"].get<std::string>().empty(),
                "sid", "a non-empty string", codec::dump(json.value("sid", codec::Json())));
      });

  add(out,
      {.id = "eio/handshake/4",
       .title = "The sid needs no escaping in a URL",
       .requirement = "The session id SHOULD use only URL-safe characters (letters, digits, '-', "
                      "'_'): clients put it in the query string as it is.",
       .level = Level::should,
       .source = "engine.io base64id; official clients",
       .transports = kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        const bool safe = std::all_of(h.sid.begin(), h.sid.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
        });
        c.check(safe, "sid characters", "[A-Za-z0-9_-]+", h.sid);
      });

  add(out,
      {.id = "eio/handshake/5",
       .title = "Every handshake gets a sid of its own",
       .requirement = "Two handshakes MUST get two different session ids.",
       .level = Level::must,
       .source = spec},
      [](Context& c) {
        const auto a = polling_handshake(c);
        const auto b = polling_handshake(c);
        c.check(a.sid != b.sid, "two sids", "different", a.sid + " and " + b.sid);
      });

  add(out,
      {.id = "eio/handshake/6",
       .title = "A polling session is offered the upgrade to WebSocket",
       .requirement = "On a polling handshake, upgrades MUST list \"websocket\" when the server "
                      "accepts WebSocket (the fixture contract does).",
       .level = Level::must,
       .source = spec + "; fixture contract",
       .transports = kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        const bool offered =
            std::find(h.upgrades.begin(), h.upgrades.end(), "websocket") != h.upgrades.end();
        c.check(offered, "upgrades", "[\"websocket\"]",
                codec::dump(h.json.value("upgrades", codec::Json())));
      });

  add(out,
      {.id = "eio/handshake/7",
       .title = "A WebSocket session is offered no upgrade",
       .requirement = "On a WebSocket handshake, upgrades MUST be an empty array.",
       .level = Level::must,
       .source = spec,
       .transports = kWebSocket},
      [](Context& c) {
        auto session = c.open_eio();
        const auto& json = session->handshake().json;
        c.check(
            json.contains("upgrades") && json["upgrades"].is_array() && json["upgrades"].empty(),
            "upgrades", "[]", codec::dump(json.value("upgrades", codec::Json())));
      });

  add(out,
      {.id = "eio/handshake/8",
       .title = "Timings and the payload limit are positive integers",
       .requirement = "pingInterval, pingTimeout and maxPayload MUST be positive integers "
                      "(milliseconds, bytes).",
       .level = Level::must,
       .source = spec,
       .transports = kAllTransports},
      [](Context& c) {
        auto session = c.open_eio();
        const auto& json = session->handshake().json;
        for (const char* key : {"pingInterval", "pingTimeout", "maxPayload"}) {
          const bool ok = json.contains(key) && json[key].is_number_integer() &&
                          json[key].get<std::int64_t>() > 0;
          c.check(ok, key, "a positive integer", codec::dump(json.value(key, codec::Json())));
        }
      });

  add(out,
      {.id = "eio/handshake/9",
       .title = "The fixture's advertised settings",
       .requirement =
           "A fixture MAY advertise other settings, but the official suites expect pingInterval "
           "300, pingTimeout 200 and maxPayload 1000000; other values are recorded.",
       .level = Level::may,
       .source = "fixture contract; official suites",
       .transports = kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        const auto got = std::to_string(h.ping_interval) + "/" + std::to_string(h.ping_timeout) +
                         "/" + std::to_string(h.max_payload);
        c.expect_eq("pingInterval/pingTimeout/maxPayload", "300/200/1000000", got);
      });

  add(out,
      {.id = "eio/handshake/10",
       .title = "The polling handshake is text/plain",
       .requirement =
           "The answer to a polling handshake SHOULD have Content-Type text/plain; charset=UTF-8.",
       .level = Level::should,
       .source = "engine.io 6.6 observed"},
      [](Context& c) {
        const auto r = get_eio(c, "EIO=4&transport=polling");
        const auto type = r.header("content-type").value_or("(none)");
        std::string lower = type;
        for (auto& ch : lower)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        c.check(lower.starts_with("text/plain") && lower.find("utf-8") != std::string::npos,
                "Content-Type", "text/plain; charset=UTF-8", type);
      });

  add(out,
      {.id = "eio/handshake/11",
       .title = "The open packet is the first WebSocket frame",
       .requirement =
           "On a WebSocket-only session the server MUST send the open packet as the first frame.",
       .level = Level::must,
       .source = spec,
       .transports = kWebSocket},
      [](Context& c) {
        WebSocket ws(c.loop());
        HttpResponse refused;
        c.check(ws.connect(c.eio() + "?EIO=4&transport=websocket", Ms(5000), &refused),
                "WebSocket upgrade", "101", std::to_string(refused.status) + " " + refused.body);
        auto first = ws.next(Ms(2000));
        const std::string got =
            first ? (first->kind == WsEvent::Kind::text ? first->data : "(binary or close)")
                  : "(nothing)";
        c.check(got.starts_with("0{"), "first frame", "0{\"sid\":...}", got);
      });

  for (const auto& [id, query, shown] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"eio/handshake/12", "transport=polling", "no EIO"},
           {"eio/handshake/13", "EIO=3&transport=polling", "EIO=3"},
           {"eio/handshake/14", "EIO=5&transport=polling", "EIO=5"},
           {"eio/handshake/15", "EIO=abc&transport=polling", "EIO=abc"},
       }) {
    add(out,
        {.id = id,
         .title = "A handshake with " + shown + " is refused with code 5",
         .requirement = "A handshake whose EIO parameter is not 4 (" + shown +
                        ") MUST be refused with HTTP 400 and {\"code\":5,\"message\":\"Unsupported "
                        "protocol version\"}.",
         .level = Level::must,
         .source = errors},
        [query = query, shown = shown](Context& c) {
          expect_error(c, get_eio(c, query), 400, 5, "answer to " + shown);
        });
  }

  add(out,
      {.id = "eio/handshake/16",
       .title = "A handshake without a transport is refused with code 0",
       .requirement = "A request without a transport MUST get 400 with "
                      "{\"code\":0,\"message\":\"Transport unknown\"}.",
       .level = Level::must,
       .source = errors},
      [](Context& c) { expect_error(c, get_eio(c, "EIO=4"), 400, 0, "answer"); });

  add(out,
      {.id = "eio/handshake/17",
       .title = "An unknown transport is refused with code 0",
       .requirement = "A request for an unknown transport MUST get 400 with code 0.",
       .level = Level::must,
       .source = errors},
      [](Context& c) {
        expect_error(c, get_eio(c, "EIO=4&transport=carrier-pigeon"), 400, 0, "answer");
      });

  add(out,
      {.id = "eio/handshake/18",
       .title = "The transport is checked before the version",
       .requirement = "With both a bad transport and a bad version, the answer SHOULD be code 0 "
                      "(Node's engine.io checks the transport first), so that every server answers "
                      "a request with several faults alike.",
       .level = Level::should,
       .source = "engine.io 6.6 observed"},
      [](Context& c) { expect_error(c, get_eio(c, "EIO=3&transport=abc"), 400, 0, "answer"); });

  add(out,
      {.id = "eio/handshake/19",
       .title = "A POST handshake is refused with code 2",
       .requirement = "A handshake MUST be a GET: a POST without a sid gets 400 with "
                      "{\"code\":2,\"message\":\"Bad handshake method\"}.",
       .level = Level::must,
       .source = errors},
      [](Context& c) {
        expect_error(c, http(c, "POST", c.eio() + "?EIO=4&transport=polling", "4hello"), 400, 2,
                     "answer to POST");
      });

  add(out,
      {.id = "eio/handshake/20",
       .title = "A PUT handshake is refused with code 2",
       .requirement = "A PUT without a sid MUST get 400 with code 2.",
       .level = Level::must,
       .source = errors},
      [](Context& c) {
        expect_error(c, http(c, "PUT", c.eio() + "?EIO=4&transport=polling"), 400, 2,
                     "answer to PUT");
      });

  add(out,
      {.id = "eio/handshake/21",
       .title = "transport=websocket on a plain GET is refused with code 3",
       .requirement = "A WebSocket handshake that is not an HTTP upgrade request MUST get 400 with "
                      "{\"code\":3,\"message\":\"Bad request\"}.",
       .level = Level::must,
       .source = errors},
      [](Context& c) {
        expect_error(c, get_eio(c, "EIO=4&transport=websocket"), 400, 3, "answer");
      });

  add(out,
      {.id = "eio/handshake/22",
       .title = "An unknown sid is refused with code 1",
       .requirement = "A request with an unknown sid MUST get 400 with "
                      "{\"code\":1,\"message\":\"Session ID unknown\"}.",
       .level = Level::must,
       .source = errors},
      [](Context& c) {
        expect_error(c, get_eio(c, "EIO=4&transport=polling&sid=no-such-session"), 400, 1,
                     "answer to GET");
        expect_error(
            c, http(c, "POST", c.eio() + "?EIO=4&transport=polling&sid=no-such-session", "4x"), 400,
            1, "answer to POST");
      });

  add(out,
      {.id = "eio/handshake/23",
       .title = "Error answers are JSON",
       .requirement =
           "An error answer to a polling request SHOULD have Content-Type application/json.",
       .level = Level::should,
       .source = "engine.io 6.6 observed"},
      [](Context& c) {
        const auto r = get_eio(c, "EIO=4&transport=nope");
        c.check(r.header("content-type").value_or("").starts_with("application/json"),
                "Content-Type", "application/json", r.header("content-type").value_or("(none)"));
      });

  add(out,
      {.id = "eio/handshake/24",
       .title = "A cache-busting t parameter is ignored",
       .requirement =
           "Clients add t=<random> to defeat caches; the server MUST accept the handshake with it.",
       .level = Level::must,
       .source = "engine.io-client; official suites"},
      [](Context& c) { polling_handshake(c, "EIO=4&transport=polling&t=N8hyd6w"); });

  add(out,
      {.id = "eio/handshake/25",
       .title = "The last of repeated query keys counts",
       .requirement = "When a query key repeats, Node's engine.io uses the last value; a server "
                      "MAY do otherwise (recorded).",
       .level = Level::may,
       .source = "engine.io 6.6 observed (URLSearchParams)"},
      [](Context& c) {
        const auto r = get_eio(c, "EIO=3&transport=abc&EIO=4&transport=polling");
        c.expect_eq("answer", "200", std::to_string(r.status));
      });
}

}  // namespace conform::cases
