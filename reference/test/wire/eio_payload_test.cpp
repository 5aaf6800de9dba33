#include "sio/wire/eio_payload.hpp"

#include "generators.hpp"
#include "sio/wire/base64.hpp"
#include "sio/wire/error.hpp"

namespace sio::wire::eio {
namespace {

std::vector<Packet> decode_all(std::string_view body, std::error_code* error = nullptr) {
  std::vector<Packet> out;
  const auto ec = decode_payload(body, out);
  if (error) {
    *error = ec;
  } else {
    EXPECT_FALSE(ec) << ec.message();
  }
  return out;
}

// Feeds `body` in the given pieces and returns the packets and the final error.
std::pair<std::vector<Packet>, std::error_code> decode_in_pieces(
    const std::vector<std::string_view>& pieces) {
  std::vector<Packet> out;
  PayloadDecoder decoder;
  const PayloadDecoder::Sink sink = [&](Packet&& p) { out.push_back(std::move(p)); };
  for (auto piece : pieces)
    if (auto ec = decoder.feed(piece, sink)) return {out, ec};
  return {out, decoder.finish(sink)};
}

TEST(EioPayload, DecodesTheSpecExample) {
  // Two messages and a ping, as a held GET returns them.
  EXPECT_EQ(decode_all("4a\x1e"
                       "4b\x1e"
                       "2"),
            (std::vector<Packet>{Packet::text(PacketType::message, "a"),
                                 Packet::text(PacketType::message, "b"),
                                 Packet::text(PacketType::ping)}));
}

TEST(EioPayload, DecodesUtf8TextAndBase64BinaryRecords) {
  EXPECT_EQ(decode_all("4hello\x1e"
                       "4\xe2\x82\xacuro\x1e"
                       "bAQIDBA=="),
            (std::vector<Packet>{Packet::text(PacketType::message, "hello"),
                                 Packet::text(PacketType::message, "\xe2\x82\xacuro"),
                                 Packet::bytes(std::string("\x01\x02\x03\x04", 4))}));
}

TEST(EioPayload, OnePacketWithoutSeparator) {
  EXPECT_EQ(decode_all("4x"), std::vector<Packet>{Packet::text(PacketType::message, "x")});
}

TEST(EioPayload, EmptyBodyIsAnError) {
  std::error_code ec;
  EXPECT_TRUE(decode_all("", &ec).empty());
  EXPECT_EQ(ec, errc::empty_payload);
}

TEST(EioPayload, PacketsBeforeAnInvalidRecordAreDelivered) {
  std::error_code ec;
  const auto packets = decode_all(
      "4a\x1e"
      "abc\x1e"
      "4b",
      &ec);
  EXPECT_EQ(ec, errc::unknown_packet_type);
  EXPECT_EQ(packets, std::vector<Packet>{Packet::text(PacketType::message, "a")});
}

TEST(EioPayload, EmptyRecordsAreInvalid) {
  std::error_code ec;
  EXPECT_EQ(decode_all("4a\x1e\x1e"
                       "4b",
                       &ec)
                .size(),
            1u);
  EXPECT_EQ(ec, errc::empty_packet);
  EXPECT_EQ(decode_all("4a\x1e", &ec).size(), 1u);  // a trailing separator leaves an empty record
  EXPECT_EQ(ec, errc::empty_packet);
  EXPECT_EQ(decode_all("\x1e"
                       "4a",
                       &ec)
                .size(),
            0u);
  EXPECT_EQ(ec, errc::empty_packet);
}

TEST(EioPayload, RecordLimitIsEnforcedAcrossPieces) {
  PayloadDecoder decoder(4);
  const PayloadDecoder::Sink sink = [](Packet&&) {};
  EXPECT_FALSE(decoder.feed("4abc", sink));  // exactly at the limit
  EXPECT_FALSE(
      decoder.feed("\x1e"
                   "4ab",
                   sink));
  EXPECT_EQ(decoder.feed("cd", sink), errc::record_too_large);  // one past it
  EXPECT_EQ(decoder.finish(sink), errc::record_too_large);      // the error sticks
}

TEST(EioPayload, EncodeJoinsWithTheRecordSeparator) {
  const std::vector<Packet> packets{Packet::text(PacketType::message, "a"), Packet::bytes("\x01"),
                                    Packet::text(PacketType::ping)};
  EXPECT_EQ(encode_payload(packets),
            "4a\x1e"
            "bAQ==\x1e"
            "2");
  EXPECT_EQ(encode_payload({}), "");
}

TEST(EioPayload, SplitAtEveryPositionGivesTheSameResult) {
  const std::string bodies[] = {
      "4hello\x1e"
      "4\xe2\x82\xacuro\x1e"
      "bAQIDBA==",
      "4a\x1e"
      "abc\x1e"
      "4b",  // an error: the same packets before it, the same error
      "6\x1e"
      "5\x1e"
      "0\x1e"
      "4still",
      "4a\x1e",
  };
  for (const std::string& body : bodies) {
    const auto whole = decode_in_pieces({body});
    for (std::size_t i = 0; i <= body.size(); ++i) {
      const std::string_view v(body);
      const auto split = decode_in_pieces({v.substr(0, i), v.substr(i)});
      EXPECT_EQ(split.first, whole.first) << "split at " << i;
      EXPECT_EQ(split.second, whole.second) << "split at " << i;
    }
  }
}

RC_GTEST_PROP(EioPayload, DecodeInvertsEncode, ()) {
  const auto packets =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<Packet>>(test::gen_packet(true)));
  std::vector<Packet> back;
  RC_ASSERT(!decode_payload(encode_payload(packets), back));
  RC_ASSERT(back == packets);
}

RC_GTEST_PROP(EioPayload, AnyChunkingDecodesLikeOneChunk, ()) {
  const auto packets =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<Packet>>(test::gen_packet(true)));
  const std::string body = encode_payload(packets);
  auto cuts = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(0, body.size() + 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::string_view> pieces;
  std::size_t at = 0;
  for (auto cut : cuts) {
    pieces.push_back(std::string_view(body).substr(at, cut - at));
    at = cut;
  }
  pieces.push_back(std::string_view(body).substr(at));
  const auto [out, ec] = decode_in_pieces(pieces);
  RC_ASSERT(!ec);
  RC_ASSERT(out == packets);
}

// Canonical encoding: a body that decodes is written back byte for byte, unless one of its
// base64 records has non-zero unused bits or padding written otherwise (read, but not written so).
RC_GTEST_PROP(EioPayload, ValidBodiesEncodeBackToTheSameBytes, ()) {
  const auto records =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(rc::gen::oneOf(
          rc::gen::map(rc::gen::pair(rc::gen::inRange(0, 10), rc::gen::string<std::string>()),
                       [](std::pair<int, std::string> r) {
                         std::erase(r.second, '\x1e');
                         return static_cast<char>('0' + r.first) + r.second;
                       }),
          rc::gen::map(
              rc::gen::container<std::string>(rc::gen::element('A', 'Q', 'g', 'w', '/', '+', '=')),
              [](std::string b64) { return "b" + b64; }))));
  std::string body;
  for (const auto& r : records)
    body += (body.empty() ? "" : "\x1e") + r;
  std::vector<Packet> packets;
  if (decode_payload(body, packets)) return;  // not a valid body: nothing to say
  bool canonical_base64 = true;
  for (const auto& r : records)
    if (r.front() == 'b' && base64::encode(*base64::decode(r.substr(1))) != r.substr(1))
      canonical_base64 = false;
  RC_ASSERT(canonical_base64 == (encode_payload(packets) == body));
}

RC_GTEST_PROP(EioPayload, ArbitraryBytesNeverCrashAndFailWithNamedErrors,
              (const std::string& body)) {
  std::vector<Packet> out;
  const auto ec = decode_payload(body, out);
  if (ec) RC_ASSERT(&ec.category() == &wire_category());
}

}  // namespace
}  // namespace sio::wire::eio
