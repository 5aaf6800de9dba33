// Names by which a JavaScript lookup in a plain object finds a member of Object.prototype instead
// of nothing: the input behind several advisories of the Node stack. For the quirks that reproduce
// them (sio/faults.hpp); the reference itself looks nothing up that way.
#pragma once

#include <algorithm>
#include <iterator>
#include <string_view>

namespace sio::wire {

// `__proto__` and Object.prototype's methods; with `constructor` too when asked (a function that,
// unlike the methods, has a .prototype of its own).
inline bool names_prototype_member(std::string_view name, bool with_constructor) {
  static constexpr std::string_view kMembers[] = {
      "__proto__",        "toString",         "toLocaleString",       "valueOf",
      "hasOwnProperty",   "isPrototypeOf",    "propertyIsEnumerable", "__defineGetter__",
      "__defineSetter__", "__lookupGetter__", "__lookupSetter__"};
  if (name == "constructor") return with_constructor;
  return std::find(std::begin(kMembers), std::end(kMembers), name) != std::end(kMembers);
}

}  // namespace sio::wire
