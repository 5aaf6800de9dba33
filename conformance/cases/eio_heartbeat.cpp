// eio/heartbeat: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_eio_heartbeat(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
