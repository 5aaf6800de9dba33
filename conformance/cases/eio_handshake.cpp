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
      {"eio/handshake/1", "The open packet has exactly the five keys",
       "The open packet MUST be a JSON object with sid, upgrades, pingInterval, pingTimeout and "
       "maxPayload, and no "
       "other key (the official suite asserts all.keys).",
       Level::must, spec, kAllTransports},
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
      {"eio/handshake/2", "The open packet's keys come in the specification's order",
       "The open packet SHOULD list sid, upgrades, pingInterval, pingTimeout and maxPayload in "
       "that order, as the "
       "specification and the reference write it.",
       Level::should, spec, kPolling},
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
      {"eio/handshake/3", "The sid is a non-empty string",
       "The session id MUST be a non-empty string.", Level::must, spec, kAllTransports},
      [](Context& c) {
        auto session = c.open_eio();
        const auto& json = session->handshake().json;
        c.check(json.contains("sid") && json["sid"].is_string() &&
                    !json["sid"].get<std::string>().empty(),
                "sid", "a non-empty string", codec::dump(json.value("sid", codec::Json())));
      });

  add(out,
      {"eio/handshake/4", "The sid needs no escaping in a URL",
       "The session id SHOULD use only URL-safe characters (letters, digits, '-', '_'): clients "
       "put it in the query "
       "string as it is.",
       Level::should, "engine.io base64id; official clients", kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        const bool safe = std::all_of(h.sid.begin(), h.sid.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
        });
        c.check(safe, "sid characters", "[A-Za-z0-9_-]+", h.sid);
      });

  add(out,
      {"eio/handshake/5",
       "Every handshake gets a sid of its own",
       "Two handshakes MUST get two different session ids.",
       Level::must,
       spec,
       {}},
      [](Context& c) {
        const auto a = polling_handshake(c);
        const auto b = polling_handshake(c);
        c.check(a.sid != b.sid, "two sids", "different", a.sid + " and " + b.sid);
      });

  add(out,
      {"eio/handshake/6", "A polling session is offered the upgrade to WebSocket",
       "On a polling handshake, upgrades MUST list \"websocket\" when the server accepts WebSocket "
       "(the fixture "
       "contract does).",
       Level::must, spec + "; fixture contract", kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        const bool offered =
            std::find(h.upgrades.begin(), h.upgrades.end(), "websocket") != h.upgrades.end();
        c.check(offered, "upgrades", "[\"websocket\"]",
                codec::dump(h.json.value("upgrades", codec::Json())));
      });

  add(out,
      {"eio/handshake/7", "A WebSocket session is offered no upgrade",
       "On a WebSocket handshake, upgrades MUST be an empty array.", Level::must, spec, kWebSocket},
      [](Context& c) {
        auto session = c.open_eio();
        const auto& json = session->handshake().json;
        c.check(
            json.contains("upgrades") && json["upgrades"].is_array() && json["upgrades"].empty(),
            "upgrades", "[]", codec::dump(json.value("upgrades", codec::Json())));
      });

  add(out,
      {"eio/handshake/8", "Timings and the payload limit are positive integers",
       "pingInterval, pingTimeout and maxPayload MUST be positive integers (milliseconds, bytes).",
       Level::must, spec, kAllTransports},
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
      {"eio/handshake/9", "The fixture's advertised settings",
       "A fixture MAY advertise other settings, but the official suites expect pingInterval 300, "
       "pingTimeout 200 and "
       "maxPayload 1000000; other values are recorded.",
       Level::may, "fixture contract; official suites", kPolling},
      [](Context& c) {
        const auto h = polling_handshake(c);
        const auto got = std::to_string(h.ping_interval) + "/" + std::to_string(h.ping_timeout) +
                         "/" + std::to_string(h.max_payload);
        c.expect_eq("pingInterval/pingTimeout/maxPayload", "300/200/1000000", got);
      });

  add(out,
      {"eio/handshake/10",
       "The polling handshake is text/plain",
       "The answer to a polling handshake SHOULD have Content-Type text/plain; charset=UTF-8.",
       Level::should,
       "engine.io 6.6 observed",
       {}},
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
      {"eio/handshake/11", "The open packet is the first WebSocket frame",
       "On a WebSocket-only session the server MUST send the open packet as the first frame.",
       Level::must, spec, kWebSocket},
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
        {id,
         "A handshake with " + shown + " is refused with code 5",
         "A handshake whose EIO parameter is not 4 (" + shown +
             ") MUST be refused with HTTP 400 and {\"code\":5,\"message\":\"Unsupported protocol "
             "version\"}.",
         Level::must,
         errors,
         {}},
        [query = query, shown = shown](Context& c) {
          expect_error(c, get_eio(c, query), 400, 5, "answer to " + shown);
        });
  }

  add(out,
      {"eio/handshake/16",
       "A handshake without a transport is refused with code 0",
       "A request without a transport MUST get 400 with {\"code\":0,\"message\":\"Transport "
       "unknown\"}.",
       Level::must,
       errors,
       {}},
      [](Context& c) { expect_error(c, get_eio(c, "EIO=4"), 400, 0, "answer"); });

  add(out,
      {"eio/handshake/17",
       "An unknown transport is refused with code 0",
       "A request for an unknown transport MUST get 400 with code 0.",
       Level::must,
       errors,
       {}},
      [](Context& c) {
        expect_error(c, get_eio(c, "EIO=4&transport=carrier-pigeon"), 400, 0, "answer");
      });

  add(out,
      {"eio/handshake/18",
       "The transport is checked before the version",
       "With both a bad transport and a bad version, the answer SHOULD be code 0 (the reference "
       "checks the transport "
       "first), so that every server answers a request with several faults alike.",
       Level::should,
       "engine.io 6.6 observed",
       {}},
      [](Context& c) { expect_error(c, get_eio(c, "EIO=3&transport=abc"), 400, 0, "answer"); });

  add(out,
      {"eio/handshake/19",
       "A POST handshake is refused with code 2",
       "A handshake MUST be a GET: a POST without a sid gets 400 with "
       "{\"code\":2,\"message\":\"Bad handshake "
       "method\"}.",
       Level::must,
       errors,
       {}},
      [](Context& c) {
        expect_error(c, http(c, "POST", c.eio() + "?EIO=4&transport=polling", "4hello"), 400, 2,
                     "answer to POST");
      });

  add(out,
      {"eio/handshake/20",
       "A PUT handshake is refused with code 2",
       "A PUT without a sid MUST get 400 with code 2.",
       Level::must,
       errors,
       {}},
      [](Context& c) {
        expect_error(c, http(c, "PUT", c.eio() + "?EIO=4&transport=polling"), 400, 2,
                     "answer to PUT");
      });

  add(out,
      {"eio/handshake/21",
       "transport=websocket on a plain GET is refused with code 3",
       "A WebSocket handshake that is not an HTTP upgrade request MUST get 400 with "
       "{\"code\":3,\"message\":\"Bad "
       "request\"}.",
       Level::must,
       errors,
       {}},
      [](Context& c) {
        expect_error(c, get_eio(c, "EIO=4&transport=websocket"), 400, 3, "answer");
      });

  add(out,
      {"eio/handshake/22",
       "An unknown sid is refused with code 1",
       "A request with an unknown sid MUST get 400 with {\"code\":1,\"message\":\"Session ID "
       "unknown\"}.",
       Level::must,
       errors,
       {}},
      [](Context& c) {
        expect_error(c, get_eio(c, "EIO=4&transport=polling&sid=no-such-session"), 400, 1,
                     "answer to GET");
        expect_error(
            c, http(c, "POST", c.eio() + "?EIO=4&transport=polling&sid=no-such-session", "4x"), 400,
            1, "answer to POST");
      });

  add(out,
      {"eio/handshake/23",
       "Error answers are JSON",
       "An error answer to a polling request SHOULD have Content-Type application/json.",
       Level::should,
       "engine.io 6.6 observed",
       {}},
      [](Context& c) {
        const auto r = get_eio(c, "EIO=4&transport=nope");
        c.check(r.header("content-type").value_or("").starts_with("application/json"),
                "Content-Type", "application/json", r.header("content-type").value_or("(none)"));
      });

  add(out,
      {"eio/handshake/24",
       "A cache-busting t parameter is ignored",
       "Clients add t=<random> to defeat caches; the server MUST accept the handshake with it.",
       Level::must,
       "engine.io-client; official suites",
       {}},
      [](Context& c) { polling_handshake(c, "EIO=4&transport=polling&t=N8hyd6w"); });

  add(out,
      {"eio/handshake/25",
       "The last of repeated query keys counts",
       "When a query key repeats, the reference uses the last value; a server MAY do otherwise "
       "(recorded).",
       Level::may,
       "engine.io 6.6 observed (URLSearchParams)",
       {}},
      [](Context& c) {
        const auto r = get_eio(c, "EIO=3&transport=abc&EIO=4&transport=polling");
        c.expect_eq("answer", "200", std::to_string(r.status));
      });
}

}  // namespace conform::cases
