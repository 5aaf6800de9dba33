// Every area's client cases, in a stable order.
#include "client_areas.hpp"

namespace conform::client {

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> out;
    for (auto add : cases::kAreas)
      add(out);
    return out;
  }();
  return cases;
}

}  // namespace conform::client
