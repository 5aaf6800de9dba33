#include "version.hpp"

#ifndef SIOCHECK_VERSION
#define SIOCHECK_VERSION "0.0.0"
#endif
#ifndef SIOCHECK_COMMIT
#define SIOCHECK_COMMIT "unknown"
#endif

namespace siocheck::cli {

std::string version_line() {
  return std::string("siocheck ") + SIOCHECK_VERSION + " (commit " + SIOCHECK_COMMIT + ")";
}

}  // namespace siocheck::cli
