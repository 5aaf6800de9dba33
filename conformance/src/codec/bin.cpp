#include "siocheck/codec/bin.hpp"

namespace conform::codec {

namespace {

// `value` with `leaf` applied to every object and array element, depth first.
template <class Leaf>
Json rebuild(const Json& value, const Leaf& leaf) {
  if (auto replaced = leaf(value)) return std::move(*replaced);
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : value.items())
      out[key] = rebuild(item, leaf);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value)
      out.push_back(rebuild(item, leaf));
    return out;
  }
  return value;
}

}  // namespace

bool is_bin(const Json& value) {
  if (!value.is_object() || value.size() != 1) return false;
  const auto it = value.find("$bin");
  return it != value.end() && it->is_string() && base64_decode(it->get<std::string>()).has_value();
}

Json to_placeholders(const Json& value, std::vector<std::string>& attachments) {
  return rebuild(value, [&](const Json& v) -> std::optional<Json> {
    if (!is_bin(v)) return std::nullopt;
    attachments.push_back(*base64_decode(v["$bin"].get<std::string>()));
    return Json{{"_placeholder", true}, {"num", attachments.size() - 1}};
  });
}

Json with_binary(const Json& value, const std::vector<std::string>& attachments) {
  return rebuild(value, [&](const Json& v) -> std::optional<Json> {
    if (!v.is_object() || v.size() != 2 || !v.contains("_placeholder") || !v.contains("num"))
      return std::nullopt;
    const auto& num = v["num"];
    if (!num.is_number_integer() || num.get<long long>() < 0 ||
        static_cast<unsigned long long>(num.get<long long>()) >= attachments.size())
      return std::nullopt;
    return Json{{"$bin", base64_encode(attachments[num.get<std::size_t>()])}};
  });
}

}  // namespace conform::codec
