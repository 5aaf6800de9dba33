// Bytes for people (siocheck/codec/text.hpp): what every trace, report and finding shows.
#include "siocheck/codec/text.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace conform::text {
namespace {

TEST(Text, ValidUtf8AcceptsWhatRfc3629Allows) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80"));  // é 中 😀
  EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));                      // U+10FFFF
}

TEST(Text, ValidUtf8RefusesOverlongSurrogatesAndCutSequences) {
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe4\xb8"));          // cut short
  EXPECT_FALSE(valid_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(valid_utf8("\xff"));
}

TEST(Text, PrintableEscapesControlBytesAndKeepsUtf8) {
  EXPECT_EQ(printable("4a\x1e"
                      "4b"),
            "4a\\x1e4b");
  EXPECT_EQ(printable("a\r\n\tb"), "a\\r\\n\\tb");
  EXPECT_EQ(printable(std::string("\0\x7f", 2)), "\\x00\\x7f");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable("line\nbreak", {.newlines = true}), "line\nbreak");
}

TEST(Text, PrintableWritesBytesOutsideUtf8AsHex) {
  // A WebSocket frame header after a 101: the byte that once made a JUnit file invalid XML.
  EXPECT_EQ(printable("\x81\x05hello"), "\\x81\\x05hello");
  EXPECT_EQ(printable("\xc3"
                      "a"),
            "\\xc3a");  // a lead byte without its continuation
}

TEST(Text, PrintableCutsAtACharacterBoundaryAndSaysHowLong) {
  EXPECT_EQ(printable("abcdef", {.max = 3}), "abc... (6 bytes)");
  // The cut may not split "é" (two bytes): the whole character goes, or none of it.
  const auto cut = printable("a\xc3\xa9z", {.max = 2});
  EXPECT_EQ(cut, "a\xc3\xa9... (4 bytes)");
}

RC_GTEST_PROP(Text, PrintableIsAlwaysValidUtf8WithoutControlCharacters,
              (const std::string& bytes)) {
  const auto shown = printable(bytes, {.max = 10'000});
  RC_ASSERT(valid_utf8(shown));
  for (const char c : shown)
    RC_ASSERT(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
}

TEST(Text, HexAndAttachment) {
  EXPECT_EQ(hex("\x0a\xff\x1e"), "0a ff 1e");
  EXPECT_EQ(hex("abcd", 2), "61 62 ... (4 bytes)");
  EXPECT_EQ(attachment("\x01\x02\x03"), "<01 02 03>");
  EXPECT_EQ(attachment(""), "<>");
}

}  // namespace
}  // namespace conform::text
