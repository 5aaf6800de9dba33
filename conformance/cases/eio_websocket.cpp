// eio/websocket: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_eio_websocket(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
