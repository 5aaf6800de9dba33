// The arguments of an event or an ack, kept in wire form: a canonical JSON array whose binary
// values are placeholders, plus the attachments they refer to (placeholder i is attachment i).
// Passing arguments through (an echo, a broadcast) copies no JSON tree and re-encodes nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "sio/wire/json.hpp"

namespace sio::server {

// A binary value (Buffer / ArrayBuffer on the JavaScript side).
struct Binary {
  std::string bytes;
};

// Any JSON text, inserted as its canonical form.
struct Json {
  std::string_view text;
};

class Args {
 public:
  Args() = default;

  template <class... T>
  static Args of(T&&... values) {
    Args args;
    (args.push(std::forward<T>(values)), ...);
    return args;
  }
  // From the wire: a canonical array with placeholders numbered 0..n-1, and the attachments.
  static Args from_wire(std::string canonical_array, std::vector<std::string> attachments = {});

  Args& push(std::string_view text);
  Args& push(const char* text) { return push(std::string_view(text)); }
  Args& push(const std::string& text) { return push(std::string_view(text)); }
  Args& push(double number);
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) Args& push(I number) {
    return push(static_cast<double>(number));
  }
  Args& push(bool value);
  Args& push(std::nullptr_t);
  Args& push(Binary value);
  // JSON text (made canonical). Returns false, adding nothing, when it is not valid JSON.
  bool push_json(std::string_view text);
  Args& push(Json json);
  Args& push(const wire::json::Value& value);
  // Argument i of `other`, binary values included.
  Args& push_from(const Args& other, std::size_t i);
  Args& append(const Args& other);

  std::size_t size() const noexcept { return spans_.size(); }
  bool empty() const noexcept { return spans_.empty(); }
  // Canonical JSON of argument i (binary values appear as placeholders).
  std::string_view json(std::size_t i) const;
  // Whether argument i is itself a binary value, and its bytes.
  bool is_binary(std::size_t i) const;
  std::string_view bytes(std::size_t i) const;
  std::optional<std::string> string(std::size_t i) const;
  std::optional<double> number(std::size_t i) const;
  std::optional<wire::json::Value> value(std::size_t i) const;
  // Arguments from index `first` on.
  Args tail(std::size_t first) const;

  // The whole array ("[1,\"x\"]") and the attachments its placeholders refer to.
  const std::string& array_json() const noexcept { return json_; }
  const std::vector<std::string>& attachments() const noexcept { return attachments_; }
  bool has_binary() const noexcept { return !attachments_.empty(); }

  friend bool operator==(const Args& a, const Args& b) {
    return a.json_ == b.json_ && a.attachments_ == b.attachments_;
  }

 private:
  void add_element(std::string_view canonical_json);

  std::string json_ = "[]";
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;  // offset, length in json_
  std::vector<std::string> attachments_;
};

}  // namespace sio::server
