// The suite's own codec (siocheck/codec/codec.hpp): known answers from the specification's bytes,
// and the four properties every codec here gets: round trip, canonical encoding, split invariance
// (payload records, attachment counts), and agreement with the reference codec on what a server
// writes (the differential fuzz target checks the same on arbitrary bytes).
#include "siocheck/codec/codec.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sio/wire/base64.hpp"
#include "sio/wire/eio_packet.hpp"
#include "sio/wire/eio_payload.hpp"
#include "sio/wire/json.hpp"
#include "sio/wire/sio_packet.hpp"

namespace conform::codec {
namespace {

namespace ref_eio = ::sio::wire::eio;
namespace ref_sio = ::sio::wire::sio;

// ---- known answers ---------------------------------------------------------------------------

TEST(SuiteCodec, EngineIoTextPacketsAreATypeDigitAndData) {
  const auto p = parse_eio("4hello", false);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, '4');
  EXPECT_FALSE(p->binary);
  EXPECT_EQ(p->data, "hello");
  EXPECT_EQ(parse_eio("6", false)->type, '6');
  EXPECT_FALSE(parse_eio("", false));
  EXPECT_FALSE(parse_eio("7", false));
  EXPECT_FALSE(parse_eio("x", true));
}

TEST(SuiteCodec, BinaryRecordsAreBase64OnlyInPolling) {
  const auto p = parse_eio("bAQID", true);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->binary);
  EXPECT_EQ(p->type, '4');
  EXPECT_EQ(p->data, std::string("\x01\x02\x03"));
  EXPECT_FALSE(parse_eio("bAQID", false));  // a WebSocket carries binary in binary frames
  EXPECT_FALSE(parse_eio("bAQI", true));
  EXPECT_FALSE(parse_eio("b!!!!", true));
}

TEST(SuiteCodec, PayloadsSplitAtTheRecordSeparator) {
  EXPECT_EQ(split_payload("4hello\x1e"
                          "2\x1e"
                          "bAQID"),
            (std::vector<std::string>{"4hello", "2", "bAQID"}));
  EXPECT_EQ(split_payload(""), std::vector<std::string>{""});
  EXPECT_EQ(split_payload("\x1e"), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(join_payload({"4a", "4b"}),
            "4a\x1e"
            "4b");
}

TEST(SuiteCodec, Base64KnownAnswersFromRfc4648) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_FALSE(base64_decode("Zm9"));
  EXPECT_FALSE(base64_decode("Z==="));
  EXPECT_FALSE(base64_decode("Zm=v"));
}

TEST(SuiteCodec, HandshakeKeepsItsKeysInOrder) {
  const auto h = parse_handshake(
      R"({"sid":"abc","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->sid, "abc");
  EXPECT_EQ(h->upgrades, std::vector<std::string>{"websocket"});
  EXPECT_EQ(h->ping_interval, 300);
  EXPECT_EQ(h->ping_timeout, 200);
  EXPECT_EQ(h->max_payload, 1000000);
  EXPECT_EQ(h->keys, (std::vector<std::string>{"sid", "upgrades", "pingInterval", "pingTimeout",
                                               "maxPayload"}));
  EXPECT_FALSE(parse_handshake("[]"));
}

TEST(SuiteCodec, SocketIoPacketsOfTheSpecification) {
  auto p = parse_sio("0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, 0);
  EXPECT_EQ(p->nsp, "/");
  p = parse_sio("0/admin,{\"sid\":\"x\"}");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->nsp, "/admin");
  EXPECT_EQ(p->data, "{\"sid\":\"x\"}");
  p = parse_sio("2/chat,12[\"q\",1]");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, 2);
  EXPECT_EQ(p->nsp, "/chat");
  EXPECT_EQ(p->id, 12u);
  EXPECT_EQ(p->data, "[\"q\",1]");
  p = parse_sio("62-/chat,7[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, 6);
  EXPECT_EQ(p->attachments, 2);
  EXPECT_EQ(p->nsp, "/chat");
  EXPECT_EQ(p->id, 7u);
  p = parse_sio("1/admin");  // the namespace runs to the end when no comma follows
  ASSERT_TRUE(p);
  EXPECT_EQ(p->nsp, "/admin");
}

