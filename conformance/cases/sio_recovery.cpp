// sio/recovery: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_sio_recovery(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
