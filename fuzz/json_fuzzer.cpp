// JSON: inspecting never crashes; the canonical form is recognised as canonical and is stable.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sio/wire/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace json = sio::wire::json;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto inspection = json::inspect(text);
  if (!inspection.valid) return 0;
  const auto once = json::canonical(text);
  const auto check = json::inspect(once);
  // The kind stays, except that a number too large for a double is Infinity, written null.
  const bool infinity = inspection.kind == json::Kind::number && once == "null";
  if (!check.valid || !check.canonical || (check.kind != inspection.kind && !infinity))
    std::abort();
  if (inspection.canonical != (once == text)) std::abort();
  if (json::canonical(once) != once) std::abort();
  return 0;
}
