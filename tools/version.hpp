// siocheck's version and the commit it was built from, as `siocheck --version` prints them.
#pragma once

#include <string>

namespace siocheck::cli {

std::string version_line();  // "siocheck 0.2.0 (commit 93974a3b1c2d)"

}  // namespace siocheck::cli
