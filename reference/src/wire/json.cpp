#include "sio/wire/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_set>

namespace sio::wire::json {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not UTF-8. In that
// case `skip` is the length of the maximal subpart to replace with one U+FFFD (WHATWG decoding).
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::size_t& skip) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  skip = 1;
  if (b0 < 0x80) return 1;
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (std::size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) {
      skip = k;
      return 0;
    }
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < lo || b > hi) {
      skip = k;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return need + 1;
}

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void append_u_escape(std::uint32_t unit, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out.push_back(kHex[(unit >> shift) & 0xF]);
}

// The escape JSON.stringify writes for a code unit below 0x20, '"' or '\\'; empty otherwise.
void append_escaped_unit(std::uint32_t unit, std::string& out) {
  switch (unit) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      append_u_escape(unit, out);
  }
}

// A key that JavaScript orders before the others: the canonical decimal form of 0..2^32-2.
bool array_index(std::string_view key, std::uint64_t& value) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  value = 0;
  for (char c : key) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value <= 4294967294ULL;
}

// One recursive-descent reader for the three jobs: validate, check canonical form, and write the
// canonical form (when `out` is set).
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  bool document(std::string* out, Kind& kind) {
    skip_ws();
    if (!value(out, kind, 0)) return false;
    skip_ws();
    return pos_ == s_.size();
  }
  bool canonical() const { return canonical_; }

  // The decoded text of a string literal (for keys): lone surrogates and bad bytes become U+FFFD.
  static bool decode_string(std::string_view literal, std::string& out) {
    Reader r(literal);
    std::string canonical_form;
    if (!r.string(&canonical_form) || r.pos_ != literal.size()) return false;
    // Turn the canonical literal into plain text: canonical escapes are few and simple.
    out.clear();
    for (std::size_t i = 1; i + 1 < canonical_form.size(); ++i) {
      const char c = canonical_form[i];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char e = canonical_form[++i];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        default: {  // u: a control character or a lone surrogate
          std::uint32_t unit = 0;
          for (int k = 1; k <= 4; ++k)
            unit = unit * 16 + static_cast<std::uint32_t>(hex_value(canonical_form[i + k]));
          i += 4;
          if (unit >= 0xD800 && unit <= 0xDFFF) {
            out += kReplacement;
          } else {
            out.push_back(static_cast<char>(unit));
          }
        }
      }
    }
    return true;
  }

 private:
  void skip_ws() {
    const auto start = pos_;
    while (pos_ < s_.size() && is_ws(s_[pos_]))
      ++pos_;
    if (pos_ != start) canonical_ = false;
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool value(std::string* out, Kind& kind, std::size_t depth) {
    if (pos_ >= s_.size()) return false;
    const auto start = pos_;
    switch (s_[pos_]) {
      case '{':
        kind = Kind::object;
        return object(out, depth + 1);
      case '[':
        kind = Kind::array;
        return array(out, depth + 1);
      case '"':
        kind = Kind::string;
        return string(out);
      case 't':
        kind = Kind::boolean;
        if (!literal("true")) return false;
        break;
      case 'f':
        kind = Kind::boolean;
        if (!literal("false")) return false;
        break;
      case 'n':
        kind = Kind::null;
        if (!literal("null")) return false;
        break;
      default:
        kind = Kind::number;
        return number_token(out);
    }
    if (out) out->append(s_.substr(start, pos_ - start));
    return true;
  }

  bool number_token(std::string* out) {
    const auto start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (s_[pos_] >= '1' && s_[pos_] <= '9') {
      while (pos_ < s_.size() && is_digit(s_[pos_]))
        ++pos_;
    } else {
      return false;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (pos_ >= s_.size() || !is_digit(s_[pos_])) return false;
      while (pos_ < s_.size() && is_digit(s_[pos_]))
        ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !is_digit(s_[pos_])) return false;
      while (pos_ < s_.size() && is_digit(s_[pos_]))
        ++pos_;
    }
    const auto token = s_.substr(start, pos_ - start);
    // Integers without sign, fraction or exponent up to 15 digits are always written back as they
    // are (unless "-0"), so most numbers skip the conversion.
    const bool plain =
        token.size() <= 15 && token.find_first_of(".eE") == std::string_view::npos && token != "-0";
    if (plain) {
      if (out) out->append(token);
      return true;
    }
    const auto value = parse_number(token);
    const std::string written = json::number(value.value_or(0));
    if (written != token) canonical_ = false;
    if (out) out->append(written);
    return true;
  }

  bool string(std::string* out) {
    // s_[pos_] == '"'
    ++pos_;
    if (out) out->push_back('"');
    while (true) {
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        if (out) out->push_back('"');
        return true;
      }
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20) return false;  // raw control characters are not JSON
      if (c == '\\') {
        if (!escape(out)) return false;
        continue;
      }
      std::size_t skip = 0;
      const std::size_t len = utf8_sequence(s_, pos_, skip);
      if (len == 0) {
        canonical_ = false;
        if (out) out->append(kReplacement);
        pos_ += skip;
        continue;
      }
      if (out) out->append(s_.substr(pos_, len));
      pos_ += len;
    }
  }

  bool read_u_escape(std::uint32_t& unit) {
    // at "\u"
    if (pos_ + 6 > s_.size()) return false;
    unit = 0;
    for (std::size_t k = 2; k < 6; ++k) {
      const int h = hex_value(s_[pos_ + k]);
      if (h < 0) return false;
      unit = unit * 16 + static_cast<std::uint32_t>(h);
    }
    return true;
  }

  bool escape(std::string* out) {
    if (pos_ + 1 >= s_.size()) return false;
    const char e = s_[pos_ + 1];
    switch (e) {
      case '"':
      case '\\':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        if (out) out->append(s_.substr(pos_, 2));
        pos_ += 2;
        return true;
      case '/':
        canonical_ = false;
        if (out) out->push_back('/');
        pos_ += 2;
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    std::uint32_t unit = 0;
    if (!read_u_escape(unit)) return false;
    const auto written = s_.substr(pos_, 6);
    pos_ += 6;
    std::string canonical_form;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      // A high surrogate: a pair when a low-surrogate escape follows, else a lone one.
      std::uint32_t low = 0;
      if (pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u' && read_u_escape(low) &&
          low >= 0xDC00 && low <= 0xDFFF) {
        pos_ += 6;
        canonical_ = false;  // a pair is written as the character itself
        if (out) append_utf8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), *out);
        return true;
      }
      append_u_escape(unit, canonical_form);
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      append_u_escape(unit, canonical_form);
    } else if (unit < 0x20 || unit == '"' || unit == '\\') {
      append_escaped_unit(unit, canonical_form);
    } else {
      append_utf8(unit, canonical_form);
    }
    if (canonical_form != written) canonical_ = false;
    if (out) out->append(canonical_form);
    return true;
  }

  bool array(std::string* out, std::size_t depth) {
    if (depth > kMaxDepth) return false;
    ++pos_;  // '['
    if (out) out->push_back('[');
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      if (out) out->push_back(']');
      return true;
    }
    while (true) {
      skip_ws();
      Kind kind;
      if (!value(out, kind, depth)) return false;
      skip_ws();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ',') {
        ++pos_;
        if (out) out->push_back(',');
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        if (out) out->push_back(']');
        return true;
      }
      return false;
    }
  }

  struct Member {
    std::string key;          // decoded text, for ordering and duplicates
    std::string key_literal;  // canonical literal
    std::string value;        // canonical text
    std::uint64_t index = 0;
    bool is_index = false;
  };

  bool object(std::string* out, std::size_t depth) {
    if (depth > kMaxDepth) return false;
    ++pos_;  // '{'
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      if (out) out->append("{}");
      return true;
    }
    // Checking order and duplicates needs the keys; writing needs the members, since JavaScript
    // reorders array-index keys and merges repeated keys.
    std::vector<std::string_view> raw_keys;
    std::vector<Member> members;
    while (true) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') return false;
      const auto key_start = pos_;
      Member m;
      std::string* key_out = out ? &m.key_literal : nullptr;
      if (!string(key_out)) return false;
      raw_keys.push_back(s_.substr(key_start, pos_ - key_start));
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') return false;
      ++pos_;
      skip_ws();
      Kind kind;
      if (!value(out ? &m.value : nullptr, kind, depth)) return false;
      if (out) members.push_back(std::move(m));
      skip_ws();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        break;
      }
      return false;
    }
    if (canonical_) check_key_order(raw_keys);
    if (out) write_object(members, *out);
    return true;
  }

  // Canonical keys are their own decoded form, so comparing the literals is enough here (a
  // non-canonical key has already cleared the flag).
  void check_key_order(const std::vector<std::string_view>& keys) {
    bool seen_name = false;
    bool first = true;
    std::uint64_t last_index = 0;
    for (const auto key : keys) {
      std::uint64_t index = 0;
      if (array_index(key.substr(1, key.size() - 2), index)) {
        if (seen_name || (!first && index <= last_index)) {
          canonical_ = false;
          return;
        }
        last_index = index;
        first = false;
      } else {
        seen_name = true;
      }
    }
    if (keys.size() <= 16) {
      for (std::size_t i = 0; i < keys.size(); ++i)
        for (std::size_t j = i + 1; j < keys.size(); ++j)
          if (keys[i] == keys[j]) {
            canonical_ = false;
            return;
          }
    } else {
      std::unordered_set<std::string_view> seen;
      for (const auto key : keys)
        if (!seen.insert(key).second) {
          canonical_ = false;
          return;
        }
    }
  }

  static void write_object(std::vector<Member>& members, std::string& out) {
    std::vector<Member> merged;
    merged.reserve(members.size());
    for (auto& m : members) {
      decode_string(m.key_literal, m.key);
      m.is_index = array_index(m.key, m.index);
      auto same = std::find_if(merged.begin(), merged.end(),
                               [&](const Member& x) { return x.key_literal == m.key_literal; });
      if (same != merged.end()) {
        same->value = std::move(m.value);  // last value, first position
      } else {
        merged.push_back(std::move(m));
      }
    }
    std::stable_partition(merged.begin(), merged.end(), [](const Member& m) { return m.is_index; });
    const auto names =
        std::find_if(merged.begin(), merged.end(), [](const Member& m) { return !m.is_index; });
    std::sort(merged.begin(), names,
              [](const Member& a, const Member& b) { return a.index < b.index; });
    out.push_back('{');
    for (std::size_t i = 0; i < merged.size(); ++i) {
      if (i) out.push_back(',');
      out += merged[i].key_literal;
      out.push_back(':');
      out += merged[i].value;
    }
    out.push_back('}');
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  bool canonical_ = true;
};

