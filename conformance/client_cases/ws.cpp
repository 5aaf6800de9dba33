// client/ws: (being written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::client::cases {

void add_ws(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::client::cases
