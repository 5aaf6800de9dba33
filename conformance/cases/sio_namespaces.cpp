// sio/namespaces: (cases to be written)
#include "areas.hpp"
#include "common.hpp"

namespace conform::cases {

void add_sio_namespaces(std::vector<Case>& out) {
  (void)out;
}

}  // namespace conform::cases