// Skips one canonical value starting at s[i]; returns the index after it.
std::size_t skip_canonical(std::string_view s, std::size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        ++depth;
        break;
      case ']':
      case '}':
        if (depth == 0) return i;  // the end of the enclosing container
        if (--depth == 0) return i + 1;
        break;
      case ',':
      case ':':
        if (depth == 0) return i;
        break;
      default:
        break;
    }
  }
  return i;
}

}  // namespace

Inspection inspect(std::string_view text) noexcept {
  Inspection result;
  try {
    Reader reader(text);
    Kind kind = Kind::null;
    result.valid = reader.document(nullptr, kind);
    result.canonical = result.valid && reader.canonical();
    result.kind = kind;
  } catch (...) {  // only std::bad_alloc is possible
    result = {};
  }
  return result;
}

void canonicalize(std::string_view text, std::string& out) {
  Reader reader(text);
  Kind kind;
  reader.document(&out, kind);
}

std::string canonical(std::string_view text) {
  std::string out;
  canonicalize(text, out);
  return out;
}

std::vector<std::string_view> elements(std::string_view array) {
  std::vector<std::string_view> out;
  if (array.size() < 2) return out;
  std::size_t i = 1;
  while (i < array.size() - 1) {
    const auto end = skip_canonical(array, i);
    out.push_back(array.substr(i, end - i));
    i = end + 1;  // past the ','
  }
  return out;
}

