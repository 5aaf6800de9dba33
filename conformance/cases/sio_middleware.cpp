// sio/middleware: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_sio_middleware(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
