// The query string of an Engine.IO request ("EIO=4&transport=polling&sid=..."), decoded the way
// Node's engine.io reads it (URLSearchParams): '+' is a space, %XX escapes are decoded, a
// malformed escape stays as written, and when a key repeats the last value wins.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::wire {

struct QueryParam {
  std::string key;
  std::string value;
  friend bool operator==(const QueryParam&, const QueryParam&) = default;
};

class Query {
 public:
  Query() = default;
  // `text` is what follows '?' in the request target (without the '?' and without a '#fragment').
  static Query parse(std::string_view text);

  // The last value given for `key`, if any.
  std::optional<std::string_view> get(std::string_view key) const;
  const std::vector<QueryParam>& params() const noexcept { return params_; }

 private:
  std::vector<QueryParam> params_;
};

// Percent-decoding as application/x-www-form-urlencoded does it.
std::string form_decode(std::string_view text);

// Splits a request target ("/engine.io/?EIO=4") into its path and query text.
struct TargetParts {
  std::string_view path;
  std::string_view query;
};
TargetParts split_target(std::string_view target) noexcept;

}  // namespace sio::wire
