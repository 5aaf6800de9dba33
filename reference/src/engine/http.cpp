#include "sio/engine/http.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace sio::engine {

Method method_from_string(std::string_view verb) noexcept {
  static constexpr std::array<std::pair<std::string_view, Method>, 7> kMethods{{
      {"GET", Method::get},
      {"HEAD", Method::head},
      {"POST", Method::post},
      {"PUT", Method::put},
      {"PATCH", Method::patch},
      {"DELETE", Method::del},
      {"OPTIONS", Method::options},
  }};
  for (const auto& [name, method] : kMethods)
    if (name == verb) return method;
  return Method::other;
}

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  auto it =
      std::find_if(headers.begin(), headers.end(), [&](const Header& h) { return h.name == name; });
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->value);
}

HttpResponse& HttpResponse::set(std::string name, std::string value) {
  headers.push_back({std::move(name), std::move(value)});
  return *this;
}

}  // namespace sio::engine