std::vector<std::pair<std::string_view, std::string_view>> members(std::string_view object) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  if (object.size() < 2) return out;
  std::size_t i = 1;
  while (i < object.size() - 1) {
    const auto key_end = skip_canonical(object, i);
    const auto value_end = skip_canonical(object, key_end + 1);
    out.emplace_back(object.substr(i, key_end - i),
                     object.substr(key_end + 1, value_end - key_end - 1));
    i = value_end + 1;
  }
  return out;
}

void quote_append(std::string_view text, std::string& out) {
  out.push_back('"');
  for (std::size_t i = 0; i < text.size();) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x20 || u == '"' || u == '\\') {
      append_escaped_unit(u, out);
      ++i;
      continue;
    }
    std::size_t skip = 0;
    const auto len = utf8_sequence(text, i, skip);
    if (len == 0) {
      out += kReplacement;
      i += skip;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  out.push_back('"');
}

bool valid_utf8(std::string_view text) noexcept {
  std::size_t skip = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto len = utf8_sequence(text, i, skip);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string quote(std::string_view text) {
  std::string out;
  quote_append(text, out);
  return out;
}

std::optional<std::string> unquote(std::string_view literal) {
  if (literal.empty() || literal.front() != '"') return std::nullopt;
  std::string out;
  if (!Reader::decode_string(literal, out)) return std::nullopt;
  return out;
}

std::string number(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == 0) return "0";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(result.ptr - buf));
  std::string out;
  if (s.front() == '-') {
    out.push_back('-');
    s.remove_prefix(1);
  }
  const auto e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exponent = 0;
  const auto exp_text = s.substr(e + 1);
  std::from_chars(exp_text.data() + (exp_text.front() == '+' ? 1 : 0),
                  exp_text.data() + exp_text.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // value = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out.push_back('.');
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out += digits.substr(1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

std::optional<double> parse_number(std::string_view literal) {
  double value = 0;
  const auto result = std::from_chars(literal.data(), literal.data() + literal.size(), value);
  if (result.ec == std::errc::result_out_of_range) {
    // Too large or too small for a double: strtod says which (an infinity or a zero).
    const std::string copy(literal);
    value = std::strtod(copy.c_str(), nullptr);
    return value;
  }
  if (result.ec != std::errc{} || result.ptr != literal.data() + literal.size())
    return std::nullopt;
  return value;
}

std::size_t renumber_placeholders(std::string_view text, std::size_t first, std::string& out,
                                  std::vector<std::size_t>& order) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (true) {
    const auto at = text.find(kPlaceholderPrefix, i);
    if (at == std::string_view::npos) break;
    const auto digits = at + kPlaceholderPrefix.size();
    const auto close = text.find('}', digits);
    std::size_t old = 0;
    std::from_chars(text.data() + digits, text.data() + close, old);
    out.append(text.substr(i, digits - i));
    out += std::to_string(first + count);
    order.push_back(old);
    ++count;
    i = close;
  }
  out.append(text.substr(i));
  return count;
}

namespace {

// Writes canonical `text` with each placeholder object reduced to {"_placeholder":true,"num":N}
// (its original N). False when a placeholder's num is not an integer in [0, attachments); with
// `unchecked` such a placeholder is written null (see canonicalize_binary), and a num that is the
// digits of an index as a string names that attachment.
bool reduce_placeholders(std::string_view text, std::size_t attachments, std::string& out,
                         bool unchecked) {
  if (text.front() == '[') {
    out.push_back('[');
    bool first = true;
    for (const auto element : elements(text)) {
      if (!first) out.push_back(',');
      first = false;
      if (!reduce_placeholders(element, attachments, out, unchecked)) return false;
    }
    out.push_back(']');
    return true;
  }
  if (text.front() != '{') {
    out.append(text);
    return true;
  }
  const auto fields = members(text);
  const auto field = [&](std::string_view key) -> std::optional<std::string_view> {
    for (const auto& [k, v] : fields)
      if (k == key) return v;
    return std::nullopt;
  };
  if (field("\"_placeholder\"") == "true") {
    auto num = field("\"num\"");
    // A JavaScript property key: "0" names index 0, as 0 does ("00" and "0.0" name none).
    if (unchecked && num && num->size() > 2 && num->front() == '"' &&
        num->find_first_not_of("0123456789", 1) == num->size() - 1 &&
        ((*num)[1] != '0' || num->size() == 3))
      num = num->substr(1, num->size() - 2);
    const double n = num && !num->empty() && (is_digit(num->front()) || num->front() == '-')
                         ? parse_number(*num).value_or(-1)
                         : -1;
    if (!(n >= 0 && n < static_cast<double>(attachments) && n == std::floor(n))) {
      if (!unchecked) return false;
      out += "null";
      return true;
    }
    out += kPlaceholderPrefix;
    out += std::to_string(static_cast<std::size_t>(n));
    out.push_back('}');
    return true;
  }
  out.push_back('{');
  bool first = true;
  for (const auto& [key, value] : fields) {
    if (!first) out.push_back(',');
    first = false;
    out.append(key);
    out.push_back(':');
    if (!reduce_placeholders(value, attachments, out, unchecked)) return false;
  }
  out.push_back('}');
  return true;
}

}  // namespace

bool canonicalize_binary(std::string_view text, std::size_t attachments, std::string& out,
                         std::vector<std::size_t>& order, bool unchecked) {
  // Pass 1 reduces each placeholder to its canonical form with its original number; pass 2
  // numbers them in the order they are written, which is socket.io 4.8's depth-first order.
  const auto inspection = inspect(text);
  if (!inspection.valid) return false;
  const std::string canonical_text = inspection.canonical ? std::string(text) : canonical(text);
  std::string reduced;
  if (!reduce_placeholders(canonical_text, attachments, reduced, unchecked)) return false;
  renumber_placeholders(reduced, 0, out, order);
  return true;
}

const Value* Value::find(std::string_view key) const noexcept {
  for (const auto& [name, value] : members_)
    if (name == key) return &value;
  return nullptr;
}

std::optional<Value> Value::parse(std::string_view text) {
  const auto inspection = inspect(text);
  if (!inspection.valid) return std::nullopt;
  if (inspection.canonical) return from_canonical(text);
  return from_canonical(canonical(text));
}

Value Value::from_canonical(std::string_view text) {
  Value v;
  v.json_ = std::string(text);
  switch (text.front()) {
    case 'n':
      v.kind_ = Kind::null;
      break;
    case 't':
    case 'f':
      v.kind_ = Kind::boolean;
      v.boolean_ = text.front() == 't';
      break;
    case '"':
      v.kind_ = Kind::string;
      Reader::decode_string(text, v.text_);
      break;
    case '[':
      v.kind_ = Kind::array;
      for (const auto element : json::elements(text))
        v.items_.push_back(from_canonical(element));
      break;
    case '{':
      v.kind_ = Kind::object;
      for (const auto& [key, value] : json::members(text)) {
        std::string name;
        Reader::decode_string(key, name);
        v.members_.emplace_back(std::move(name), from_canonical(value));
      }
      break;
    default:
      v.kind_ = Kind::number;
      v.number_ = parse_number(text).value_or(0);
  }
  return v;
}

}  // namespace sio::wire::json
