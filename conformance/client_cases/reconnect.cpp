// client/reconnect: (being written)
#include "client_areas.hpp"
#include "client_common.hpp"

namespace conform::client::cases {

void add_reconnect(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::client::cases
