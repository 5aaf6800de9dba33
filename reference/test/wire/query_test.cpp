#include "sio/wire/query.hpp"

#include "generators.hpp"

namespace sio::wire {
namespace {

TEST(Query, ParsesTheEngineIoParameters) {
  const auto q = Query::parse("EIO=4&transport=polling&t=N8hyd6w&sid=abc");
  EXPECT_EQ(q.get("EIO"), "4");
  EXPECT_EQ(q.get("transport"), "polling");
  EXPECT_EQ(q.get("sid"), "abc");
  EXPECT_EQ(q.get("t"), "N8hyd6w");
  EXPECT_FALSE(q.get("j"));
}

TEST(Query, LastValueWinsForARepeatedKey) {
  EXPECT_EQ(Query::parse("transport=abc&transport=polling").get("transport"), "polling");
}

TEST(Query, DecodesPercentEscapesAndPlus) {
  const auto q = Query::parse("a=1%202&b=x+y&c%3D=%e2%82%ac");
  EXPECT_EQ(q.get("a"), "1 2");
  EXPECT_EQ(q.get("b"), "x y");
  EXPECT_EQ(q.get("c="), "\xe2\x82\xac");
}

TEST(Query, MalformedEscapesStayAsWritten) {
  EXPECT_EQ(form_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(form_decode("%"), "%");
  EXPECT_EQ(form_decode("100%"), "100%");
}

TEST(Query, KeysWithoutValuesAndEmptyPairs) {
  const auto q = Query::parse("&&flag&EIO=&=v");
  EXPECT_EQ(q.get("flag"), "");
  EXPECT_EQ(q.get("EIO"), "");
  EXPECT_EQ(q.get(""), "v");
  EXPECT_EQ(q.params().size(), 3u);
}

TEST(Query, SplitTargetSeparatesPathQueryAndFragment) {
  auto parts = split_target("/engine.io/?EIO=4#frag");
  EXPECT_EQ(parts.path, "/engine.io/");
  EXPECT_EQ(parts.query, "EIO=4");
  parts = split_target("/engine.io/");
  EXPECT_EQ(parts.path, "/engine.io/");
  EXPECT_EQ(parts.query, "");
}

RC_GTEST_PROP(Query, FormEncodedValuesDecodeBack,
              (const std::string& key, const std::string& value)) {
  auto encode = [](std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
    return out;
  };
  const auto q = Query::parse("x=1&" + encode(key) + "=" + encode(value));
  RC_ASSERT(q.get(key) == std::optional<std::string_view>(value));
}

RC_GTEST_PROP(Query, SplittingNeverLosesAPair, (const std::vector<std::string>& keys)) {
  std::string text;
  std::size_t nonempty = 0;
  for (const auto& k : keys) {
    std::string clean;
    for (char c : k)
      if (c != '&' && c != '=' && c != '%' && c != '+') clean.push_back(c);
    if (clean.empty()) continue;
    ++nonempty;
    text += (text.empty() ? "" : "&") + clean + "=v";
  }
  RC_ASSERT(Query::parse(text).params().size() == nonempty);
}

}  // namespace
}  // namespace sio::wire
