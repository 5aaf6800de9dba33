// Bytes written for people: traces and reports of the suite and the tools.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace conform {

// "0a ff 1e" for the first `max` bytes, then "... (N bytes)".
std::string hex(std::string_view bytes, std::size_t max = 64);

}  // namespace conform