TEST(SuiteCodec, MalformedSocketIoPacketsAreRefused) {
  EXPECT_FALSE(parse_sio(""));
  EXPECT_FALSE(parse_sio("7"));
  EXPECT_FALSE(parse_sio("2[\"x\""));   // not JSON
  EXPECT_FALSE(parse_sio("5[\"x\"]"));  // a binary packet without its count
  EXPECT_FALSE(parse_sio("5-[\"x\"]"));
  EXPECT_FALSE(parse_sio("5x-[\"x\"]"));
  EXPECT_FALSE(parse_sio("51234567890-[]"));  // more than 9 digits
}

// Found by the differential fuzz target: the reference (and socket.io-parser) refuse a binary
// packet that declares no attachment; a server that sends one is wrong, and the suite says so.
TEST(SuiteCodec, ABinaryPacketWithNoAttachmentIsRefused) {
  EXPECT_FALSE(parse_sio("50-[\"x\"]"));
  EXPECT_FALSE(parse_sio("600-[]"));
  EXPECT_TRUE(parse_sio("501-[\"x\",{\"_placeholder\":true,\"num\":0}]"));
}

// Found by the differential fuzz target: nlohmann stops at a NUL byte and skips a byte order mark,
// so JSON that JSON.parse (and so every client) refuses read as valid.
TEST(SuiteCodec, JsonWithANulByteOrAByteOrderMarkIsRefused) {
  using namespace std::string_literals;
  EXPECT_FALSE(parse_json("true\0garbage"s));
  EXPECT_FALSE(parse_json("[\"a\0b\"]"s));
  EXPECT_FALSE(parse_json("\xEF\xBB\xBF[1]"));
  EXPECT_FALSE(parse_sio("2[\"x\"]\0]"s));
  EXPECT_FALSE(parse_sio("2\xEF\xBB\xBF[\"x\"]"));
  EXPECT_TRUE(parse_json("[\"\\u0000\"]"));  // an escaped NUL is a NUL in a string: fine
}

TEST(SuiteCodec, SioTextWritesTheShortestForm) {
  EXPECT_EQ(sio_text(0), "0");
  EXPECT_EQ(sio_text(0, "/admin", std::nullopt, "{}"), "0/admin,{}");
  EXPECT_EQ(sio_text(2, "/", 3, "[\"x\"]"), "23[\"x\"]");
  EXPECT_EQ(sio_text(5, "/a", 1, "[]", 2), "52-/a,1[]");
}

// ---- properties ------------------------------------------------------------------------------

rc::Gen<std::string> gen_json() {
  return rc::gen::element<std::string>("", "[]", "{}", "[\"ev\",1,-2.5,null,true]",
                                       "{\"a\":[{\"b\":\"c\"}]}", "\"plain\"", "[\"\\u00e9\"]",
                                       "[{\"_placeholder\":true,\"num\":0}]");
}

struct Parts {
  int type;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::string data;
  int attachments;
};

rc::Gen<Parts> gen_parts() {
  return rc::gen::exec([] {
    Parts p;
    p.type = *rc::gen::inRange(0, 7);
    p.nsp = *rc::gen::element<std::string>("/", "/admin", "/dyn-1", "/a b", "/é");
    if (*rc::gen::arbitrary<bool>()) p.id = *rc::gen::arbitrary<std::uint64_t>();
    p.data = *gen_json();
    // A payload that starts with a digit would read as part of the id: the writer's caller never
    // makes one (payloads are objects, arrays or strings).
    p.attachments = p.type == 5 || p.type == 6 ? *rc::gen::inRange(1, 1000) : 0;
    return p;
  });
}

