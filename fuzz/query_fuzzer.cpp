// Request targets and query strings, as the server reads every request: splitting and parsing
// never fail; the last value of a repeated key wins; the pieces come from the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sio/wire/query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace wire = ::sio::wire;
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const auto parts = wire::split_target(target);
  // The path is where the target starts; the query lies inside the target, before any '#'.
  if (!target.starts_with(parts.path)) std::abort();
  const auto before_hash = target.substr(0, target.find('#'));
  if (!parts.query.empty() && before_hash.find(parts.query) == std::string_view::npos) std::abort();
  if (parts.path.find('?') != std::string_view::npos) std::abort();

  const auto query = wire::Query::parse(parts.query);
  for (const auto& p : query.params()) {
    const auto got = query.get(p.key);
    if (!got) std::abort();
  }
  // The last parameter's key reads back its own value.
  if (!query.params().empty()) {
    const auto& last = query.params().back();
    if (query.get(last.key) != std::string_view(last.value)) std::abort();
  }
  // Text without '%' or '+' decodes to itself; decoding never makes text longer.
  const auto decoded = wire::form_decode(target);
  if (decoded.size() > target.size()) std::abort();
  if (target.find_first_of("%+") == std::string_view::npos && decoded != target) std::abort();
  return 0;
}
