// eio/upgrade: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_eio_upgrade(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
