#include "sio/wire/eio_packet.hpp"

#include "generators.hpp"
#include "sio/wire/error.hpp"

namespace sio::wire::eio {
namespace {

Packet decoded(std::string_view text) {
  Packet p;
  EXPECT_FALSE(decode_text(text, p)) << text;
  return p;
}

TEST(EioPacket, DecodesEveryTypeDigit) {
  EXPECT_EQ(decoded("0{\"sid\":\"x\"}"), Packet::text(PacketType::open, "{\"sid\":\"x\"}"));
  EXPECT_EQ(decoded("1"), Packet::text(PacketType::close));
  EXPECT_EQ(decoded("2"), Packet::text(PacketType::ping));
  EXPECT_EQ(decoded("2probe"), Packet::text(PacketType::ping, "probe"));
  EXPECT_EQ(decoded("3probe"), Packet::text(PacketType::pong, "probe"));
  EXPECT_EQ(decoded("4hello"), Packet::text(PacketType::message, "hello"));
  EXPECT_EQ(decoded("5"), Packet::text(PacketType::upgrade));
  EXPECT_EQ(decoded("6"), Packet::text(PacketType::noop));
}

TEST(EioPacket, MessageWithoutDataIsAnEmptyMessage) {
  EXPECT_EQ(decoded("4"), Packet::text(PacketType::message, ""));
}

TEST(EioPacket, DataIsTakenAsWrittenIncludingSeparatorsAndUtf8) {
  // On WebSocket a text frame is one packet: 0x1E inside is data, not a separator.
  EXPECT_EQ(decoded("4a\x1e"
                    "4b"),
            Packet::text(PacketType::message,
                         "a\x1e"
                         "4b"));
  EXPECT_EQ(decoded("4h\xc3\xa9"), Packet::text(PacketType::message, "h\xc3\xa9"));
}

TEST(EioPacket, BPrefixIsABase64BinaryMessage) {
  EXPECT_EQ(decoded("bAQIDBA=="), Packet::bytes(std::string("\x01\x02\x03\x04", 4)));
  EXPECT_EQ(decoded("b"), Packet::bytes(""));
}

TEST(EioPacket, RejectsEmptyUnknownTypeAndBadBase64) {
  Packet p;
  EXPECT_EQ(decode_text("", p), errc::empty_packet);
  EXPECT_EQ(decode_text("abc", p), errc::unknown_packet_type);
  EXPECT_EQ(decode_text("7", p), errc::unknown_packet_type);
  EXPECT_EQ(decode_text("9x", p), errc::unknown_packet_type);
  EXPECT_EQ(decode_text("/", p), errc::unknown_packet_type);
  EXPECT_EQ(decode_text("bA", p), errc::invalid_base64);
}

TEST(EioPacket, EncodesTextAndBinaryForms) {
  EXPECT_EQ(encode_text(Packet::text(PacketType::message, "hello")), "4hello");
  EXPECT_EQ(encode_text(Packet::text(PacketType::ping, "probe")), "2probe");
  EXPECT_EQ(encode_text(Packet::text(PacketType::noop)), "6");
  EXPECT_EQ(encode_text(Packet::bytes(std::string("\x01\x02\x03\x04", 4))), "bAQIDBA==");
}

TEST(EioPacket, TypeNamesAreTheProtocolNames) {
  EXPECT_EQ(to_string(PacketType::open), "open");
  EXPECT_EQ(to_string(PacketType::close), "close");
  EXPECT_EQ(to_string(PacketType::ping), "ping");
  EXPECT_EQ(to_string(PacketType::pong), "pong");
  EXPECT_EQ(to_string(PacketType::message), "message");
  EXPECT_EQ(to_string(PacketType::upgrade), "upgrade");
  EXPECT_EQ(to_string(PacketType::noop), "noop");
  EXPECT_EQ(type_char(PacketType::message), '4');
}

RC_GTEST_PROP(EioPacket, DecodeInvertsEncode, ()) {
  const auto packet = *test::gen_packet(false);
  Packet back;
  RC_ASSERT(!decode_text(encode_text(packet), back));
  RC_ASSERT(back == packet);
}

RC_GTEST_PROP(EioPacket, ValidTextEncodesBackToTheSameBytes, (const std::string& data)) {
  // Canonical encoding: a text packet decoded and encoded again is byte-identical.
  const auto type = *rc::gen::inRange(0, 7);
  const std::string text = std::string(1, static_cast<char>('0' + type)) + data;
  Packet p;
  RC_ASSERT(!decode_text(text, p));
  RC_ASSERT(encode_text(p) == text);
}

RC_GTEST_PROP(EioPacket, NeverFailsOtherThanWithANamedError, (const std::string& text)) {
  Packet p;
  const auto ec = decode_text(text, p);
  if (ec) RC_ASSERT(&ec.category() == &wire_category());
}

}  // namespace
}  // namespace sio::wire::eio
