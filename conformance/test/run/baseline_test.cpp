// Selection patterns and baselines (siocheck/run/baseline.hpp).
#include "siocheck/run/baseline.hpp"

#include <gtest/gtest.h>

namespace conform::run {
namespace {

UnitInfo unit(std::string id, std::string variant = "") {
  UnitInfo info;
  info.id = id;
  info.name = variant.empty() ? id : id + "@" + variant;
  info.variant = variant;
  return info;
}

TEST(Baseline, GlobsMatchAnyRunAndOneCharacter) {
  EXPECT_TRUE(glob_match("eio/*", "eio/polling/3"));
  EXPECT_TRUE(glob_match("sio/acks/?", "sio/acks/7"));
  EXPECT_FALSE(glob_match("sio/acks/?", "sio/acks/17"));
  EXPECT_TRUE(glob_match("*@polling", "eio/polling/3@polling"));
  EXPECT_FALSE(glob_match("eio/*", "sio/acks/1"));
}

TEST(Baseline, APlainPatternSelectsItsIdAndTheIdsBelowIt) {
  EXPECT_TRUE(selects("eio/polling", "eio/polling/3", "eio/polling/3@polling"));
  EXPECT_TRUE(selects("eio/polling/3", "eio/polling/3", "eio/polling/3@polling"));
  EXPECT_TRUE(selects("eio/polling/3@polling", "eio/polling/3", "eio/polling/3@polling"));
  EXPECT_FALSE(selects("eio/polling/3@websocket", "eio/polling/3", "eio/polling/3@polling"));
  // A prefix counts only at a '/': eio/polling/1 does not select eio/polling/10.
  EXPECT_FALSE(selects("eio/polling/1", "eio/polling/10", "eio/polling/10"));
}

TEST(Baseline, EntriesNeedAReasonAndSayWhereTheyAre) {
  std::string error;
  const auto ok = Baseline::parse(
      "# a comment line\n\neio/handshake/1   # no maxPayload\nsio/*@polling # slow\n", "k.txt",
      error);
  ASSERT_TRUE(ok) << error;
  ASSERT_EQ(ok->entries.size(), 2u);
  EXPECT_EQ(ok->entries[0].pattern, "eio/handshake/1");
  EXPECT_EQ(ok->entries[0].reason, "no maxPayload");
  EXPECT_EQ(ok->entries[0].line, 3);
  EXPECT_EQ(ok->entries[1].line, 4);

  EXPECT_FALSE(Baseline::parse("eio/handshake/1\n", "k.txt", error));
  EXPECT_EQ(error,
            "k.txt:1: 'eio/handshake/1' has no reason; write it after a '#': every entry says why "
            "it is there");
  EXPECT_FALSE(Baseline::load("/nonexistent/k.txt", error));
  EXPECT_EQ(error, "cannot read '/nonexistent/k.txt'");
}

TEST(Baseline, MatchFindsTheFirstEntryThatSelectsTheUnit) {
  std::string error;
  const auto b = Baseline::parse("sio/acks/2@polling # one\nsio/acks # all\n", "k.txt", error);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->match(unit("sio/acks/2", "polling"))->reason, "one");
  EXPECT_EQ(b->match(unit("sio/acks/2", "websocket"))->reason, "all");
  EXPECT_EQ(b->match(unit("sio/events/1")), nullptr);
}

TEST(Baseline, EntriesThatNameNoUnitAreUnknown) {
  std::string error;
  const auto b = Baseline::parse("sio/ackz # typo\nsio/acks/2 # fine\neio/* # glob\nzzz/* # none\n",
                                 "k.txt", error);
  ASSERT_TRUE(b);
  const std::vector<UnitInfo> all{unit("sio/acks/2", "polling"), unit("eio/handshake/1")};
  const auto unknown = b->unknown(all);
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[0]->pattern, "sio/ackz");
  EXPECT_EQ(unknown[1]->pattern, "zzz/*");
  EXPECT_EQ(b->unknown_error(all, "case"),
            "k.txt:1: 'sio/ackz' names no case (a typo, or one that was renamed or removed); fix "
            "or delete the line\n"
            "k.txt:4: 'zzz/*' names no case (a typo, or one that was renamed or removed); fix or "
            "delete the line");
  EXPECT_EQ(b->unknown_error({unit("sio/ackz"), unit("zzz/1"), unit("sio/acks/2"), unit("eio/x")},
                             "case"),
            "");
}

}  // namespace
}  // namespace conform::run
