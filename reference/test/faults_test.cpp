#include "sio/faults.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sio {
namespace {

TEST(Faults, EveryFaultHasOneCatalogueEntryWithAUniqueName) {
  std::set<std::string_view> names;
  std::set<Fault> faults;
  for (const auto& info : fault_catalogue()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_TRUE(faults.insert(info.fault).second) << info.name;
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_EQ(fault_named(info.name), info.fault);
  }
  EXPECT_EQ(faults.size(), static_cast<std::size_t>(Fault::count_));
  EXPECT_GE(faults.size(), 20u);
  EXPECT_FALSE(fault_named("no-such-fault"));
}

TEST(Faults, SetsStartEmpty) {
  Faults faults;
  EXPECT_FALSE(faults.any());
  faults.add(Fault::json_reformatted);
  EXPECT_TRUE(faults.has(Fault::json_reformatted));
  EXPECT_FALSE(faults.has(Fault::early_first_ping));
}

}  // namespace
}  // namespace sio
