// sio/rooms: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_sio_rooms(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
