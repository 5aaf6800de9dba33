#include "sio/wire/query.hpp"

#include <algorithm>
#include <cstddef>

namespace sio::wire {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Query Query::parse(std::string_view text) {
  Query q;
  // A handshake has three parameters and a session request four or five: one allocation for them.
  q.params_.reserve(std::min<std::size_t>(
      static_cast<std::size_t>(std::count(text.begin(), text.end(), '&')) + 1, 8));
  while (!text.empty()) {
    const auto amp = text.find('&');
    const auto pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      q.params_.push_back({form_decode(pair), {}});
    } else {
      q.params_.push_back({form_decode(pair.substr(0, eq)), form_decode(pair.substr(eq + 1))});
    }
  }
  return q;
}

std::optional<std::string_view> Query::get(std::string_view key) const {
  for (auto it = params_.rbegin(); it != params_.rend(); ++it)
    if (it->key == key) return std::string_view(it->value);
  return std::nullopt;
}

TargetParts split_target(std::string_view target) noexcept {
  const auto hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

}  // namespace sio::wire
