#include "sio/server/args.hpp"

#include <charconv>

namespace sio::server {

namespace json = wire::json;

Args Args::from_wire(std::string canonical_array, std::vector<std::string> attachments) {
  Args args;
  args.json_ = std::move(canonical_array);
  args.attachments_ = std::move(attachments);
  for (const auto element : json::elements(args.json_))
    args.spans_.emplace_back(static_cast<std::uint32_t>(element.data() - args.json_.data()),
                             static_cast<std::uint32_t>(element.size()));
  return args;
}

void Args::add_element(std::string_view canonical_json) {
  json_.pop_back();  // ']'
  if (!spans_.empty()) json_.push_back(',');
  spans_.emplace_back(static_cast<std::uint32_t>(json_.size()),
                      static_cast<std::uint32_t>(canonical_json.size()));
  json_.append(canonical_json);
  json_.push_back(']');
}

Args& Args::push(std::string_view text) {
  add_element(json::quote(text));
  return *this;
}

Args& Args::push(double number) {
  add_element(json::number(number));
  return *this;
}

Args& Args::push(bool value) {
  add_element(value ? "true" : "false");
  return *this;
}

Args& Args::push(std::nullptr_t) {
  add_element("null");
  return *this;
}

Args& Args::push(Binary value) {
  add_element(std::string(json::kPlaceholderPrefix) + std::to_string(attachments_.size()) + "}");
  attachments_.push_back(std::move(value.bytes));
  return *this;
}

bool Args::push_json(std::string_view text) {
  const auto inspection = json::inspect(text);
  if (!inspection.valid) return false;
  if (inspection.canonical) {
    add_element(text);
  } else {
    add_element(json::canonical(text));
  }
  return true;
}

Args& Args::push(Json value) {
  if (!push_json(value.text)) add_element("null");
  return *this;
}

Args& Args::push(const json::Value& value) {
  add_element(value.json());
  return *this;
}

Args& Args::push_from(const Args& other, std::size_t i) {
  const auto element = other.json(i);
  if (other.attachments_.empty() ||
      element.find(json::kPlaceholderPrefix) == std::string_view::npos) {
    add_element(element);
    return *this;
  }
  std::string renumbered;
  std::vector<std::size_t> order;
  json::renumber_placeholders(element, attachments_.size(), renumbered, order);
  add_element(renumbered);
  // Placeholders of a well-formed Args always index its attachments; a missing one is empty.
  for (const auto index : order)
    attachments_.push_back(index < other.attachments_.size() ? other.attachments_[index]
                                                             : std::string());
  return *this;
}

Args& Args::append(const Args& other) {
  for (std::size_t i = 0; i < other.size(); ++i)
    push_from(other, i);
  return *this;
}

std::string_view Args::json(std::size_t i) const {
  const auto [offset, length] = spans_.at(i);
  return std::string_view(json_).substr(offset, length);
}

bool Args::is_binary(std::size_t i) const {
  const auto element = json(i);
  return element.starts_with(json::kPlaceholderPrefix);
}

std::string_view Args::bytes(std::size_t i) const {
  const auto element = json(i);
  if (!element.starts_with(json::kPlaceholderPrefix)) return {};
  std::size_t index = 0;
  const auto digits = element.substr(json::kPlaceholderPrefix.size());
  std::from_chars(digits.data(), digits.data() + digits.size(), index);
  return index < attachments_.size() ? std::string_view(attachments_[index]) : std::string_view{};
}

std::optional<std::string> Args::string(std::size_t i) const {
  if (i >= size()) return std::nullopt;
  return json::unquote(json(i));
}

std::optional<double> Args::number(std::size_t i) const {
  if (i >= size()) return std::nullopt;
  const auto element = json(i);
  if (element.empty() ||
      !(element.front() == '-' || (element.front() >= '0' && element.front() <= '9')))
    return std::nullopt;
  return json::parse_number(element);
}

std::optional<json::Value> Args::value(std::size_t i) const {
  if (i >= size()) return std::nullopt;
  return json::Value::parse(json(i));
}

Args Args::tail(std::size_t first) const {
  Args out;
  if (first >= size()) return out;
  if (attachments_.empty()) {
    // No placeholders to renumber: one slice of the array.
    const auto start = spans_[first].first;
    out.json_ = "[" + json_.substr(start, json_.size() - 1 - start) + "]";
    for (std::size_t i = first; i < size(); ++i)
      out.spans_.emplace_back(spans_[i].first - start + 1, spans_[i].second);
    return out;
  }
  for (std::size_t i = first; i < size(); ++i)
    out.push_from(*this, i);
  return out;
}

}  // namespace sio::server
