// The live fuzzer's generator: sequences of Engine.IO and Socket.IO traffic built from the
// protocol's grammar (events, acks, binary attachments, namespace changes, raw polling bodies,
// wrong requests, upgrades), some of them then mutated byte by byte. One (seed, index) always
// draws the same sequence, so a campaign can be repeated and a finding named by its index.
#pragma once

#include <cstdint>
#include <vector>

#include "siocheck/fuzz/step.hpp"

namespace conform::fuzz {

std::vector<Step> generate(std::uint64_t seed, std::uint64_t index);

}  // namespace conform::fuzz
