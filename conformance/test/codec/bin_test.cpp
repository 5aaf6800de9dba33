// The one $bin converter (siocheck/codec/bin.hpp): {"$bin": base64} and placeholders.
#include "siocheck/codec/bin.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace conform::codec {
namespace {

Json json(std::string_view text) {
  return *parse_json(text);
}

TEST(Bin, DollarBinBecomesNumberedPlaceholdersInOrder) {
  std::vector<std::string> attachments;
  const auto wire =
      to_placeholders(json(R"(["hi",{"$bin":"AQID"},{"deep":[{"$bin":"BAU="}]}])"), attachments);
  EXPECT_EQ(dump(wire),
            R"(["hi",{"_placeholder":true,"num":0},{"deep":[{"_placeholder":true,"num":1}]}])");
  ASSERT_EQ(attachments.size(), 2u);
  EXPECT_EQ(attachments[0], std::string("\x01\x02\x03"));
  EXPECT_EQ(attachments[1], std::string("\x04\x05"));
}

TEST(Bin, OnlyAnObjectOfOneValidDollarBinIsBinary) {
  std::vector<std::string> attachments;
  for (const char* text :
       {R"({"$bin":"not base64!"})", R"({"$bin":"AA==","x":1})", R"({"$bin":1})"}) {
    EXPECT_EQ(dump(to_placeholders(json(text), attachments)), text);
    EXPECT_FALSE(is_bin(json(text)));
  }
  EXPECT_TRUE(attachments.empty());
  EXPECT_TRUE(is_bin(json(R"({"$bin":""})")));
}

TEST(Bin, PlaceholdersBecomeDollarBinWhenTheyNameAnAttachment) {
  const std::vector<std::string> attachments{"\x01\x02\x03"};
  EXPECT_EQ(dump(with_binary(json(R"([{"_placeholder":true,"num":0}])"), attachments)),
            R"([{"$bin":"AQID"}])");
  // Out of range, negative, not a number, or with other keys: left as they are.
  for (const char* text :
       {R"([{"_placeholder":true,"num":1}])", R"([{"_placeholder":true,"num":-1}])",
        R"([{"_placeholder":true,"num":"0"}])", R"([{"_placeholder":true,"num":0,"x":1}])"})
    EXPECT_EQ(dump(with_binary(json(text), attachments)), text);
}

RC_GTEST_PROP(Bin, PlaceholdersAndBackGiveTheSameValue, (const std::vector<std::string>& blobs)) {
  Json value = Json::array();
  for (const auto& b : blobs)
    value.push_back(Json{{"$bin", base64_encode(b)}});
  std::vector<std::string> attachments;
  const auto wire = to_placeholders(value, attachments);
  RC_ASSERT(attachments == blobs);
  RC_ASSERT(dump(with_binary(wire, attachments)) == dump(value));
}

}  // namespace
}  // namespace conform::codec
