// client/multiplex: (being written)
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

void add_multiplex(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::client::cases