RC_GTEST_PROP(SuiteCodec, ParseInvertsSioText, ()) {
  const auto p = *gen_parts();
  const auto back = parse_sio(sio_text(p.type, p.nsp, p.id, p.data, p.attachments));
  RC_ASSERT(back.has_value());
  RC_ASSERT(back->type == p.type);
  RC_ASSERT(back->nsp == p.nsp);
  RC_ASSERT(back->id == p.id);
  RC_ASSERT(back->data == p.data);
  RC_ASSERT(back->attachments == p.attachments);
}

// Whatever text it reads, writing the packet again gives the shortest form, which reads the same
// and writes itself back byte for byte.
RC_GTEST_PROP(SuiteCodec, SioTextIsCanonical, ()) {
  const auto p = *gen_parts();
  std::string text = sio_text(p.type, p.nsp, p.id, p.data, p.attachments);
  // Non-canonical but valid spellings of the same header: zeros before the count, "/," for "/".
  if ((p.type == 5 || p.type == 6) && *rc::gen::arbitrary<bool>()) text.insert(1, "00");
  const bool binary = p.type == 5 || p.type == 6;
  if (p.nsp == "/" && *rc::gen::arbitrary<bool>())
    text.insert(binary ? text.find('-') + 1 : 1, "/,");
  const auto once = parse_sio(text);
  RC_ASSERT(once.has_value());
  const auto canonical = sio_text(once->type, once->nsp, once->id, once->data, once->attachments);
  const auto twice = parse_sio(canonical);
  RC_ASSERT(twice.has_value());
  RC_ASSERT(sio_text(twice->type, twice->nsp, twice->id, twice->data, twice->attachments) ==
            canonical);
}

RC_GTEST_PROP(SuiteCodec, JoinInvertsSplit, (const std::string& body)) {
  RC_ASSERT(join_payload(split_payload(body)) == body);
}

RC_GTEST_PROP(SuiteCodec, SplitInvertsJoin, ()) {
  auto records = *rc::gen::nonEmpty(
      rc::gen::container<std::vector<std::string>>(rc::gen::arbitrary<std::string>()));
  for (auto& r : records)
    std::erase(r, '\x1e');
  RC_ASSERT(split_payload(join_payload(records)) == records);
}

// A payload read whole or record by record from any cut into two bodies reads the same records.
RC_GTEST_PROP(SuiteCodec, SplittingAPayloadAtASeparatorSplitsItsRecords, ()) {
  auto records = *rc::gen::nonEmpty(
      rc::gen::container<std::vector<std::string>>(rc::gen::arbitrary<std::string>()));
  for (auto& r : records)
    std::erase(r, '\x1e');
  const auto cut = *rc::gen::inRange<std::size_t>(1, records.size() + 1);
  const std::vector<std::string> head(records.begin(), records.begin() + static_cast<long>(cut));
  const std::vector<std::string> tail(records.begin() + static_cast<long>(cut), records.end());
  auto joined = split_payload(join_payload(head));
  if (!tail.empty()) {
    const auto rest = split_payload(join_payload(tail));
    joined.insert(joined.end(), rest.begin(), rest.end());
  }
  RC_ASSERT(joined == records);
}

RC_GTEST_PROP(SuiteCodec, Base64DecodeInvertsEncode, (const std::string& bytes)) {
  RC_ASSERT(base64_decode(base64_encode(bytes)) == bytes);
}

RC_GTEST_PROP(SuiteCodec, Base64CanonicalTextSurvivesDecodeThenEncode, (const std::string& bytes)) {
  const auto text = base64_encode(bytes);
  RC_ASSERT(base64_encode(*base64_decode(text)) == text);
}

// ---- agreement with the reference codec -------------------------------------------------------

RC_GTEST_PROP(SuiteCodec, Base64AgreesWithTheReference, (const std::string& bytes)) {
  RC_ASSERT(base64_encode(bytes) == ::sio::wire::base64::encode(bytes));
  RC_ASSERT(base64_decode(bytes) == ::sio::wire::base64::decode(bytes));
}

