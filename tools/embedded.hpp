// The reference server plugged into the target host: what every checking command runs against
// when it is given neither --target nor --launch. The checking libraries never see the reference
// server; this is the one place where the two meet.
#pragma once

#include <string>
#include <vector>

#include "siocheck/host/target_host.hpp"

namespace siocheck::cli {

conform::host::EmbeddedFactory embedded_reference();

// Whether every name is in the fault catalogue; otherwise false, with the unknown name and the
// catalogue's names in `error`.
bool check_fault_names(const std::vector<std::string>& names, std::string& error);

}  // namespace siocheck::cli
