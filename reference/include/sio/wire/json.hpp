// JSON as Socket.IO peers exchange it, without a DOM on the hot path.
//
// Node's JSON.parse and JSON.stringify define what a Socket.IO server echoes, so this module reads
// JSON as JSON.parse does and writes it as JSON.stringify does:
// - valid input is the RFC 8259 grammar with whitespace around values; escapes are decoded to
//   UTF-16 code units, so a lone surrogate escape ("\ud800") is accepted and kept;
// - bytes that are not UTF-8 are accepted and read as U+FFFD, as Node reads an HTTP body (over
//   WebSocket such frames never get here: the glue rejects them with close code 1007);
// - output is compact, strings escape only '"', '\\', control characters and lone surrogates,
//   numbers are written as JavaScript writes doubles, object keys that are array indices come
//   first in ascending order, and a repeated key keeps its first position and its last value.
// "Canonical" text is text that JSON.stringify(JSON.parse(text)) gives back byte for byte; such
// text is used as it is, as slices, and only other text is rewritten.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio::wire::json {

enum class Kind : std::uint8_t { null, boolean, number, string, array, object };

// Deeper nesting is rejected (a named limit, so hostile input cannot exhaust the stack).
inline constexpr std::size_t kMaxDepth = 512;

struct Inspection {
  bool valid = false;
  bool canonical = false;
  Kind kind = Kind::null;
};

// Validates one JSON text and says whether it is canonical. Never throws.
Inspection inspect(std::string_view text) noexcept;

// Appends JSON.stringify(JSON.parse(text)). Precondition: inspect(text).valid.
void canonicalize(std::string_view text, std::string& out);
std::string canonical(std::string_view text);

// The elements of a canonical array, as slices of it. Empty for "[]".
std::vector<std::string_view> elements(std::string_view canonical_array);
// The [key, value] pairs of a canonical object, as slices (keys with their quotes).
std::vector<std::pair<std::string_view, std::string_view>> members(
    std::string_view canonical_object);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF): what a JSON text must be, and what a WebSocket text frame must carry.
bool valid_utf8(std::string_view text) noexcept;

// A JSON string literal for a UTF-8 text, written as JSON.stringify writes it.
void quote_append(std::string_view text, std::string& out);
std::string quote(std::string_view text);
// The text of a JSON string literal, in UTF-8 (a lone surrogate becomes U+FFFD).
std::optional<std::string> unquote(std::string_view literal);

// A number as JavaScript's Number#toString writes it; "null" for NaN and infinities, as
// JSON.stringify writes them.
std::string number(double value);
// The value of a JSON number literal as JSON.parse computes it (overflow gives an infinity).
std::optional<double> parse_number(std::string_view literal);

// Binary placeholders ({"_placeholder":true,"num":N}) of Socket.IO binary packets.
inline constexpr std::string_view kPlaceholderPrefix = R"({"_placeholder":true,"num":)";
// Canonicalizes a binary packet's payload. Every object whose "_placeholder" is true is a
// placeholder: its "num" must be an integer in [0, attachments) or the call fails. Placeholders
// are written canonically and numbered afresh in depth-first order, as socket.io 4.8's encoder
// numbers them; `order[i]` is the attachment that new number i refers to. With `unchecked` (only
// to reproduce socket.io-parser before 4.2.1, CVE-2022-2421) a num is looked up as a JavaScript
// property key: an index, or its digits as a string ("0"), names its attachment, and any other num
// gives null (what JSON makes of the function or undefined that lookup found) instead of failing.
bool canonicalize_binary(std::string_view text, std::size_t attachments, std::string& out,
                         std::vector<std::size_t>& order, bool unchecked = false);
// Rewrites the placeholders of canonical text, in order, to first, first + 1, ...; `order`
// receives the numbers they had. Returns the count.
std::size_t renumber_placeholders(std::string_view canonical_text, std::size_t first,
                                  std::string& out, std::vector<std::size_t>& order);

// A parsed value, for the few places that need one (control events, configuration). Objects keep
// the canonical member order.
class Value {
 public:
  static std::optional<Value> parse(std::string_view text);

  Kind kind() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == Kind::null; }
  bool is_bool() const noexcept { return kind_ == Kind::boolean; }
  bool is_number() const noexcept { return kind_ == Kind::number; }
  bool is_string() const noexcept { return kind_ == Kind::string; }
  bool is_array() const noexcept { return kind_ == Kind::array; }
  bool is_object() const noexcept { return kind_ == Kind::object; }

  bool boolean() const noexcept { return boolean_; }
  double number() const noexcept { return number_; }
  const std::string& string() const noexcept { return text_; }  // decoded text of a string
  const std::vector<Value>& items() const noexcept { return items_; }
  const std::vector<std::pair<std::string, Value>>& members() const noexcept { return members_; }
  const Value* find(std::string_view key) const noexcept;

  // Canonical JSON of this value.
  const std::string& json() const noexcept { return json_; }

 private:
  static Value from_canonical(std::string_view text);

  Kind kind_ = Kind::null;
  bool boolean_ = false;
  double number_ = 0;
  std::string text_;
  std::string json_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

}  // namespace sio::wire::json
