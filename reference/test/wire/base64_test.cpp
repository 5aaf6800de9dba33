#include "sio/wire/base64.hpp"

#include "generators.hpp"

namespace sio::wire::base64 {
namespace {

TEST(Base64, KnownAnswersFromRfc4648) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "Zg==");
  EXPECT_EQ(encode("fo"), "Zm8=");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foob"), "Zm9vYg==");
  EXPECT_EQ(encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(encode(std::string("\x01\x02\x03\x04", 4)), "AQIDBA==");  // the spec's binary example
}

TEST(Base64, DecodesPaddedInput) {
  EXPECT_EQ(decode("AQIDBA=="), std::string("\x01\x02\x03\x04", 4));
  EXPECT_EQ(decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(decode(""), "");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(decode("AQID!A=="));  // outside the alphabet
  EXPECT_FALSE(decode("AQIDBA="));   // length not a multiple of four
  EXPECT_FALSE(decode("AQ=DBA=="));  // padding in the middle
  EXPECT_FALSE(decode("A==="));      // three pad characters
  EXPECT_FALSE(decode("===="));
  EXPECT_FALSE(decode("AQ-_"));  // URL-safe alphabet is not standard base64
}

TEST(Base64, UrlSafeEncodingHasNoPaddingAndNoPlusOrSlash) {
  EXPECT_EQ(encode_url(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(encode_url("f"), "Zg");
  EXPECT_EQ(encode_url(std::string(15, '\xff')).size(), 20u);
}

RC_GTEST_PROP(Base64, DecodeInvertsEncode, (const std::string& raw)) {
  const auto text = encode(raw);
  RC_ASSERT(text.size() == encoded_size(raw.size()));
  RC_ASSERT(decode(text) == raw);
}

RC_GTEST_PROP(Base64, CanonicalTextSurvivesDecodeThenEncode, (const std::string& raw)) {
  const auto text = encode(raw);
  RC_ASSERT(encode(*decode(text)) == text);
}

}  // namespace
}  // namespace sio::wire::base64
