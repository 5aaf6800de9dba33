#include "sio/faults.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace sio {
namespace {

TEST(Faults, EveryFaultHasOneCatalogueEntryWithAUniqueNameAndASwitchOfItsOwn) {
  std::set<std::string_view> names;
  std::set<Fault> faults;
  std::vector<FaultSwitches> switches;
  for (const auto& info : fault_catalogue()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_TRUE(faults.insert(info.fault).second) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_EQ(fault_named(info.name), info.fault);
    Faults alone;
    alone.add(info.fault);
    const auto on = fault_switches(alone);
    EXPECT_NE(on, FaultSwitches{}) << info.name << " switches nothing";
    for (const auto& other : switches)
      EXPECT_NE(on, other) << info.name << " switches what another fault does";
    switches.push_back(on);
  }
  EXPECT_EQ(faults.size(), static_cast<std::size_t>(Fault::count_));
  EXPECT_GE(faults.size(), 20u);
  EXPECT_FALSE(fault_named("no-such-fault"));
}

TEST(Faults, SetsStartEmptyAndSwitchNothing) {
  Faults faults;
  EXPECT_FALSE(faults.any());
  EXPECT_EQ(fault_switches(faults), FaultSwitches{});
  faults.add(Fault::json_reformatted);
  EXPECT_TRUE(faults.has(Fault::json_reformatted));
  EXPECT_FALSE(faults.has(Fault::early_first_ping));
}

}  // namespace
}  // namespace sio
