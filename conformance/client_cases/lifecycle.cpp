// client/lifecycle: (being written)
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

void add_lifecycle(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::client::cases
