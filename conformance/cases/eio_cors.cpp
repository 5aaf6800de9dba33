// eio/cors: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_eio_cors(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
