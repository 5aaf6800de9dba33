// eio/cors: what a browser client needs to reach the server from another origin. Every answer
// names who may read it (errors and held GETs included), and a preflight OPTIONS allows the methods
// and headers the Engine.IO clients and the official browser suite use.
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

namespace {

const std::string kOrigin = "https://siocheck.example";
const std::string kFetch = "Fetch Standard, CORS protocol";
const std::string kContract = "fixture contract (CORS origin *)";

std::string header_or_none(const HttpResponse& r, std::string_view name) {
  return r.header(name).value_or("(none)");
}

std::string lower(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The comma-separated tokens of a header value, trimmed and in lower case.
std::vector<std::string> tokens(std::string_view value) {
  std::vector<std::string> out;
  std::string current;
  auto flush = [&] {
    const auto start = current.find_first_not_of(" \t");
    const auto end = current.find_last_not_of(" \t");
    if (start != std::string::npos) out.push_back(lower(current.substr(start, end - start + 1)));
    current.clear();
  };
  for (const char ch : value) {
    if (ch == ',') {
      flush();
    } else {
      current.push_back(ch);
    }
  }
  flush();
  return out;
}

bool has_token(std::string_view value, std::string_view token) {
  const auto all = tokens(value);
  return std::find(all.begin(), all.end(), lower(std::string(token))) != all.end() ||
         std::find(all.begin(), all.end(), "*") != all.end();
}

// A browser may read the answer: Access-Control-Allow-Origin is * or the request's origin.
void expect_readable(Context& c, const HttpResponse& r, std::string_view what) {
  const auto allow = r.header("access-control-allow-origin");
  c.check(allow && (*allow == "*" || *allow == kOrigin), std::string(what),
          "Access-Control-Allow-Origin: * (or " + kOrigin + ")",
          shown(r) + "; Access-Control-Allow-Origin: " + allow.value_or("(none)"));
}

Headers from_origin(Headers extra = {}) {
  extra.emplace_back("Origin", kOrigin);
  return extra;
}

std::string open_sid(Context& c) {
  const auto r = http(c, "GET", c.eio() + "?EIO=4&transport=polling", "", from_origin());
  c.check(r.status == 200 && r.body.starts_with("0{"), "polling handshake", "200 0{...}", shown(r));
  const auto h = codec::parse_handshake(std::string_view(r.body).substr(1));
  c.check(h.has_value() && !h->sid.empty(), "open packet", "a JSON object with a sid", r.body);
  return h->sid;
}

HttpResponse preflight(Context& c, std::string_view method, std::string_view headers) {
  Headers h = from_origin({{"Access-Control-Request-Method", std::string(method)}});
  if (!headers.empty()) h.emplace_back("Access-Control-Request-Headers", std::string(headers));
  return http(c, "OPTIONS", c.eio() + "?EIO=4&transport=polling", "", h);
}

}  // namespace

void add_eio_cors(std::vector<Case>& out) {
  add(out,
      {.id = "eio/cors/1",
       .title = "The handshake answer may be read from another origin",
       .requirement =
           "A polling handshake from another origin MUST be answered with "
           "Access-Control-Allow-Origin * or that origin, or a browser client cannot read its sid.",
       .level = Level::must,
       .source = kFetch + "; " + kContract},
      [](Context& c) {
        expect_readable(c, http(c, "GET", c.eio() + "?EIO=4&transport=polling", "", from_origin()),
                        "handshake answer");
      });

  add(out,
      {.id = "eio/cors/2",
       .title = "Error answers may be read from another origin",
       .requirement = "An error answer (400 for an unknown transport, 400 for an unknown sid) MUST "
                      "carry Access-Control-Allow-Origin too, so that a browser client sees the "
                      "error rather than a network failure.",
       .level = Level::must,
       .source = kFetch + "; engine.io 6.6 observed (CORS runs before the checks)"},
      [](Context& c) {
        const auto unknown_transport =
            http(c, "GET", c.eio() + "?EIO=4&transport=carrier-pigeon", "", from_origin());
        c.check(unknown_transport.status == 400, "unknown transport", "400",
                shown(unknown_transport));
        expect_readable(c, unknown_transport, "answer to an unknown transport");
        const auto unknown_sid = http(
            c, "GET", c.eio() + "?EIO=4&transport=polling&sid=no-such-session", "", from_origin());
        c.check(unknown_sid.status == 400, "unknown sid", "400", shown(unknown_sid));
        expect_readable(c, unknown_sid, "answer to an unknown sid");
      });

  add(out,
      {.id = "eio/cors/3",
       .title = "A preflight is answered 2xx and allows GET and POST",
       .requirement = "A preflight OPTIONS (Origin, Access-Control-Request-Method) MUST get a 2xx "
                      "answer with Access-Control-Allow-Origin and Access-Control-Allow-Methods "
                      "listing GET and POST, the methods of the polling transport.",
       .level = Level::must,
       .source = kFetch + " (CORS-preflight fetch); engine.io 6.6 observed (E7)"},
      [](Context& c) {
        const auto r = preflight(c, "POST", "");
        c.check(r.status >= 200 && r.status < 300, "preflight status", "2xx (204)", shown(r));
        expect_readable(c, r, "preflight answer");
        const auto methods = r.header("access-control-allow-methods").value_or("");
        c.check(has_token(methods, "GET") && has_token(methods, "POST"),
                "Access-Control-Allow-Methods", "GET and POST among them",
                methods.empty() ? "(none)" : methods);
      });

  add(out,
      {.id = "eio/cors/4",
       .title = "A preflight allows PUT",
       .requirement =
           "The official suite, run in a browser, sends a PUT (expecting 400) and its preflight "
           "must pass first: Access-Control-Allow-Methods SHOULD list PUT as well.",
       .level = Level::should,
       .source = "official Engine.IO test suite (browser run); engine.io 6.6 observed (E7)"},
      [](Context& c) {
        const auto r = preflight(c, "PUT", "");
        c.check(r.status >= 200 && r.status < 300, "preflight status", "2xx (204)", shown(r));
        const auto methods = r.header("access-control-allow-methods").value_or("");
        c.check(has_token(methods, "PUT"), "Access-Control-Allow-Methods", "PUT among them",
                methods.empty() ? "(none)" : methods);
      });

  add(out,
      {.id = "eio/cors/5",
       .title = "A preflight allows the headers the client asks for",
       .requirement = "Access-Control-Allow-Headers in a preflight answer SHOULD allow every "
                      "header named in Access-Control-Request-Headers (clients with extraHeaders "
                      "send their own), for example by reflecting the list.",
       .level = Level::should,
       .source = kFetch + "; engine.io 6.6 observed (E7)"},
      [](Context& c) {
        const auto r = preflight(c, "POST", "content-type,x-siocheck-token");
        const auto allowed = r.header("access-control-allow-headers").value_or("");
        c.check(has_token(allowed, "content-type") && has_token(allowed, "x-siocheck-token"),
                "Access-Control-Allow-Headers", "content-type and x-siocheck-token (or *)",
                allowed.empty() ? "(none)" : allowed);
      });

  add(out,
      {.id = "eio/cors/6",
       .title = "A POST answer may be read from another origin",
       .requirement =
           "The answer to a POST from another origin MUST carry Access-Control-Allow-Origin, or "
           "the browser client reports the send as failed.",
       .level = Level::must,
       .source = kFetch},
      [](Context& c) {
        const auto sid = open_sid(c);
        const auto r = http(c, "POST", c.eio() + "?EIO=4&transport=polling&sid=" + sid, "4cors",
                            from_origin({{"Content-Type", "text/plain;charset=UTF-8"}}));
        c.check(r.status == 200, "POST", "200", shown(r));
        expect_readable(c, r, "POST answer");
      });

  add(out,
      {.id = "eio/cors/7",
       .title = "A held GET's answer may be read from another origin",
       .requirement = "The answer to a long-poll GET, sent when data arrives, MUST carry "
                      "Access-Control-Allow-Origin like an immediate one.",
       .level = Level::must,
       .source = kFetch},
      [](Context& c) {
        const auto sid = open_sid(c);
        const std::string url = c.eio() + "?EIO=4&transport=polling&sid=" + sid;
        auto pending = c.loop().start_request({"GET", url, from_origin(), {}});
        c.loop().run_for(Ms(50));
        http(c, "POST", url, "4held", {{"Content-Type", "text/plain;charset=UTF-8"}});
        const auto r = pending.wait(Ms(3000));
        c.check(r && r->status == 200, "held GET", "200",
                r ? shown(*r) : pending.error().value_or("no answer"));
        expect_readable(c, *r, "held GET's answer");
      });

  add(out,
      {.id = "eio/cors/8",
       .title = "Access-Control-Allow-Origin is * on every answer",
       .requirement = "The fixture contract sets the CORS origin to *: every answer SHOULD carry "
                      "Access-Control-Allow-Origin: *, with an Origin header and without one.",
       .level = Level::should,
       .source = kContract},
      [](Context& c) {
        const auto with = http(c, "GET", c.eio() + "?EIO=4&transport=polling", "", from_origin());
        c.expect_eq("Access-Control-Allow-Origin (request with Origin)", "*",
                    header_or_none(with, "access-control-allow-origin"));
        const auto without = get_eio(c, "EIO=4&transport=polling");
        c.expect_eq("Access-Control-Allow-Origin (request without Origin)", "*",
                    header_or_none(without, "access-control-allow-origin"));
      });

  add(out,
      {.id = "eio/cors/9",
       .title = "A wildcard origin never comes with credentials",
       .requirement = "Browsers refuse Access-Control-Allow-Origin: * together with "
                      "Access-Control-Allow-Credentials: true; a server MUST NOT send both (it "
                      "reflects the origin when it allows credentials).",
       .level = Level::must,
       .source = kFetch + " (CORS check)"},
      [](Context& c) {
        const auto r = http(c, "GET", c.eio() + "?EIO=4&transport=polling", "", from_origin());
        const auto origin = header_or_none(r, "access-control-allow-origin");
        const auto credentials = header_or_none(r, "access-control-allow-credentials");
        c.check(!(origin == "*" && lower(credentials) == "true"), "CORS headers",
                "not * with credentials true",
                "Allow-Origin: " + origin + "; Allow-Credentials: " + credentials);
      });
}

}  // namespace conform::cases
