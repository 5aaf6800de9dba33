// client/connect: (being written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::client::cases {

void add_connect(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::client::cases
