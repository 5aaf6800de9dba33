// eio/limits: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_eio_limits(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