// What the reference server writes (Engine.IO packets and payloads), the suite reads as written.
RC_GTEST_PROP(SuiteCodec, ReadsTheReferencesPayloads, ()) {
  const auto n = *rc::gen::inRange(1, 8);
  std::vector<ref_eio::Packet> packets;
  for (int i = 0; i < n; ++i) {
    if (*rc::gen::arbitrary<bool>()) {
      packets.push_back(ref_eio::Packet::bytes(*rc::gen::arbitrary<std::string>()));
    } else {
      auto data = *rc::gen::arbitrary<std::string>();
      std::erase(data, '\x1e');
      packets.push_back(ref_eio::Packet::text(
          static_cast<ref_eio::PacketType>(*rc::gen::inRange(0, 7)), std::move(data)));
    }
  }
  const auto records = split_payload(ref_eio::encode_payload(packets));
  RC_ASSERT(records.size() == packets.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto p = parse_eio(records[i], true);
    RC_ASSERT(p.has_value());
    RC_ASSERT(p->binary == packets[i].binary);
    RC_ASSERT(p->type == ref_eio::type_char(packets[i].type));
    RC_ASSERT(p->data == packets[i].data);
  }
}

// The reference's Socket.IO encoder and the suite's writer make the same text, and each codec
// reads the other's the same way.
RC_GTEST_PROP(SuiteCodec, SocketIoTextAgreesWithTheReference, ()) {
  ref_sio::Packet packet;
  packet.type = static_cast<ref_sio::PacketType>(*rc::gen::inRange(0, 7));
  packet.nsp = *rc::gen::element<std::string>("/", "/admin", "/dyn-1");
  if (*rc::gen::arbitrary<bool>())
    packet.id = *rc::gen::inRange<std::uint64_t>(0, ref_sio::kMaxAckId);
  std::size_t attachments = 0;
  switch (packet.type) {
    case ref_sio::PacketType::connect:
      packet.data = *rc::gen::element<std::string>("", "{}", R"({"token":"abc"})");
      break;
    case ref_sio::PacketType::disconnect:
      break;
    case ref_sio::PacketType::event:
      packet.data = *rc::gen::element<std::string>(R"(["ev"])", R"(["ev",1,{"a":null}])", "[7]");
      break;
    case ref_sio::PacketType::ack:
      packet.data = *rc::gen::element<std::string>("[]", R"([1,"x"])");
      break;
    case ref_sio::PacketType::connect_error:
      packet.data = *rc::gen::element<std::string>(R"({"message":"x"})", R"("plain")");
      break;
    case ref_sio::PacketType::binary_event:
    case ref_sio::PacketType::binary_ack:
      attachments = *rc::gen::inRange<std::size_t>(1, 11);
      // An event is named by its first element; an ack's arguments are the placeholders alone.
      packet.data = packet.type == ref_sio::PacketType::binary_event ? R"(["bin")" : "[";
      for (std::size_t i = 0; i < attachments; ++i) {
        packet.data += std::string(packet.data.size() > 1 ? "," : "") +
                       R"({"_placeholder":true,"num":)" + std::to_string(i) + "}";
        packet.attachments.emplace_back(1, static_cast<char>(i));
      }
      packet.data += "]";
      break;
  }
  const auto text = ref_sio::encode_text(packet);
  RC_ASSERT(text == sio_text(static_cast<int>(packet.type), packet.nsp, packet.id, packet.data,
                             static_cast<int>(attachments)));
  const auto read = parse_sio(text);
  RC_ASSERT(read.has_value());
  RC_ASSERT(read->type == static_cast<int>(packet.type));
  RC_ASSERT(read->nsp == packet.nsp);
  RC_ASSERT(read->id == packet.id);
  RC_ASSERT(read->data == packet.data);
  RC_ASSERT(read->attachments == static_cast<int>(attachments));

  ref_sio::Decoder decoder;
  ref_sio::Packet back;
  bool complete = false;
  RC_ASSERT(!decoder.feed_text(text, back, complete));
  for (const auto& a : packet.attachments)
    RC_ASSERT(!decoder.feed_binary(a, back, complete));
  RC_ASSERT(complete);
  RC_ASSERT(back == packet);
}

}  // namespace
}  // namespace conform::codec
