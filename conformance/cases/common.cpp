#include "common.hpp"

namespace conform::cases {

HttpResponse http(Context& c, std::string method, std::string target, std::string body,
                  Headers headers) {
  auto r = c.loop().request(
      {std::move(method), std::move(target), std::move(headers), std::move(body)}, Ms(5000));
  if (!r)
    c.fail("an HTTP answer", "a response within 5000 ms", "none (connection failed or timed out)");
  return *r;
}

HttpResponse get_eio(Context& c, const std::string& query) {
  return http(c, "GET", c.eio() + "?" + query);
}

int error_code_of(const HttpResponse& r) {
  auto json = codec::parse_json(r.body);
  if (!json || !json->is_object() || !json->contains("code") ||
      !(*json)["code"].is_number_integer())
    return -1;
  return (*json)["code"].get<int>();
}

void expect_error(Context& c, const HttpResponse& r, int status, int code, std::string_view what) {
  const std::string observed = std::to_string(r.status) + " " + r.body;
  c.check(r.status == status && error_code_of(r) == code, std::string(what),
          std::to_string(status) + " {\"code\":" + std::to_string(code) + ",\"message\":...}",
          observed);
}

std::string visible(std::string_view bytes) {
  return text::printable(bytes, {.max = bytes.size()});
}

std::string shown(const HttpResponse& r) {
  return std::to_string(r.status) +
         (r.body.empty() ? " (empty body)" : " " + text::printable(r.body, {.max = 600}));
}

void expect_alive(Context& c, EioSession& before) {
  before.send("4still-here");
  const auto p = c.expect_packet(before, Ms(3000), "echo on a session opened before");
  c.expect_eq("echo on a session opened before", "4still-here", describe(p));
  const auto r = c.loop().request({"GET", c.eio() + "?EIO=4&transport=polling", {}, {}}, Ms(3000));
  c.check(r && r->status == 200 && r->body.starts_with("0{"), "a new handshake", "200 0{...}",
          r ? shown(*r) : "no answer");
}

std::string describe(const codec::EioPacket& p) {
  if (p.binary) return "binary " + std::to_string(p.data.size()) + " bytes";
  return std::string(1, p.type) + p.data;
}

std::string describe(const EioEvent& e) {
  return e.kind == EioEvent::Kind::closed ? "(ended: " + e.how + ")" : describe(e.packet);
}

std::string json_string(std::string_view text) {
  return codec::dump(codec::Json(std::string(text)));
}

}  // namespace conform::cases
