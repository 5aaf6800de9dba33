#include "sio/wire/sio_packet.hpp"

#include "generators.hpp"
#include "sio/wire/error.hpp"
#include "sio/wire/json.hpp"

namespace sio::wire::sio {

inline void showValue(const Packet& p, std::ostream& os) {
  os << to_string(p.type) << " nsp=" << p.nsp << " id=" << (p.id ? std::to_string(*p.id) : "-")
     << " data=" << p.data << " attachments=" << p.attachments.size();
}

namespace {

Packet decoded(std::string_view text, std::size_t* declared_out = nullptr) {
  Packet p;
  std::size_t declared = 0;
  const auto ec = decode_text(text, p, declared);
  EXPECT_FALSE(ec) << text << ": " << ec.message();
  if (declared_out) *declared_out = declared;
  return p;
}

std::error_code error_of(std::string_view text) {
  Packet p;
  std::size_t declared = 0;
  return decode_text(text, p, declared);
}

TEST(SioPacket, DecodesTheSpecExamples) {
  auto p = decoded("0");
  EXPECT_EQ(p.type, PacketType::connect);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_TRUE(p.data.empty());

  p = decoded(R"(0/admin,{"token":"123"})");
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.data, R"({"token":"123"})");

  p = decoded("1/admin,");
  EXPECT_EQ(p.type, PacketType::disconnect);
  EXPECT_EQ(p.nsp, "/admin");

  p = decoded(R"(212["foo"])");
  EXPECT_EQ(p.type, PacketType::event);
  EXPECT_EQ(p.id, 12u);
  EXPECT_EQ(p.data, R"(["foo"])");

  p = decoded(R"(3/admin,13["bar"])");
  EXPECT_EQ(p.type, PacketType::ack);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 13u);

  p = decoded("30[]");
  EXPECT_EQ(p.id, 0u);
  EXPECT_EQ(p.data, "[]");

  p = decoded(R"(4{"message":"Not authorized"})");
  EXPECT_EQ(p.type, PacketType::connect_error);
}

TEST(SioPacket, TheNamespaceEndsAtACommaOrAtTheEnd) {
  EXPECT_EQ(decoded("0/random").nsp, "/random");
  EXPECT_EQ(decoded("0/random,").nsp, "/random");
  // Without a comma the rest is namespace: "2/custom[..." names an odd namespace and no payload.
  EXPECT_EQ(error_of(R"(2/custom["x"])"), errc::invalid_payload);
  EXPECT_EQ(decoded(R"(0{"a":1})").nsp, "/");  // JSON is never taken for a namespace
}

TEST(SioPacket, AckIdsAreTheDigitsBeforeThePayload) {
  EXPECT_EQ(decoded(R"(2007["echo-ack",1])").id, 7u);
  EXPECT_EQ(decoded(R"(29007199254740991["x"])").id, kMaxAckId);
  EXPECT_EQ(error_of(R"(29007199254740992["x"])"), errc::invalid_ack_id);
  EXPECT_EQ(error_of(R"(299999999999999999999["x"])"), errc::invalid_ack_id);
  // A space is not an ack id (socket.io 4.8 reads it as id 0); it is whitespace before the JSON.
  const auto spaced = decoded(R"(2 ["x"])");
  EXPECT_FALSE(spaced.id);
  EXPECT_EQ(spaced.data, R"(["x"])");
}

TEST(SioPacket, EventsAreNamedByAStringOrANumber) {
  EXPECT_EQ(decoded(R"(2[1,"x"])").data, R"([1,"x"])");
  EXPECT_EQ(decoded(R"(2["error","x"])").data, R"(["error","x"])");
  EXPECT_EQ(decoded(R"(2["message"])").data, R"(["message"])");
}

TEST(SioPacket, PayloadsAreCanonicalAfterDecoding) {
  EXPECT_EQ(decoded(R"(2[ "a" , 1.0 , {"b":1,"b":2} ])").data, R"(["a",1,{"b":2}])");
  EXPECT_EQ(decoded(R"(0{ "token" : "\u0041" })").data, R"({"token":"A"})");
}

TEST(SioPacket, SocketIoParsersInvalidPayloadsAreRejected) {
  EXPECT_EQ(error_of(R"(442["some","data")"), errc::invalid_json);
  EXPECT_EQ(error_of(R"(0/admin,"invalid")"), errc::invalid_payload);
  EXPECT_EQ(error_of("0[]"), errc::invalid_payload);
  EXPECT_EQ(error_of("1/admin,{}"), errc::invalid_payload);
  EXPECT_EQ(error_of(R"(2/admin,"invalid)"), errc::invalid_json);
  EXPECT_EQ(error_of("2/admin,{}"), errc::invalid_payload);
  EXPECT_EQ(error_of(R"(2[{"toString":"foo"}])"), errc::invalid_payload);
  EXPECT_EQ(error_of(R"(2[true,"foo"])"), errc::invalid_payload);
  EXPECT_EQ(error_of(R"(2[null,"bar"])"), errc::invalid_payload);
  EXPECT_EQ(error_of(R"(2["connect"])"), errc::reserved_event_name);
  EXPECT_EQ(error_of(R"(2["disconnect","123"])"), errc::reserved_event_name);
  for (const char* name : {"connect_error", "disconnecting", "newListener", "removeListener"})
    EXPECT_EQ(error_of(std::string("2[\"") + name + "\"]"), errc::reserved_event_name) << name;
  EXPECT_EQ(error_of("2[]"), errc::invalid_payload);
  EXPECT_EQ(error_of("2{}"), errc::invalid_payload);
  EXPECT_EQ(error_of(R"(2abc["x"])"), errc::invalid_json);
  EXPECT_EQ(error_of("3{}"), errc::invalid_payload);
  EXPECT_EQ(error_of("4[]"), errc::invalid_payload);
}

TEST(SioPacket, EventsAndAcksNeedAPayload) {
  // socket.io 4.8 lets "42" through as an event named undefined; the specification does not.
  EXPECT_EQ(error_of("2"), errc::invalid_payload);
  EXPECT_EQ(error_of("3"), errc::invalid_payload);
  EXPECT_EQ(error_of("212"), errc::invalid_payload);
}

TEST(SioPacket, UnknownTypesAreRejected) {
  for (std::string_view text : {"", "7", "9", "999", "a", "-1", " 2[\"x\"]"})
    EXPECT_EQ(error_of(text), errc::sio_unknown_packet_type) << text;
}

TEST(SioPacket, AttachmentCountsAreChecked) {
  for (std::string_view text : {"5", "51", "5a-", "51.23-", "5-[\"x\"]", "50-[\"x\"]", "60-[]"})
    EXPECT_EQ(error_of(text), errc::illegal_attachments) << text;
  EXPECT_EQ(error_of(R"(511-["x"])"), errc::too_many_attachments);
  std::size_t declared = 0;
  const auto p = decoded(R"(510-["x"])", &declared);
  EXPECT_EQ(declared, 10u);
  Packet q;
  EXPECT_FALSE(decode_text(R"(520-["x"])", q, declared, Limits{20}));
  EXPECT_EQ(declared, 20u);
}

TEST(SioPacket, BinaryHeadersCarryNamespaceAndId) {
  std::size_t declared = 0;
  const auto p =
      decoded(R"(52-/admin,15["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
              &declared);
  EXPECT_EQ(p.type, PacketType::binary_event);
  EXPECT_EQ(declared, 2u);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(p.id, 15u);
}

TEST(SioPacket, EncodesAsSocketIoWrites) {
  EXPECT_EQ(encode_text({PacketType::connect, "/", {}, R"({"sid":"x"})", {}}), R"(0{"sid":"x"})");
  EXPECT_EQ(encode_text({PacketType::connect, "/admin", {}, R"({"sid":"x"})", {}}),
            R"(0/admin,{"sid":"x"})");
  EXPECT_EQ(encode_text({PacketType::disconnect, "/admin", {}, "", {}}), "1/admin,");
  EXPECT_EQ(encode_text({PacketType::disconnect, "/", {}, "", {}}), "1");
  EXPECT_EQ(encode_text({PacketType::event, "/", 12, R"(["foo"])", {}}), R"(212["foo"])");
  EXPECT_EQ(encode_text({PacketType::ack, "/admin", 13, R"(["bar"])", {}}), R"(3/admin,13["bar"])");
  EXPECT_EQ(
      encode_text(
          {PacketType::binary_ack, "/", 15, R"(["bar",{"_placeholder":true,"num":0}])", {"\x01"}}),
      R"(61-15["bar",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(
      encode_text(
          {PacketType::connect_error, "/random", {}, R"({"message":"Invalid namespace"})", {}}),
      R"(4/random,{"message":"Invalid namespace"})");
}

// ---- the decoder: reassembly of binary packets --------------------------------------------------

TEST(SioDecoder, TextPacketsAreCompleteAtOnce) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  ASSERT_FALSE(decoder.feed_text(R"(2["x"])", p, complete));
  EXPECT_TRUE(complete);
  EXPECT_EQ(p.data, R"(["x"])");
}

TEST(SioDecoder, BinaryEventsWaitForTheirAttachments) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  ASSERT_FALSE(decoder.feed_text(
      R"(52-["a",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])", p,
      complete));
  EXPECT_FALSE(complete);
  EXPECT_TRUE(decoder.reassembling());
  ASSERT_FALSE(decoder.feed_binary("\x01", p, complete));
  EXPECT_FALSE(complete);
  ASSERT_FALSE(decoder.feed_binary("\x02", p, complete));
  ASSERT_TRUE(complete);
  EXPECT_FALSE(decoder.reassembling());
  EXPECT_EQ(p.type, PacketType::binary_event);
  EXPECT_EQ(p.data, R"(["a",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])");
  EXPECT_EQ(p.attachments, (std::vector<std::string>{"\x01", "\x02"}));
}

TEST(SioDecoder, PlaceholdersInAnyOrderAndFormAreNormalised) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  ASSERT_FALSE(decoder.feed_text(
      R"(52-["a",{"num":1,"_placeholder":true},{"_placeholder":true,"num":0}])", p, complete));
  ASSERT_FALSE(decoder.feed_binary("A", p, complete));
  ASSERT_FALSE(decoder.feed_binary("B", p, complete));
  ASSERT_TRUE(complete);
  EXPECT_EQ(p.data, R"(["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(p.attachments, (std::vector<std::string>{"B", "A"}));
}

TEST(SioDecoder, AttachmentsNoPlaceholderUsesAreDropped) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  ASSERT_FALSE(decoder.feed_text(R"(62-3[{"_placeholder":true,"num":1}])", p, complete));
  ASSERT_FALSE(decoder.feed_binary("unused", p, complete));
  ASSERT_FALSE(decoder.feed_binary("used", p, complete));
  ASSERT_TRUE(complete);
  EXPECT_EQ(p.attachments, std::vector<std::string>{"used"});
  ASSERT_FALSE(decoder.feed_text("61-4[0]", p, complete));
  ASSERT_FALSE(decoder.feed_binary("unused", p, complete));
  ASSERT_TRUE(complete);
  EXPECT_EQ(p.type, PacketType::ack);  // nothing binary is left in it
  EXPECT_TRUE(p.attachments.empty());
}

TEST(SioDecoder, TextWhileAttachmentsArePendingIsAnError) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  ASSERT_FALSE(decoder.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])", p, complete));
  EXPECT_EQ(decoder.feed_text(R"(2["b"])", p, complete), errc::text_while_reassembling);
  EXPECT_FALSE(decoder.reassembling());
}

TEST(SioDecoder, BinaryWithNothingPendingIsAnError) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  EXPECT_EQ(decoder.feed_binary("\x01", p, complete), errc::unexpected_binary);
}

TEST(SioDecoder, APlaceholderOutOfRangeIsAnErrorOnceTheAttachmentsAreIn) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  // CVE-2022-2421's input: a num that is not an index.
  ASSERT_FALSE(
      decoder.feed_text(R"(51-["hello",{"_placeholder":true,"num":"splice"}])", p, complete));
  EXPECT_EQ(decoder.feed_binary("x", p, complete), errc::invalid_placeholder);
  EXPECT_FALSE(decoder.reassembling());
  ASSERT_FALSE(decoder.feed_text(R"(51-["hello",{"_placeholder":true,"num":1}])", p, complete));
  EXPECT_EQ(decoder.feed_binary("x", p, complete), errc::invalid_placeholder);
}

TEST(SioDecoder, AnInvalidHeaderResetsTheDecoder) {
  Decoder decoder;
  Packet p;
  bool complete = false;
  EXPECT_EQ(decoder.feed_text(R"(511-["x"])", p, complete), errc::too_many_attachments);
  EXPECT_FALSE(decoder.reassembling());
  EXPECT_FALSE(decoder.feed_text(R"(2["ok"])", p, complete));
  EXPECT_TRUE(complete);
}

// ---- the switches that reproduce past parser bugs (sio/faults.hpp) -----------------------------

TEST(SioDecoder, AnEventNamedByAnObjectIsRefusedUnlessTheCheckIsOff) {
  Packet p;
  bool complete = false;
  Decoder checked;
  EXPECT_TRUE(checked.feed_text(R"(2[{"toString":"foo"}])", p, complete));
  Limits loose;
  loose.check_event_name_type = false;  // socket.io-parser before 4.2.3 (CVE-2023-32695)
  Decoder unchecked(loose);
  EXPECT_FALSE(unchecked.feed_text(R"(2[{"toString":"foo"}])", p, complete));
  EXPECT_TRUE(complete);
}

TEST(SioDecoder, AnAbsurdAttachmentCountIsRefusedUnlessBoundsAreOff) {
  Packet p;
  bool complete = false;
  for (const auto* text : {R"(51000000000-["x"])", R"(51.5-["x"])", R"(5-1-["x"])"}) {
    Decoder bounded;
    EXPECT_TRUE(bounded.feed_text(text, p, complete)) << text;
    EXPECT_FALSE(bounded.reassembling()) << text;
  }
  Limits loose;
  loose.bound_attachments = false;  // socket.io-parser before 4.2.6 (CVE-2026-33151)
  Decoder unbounded(loose);
  EXPECT_FALSE(
      unbounded.feed_text(R"(51000000000-["x",{"_placeholder":true,"num":0}])", p, complete));
  EXPECT_FALSE(complete);
  EXPECT_TRUE(unbounded.reassembling());
  EXPECT_FALSE(unbounded.feed_binary("a", p, complete));
  EXPECT_FALSE(complete);  // still waiting
}

TEST(SioDecoder, ZeroAttachmentsAreRefusedUnlessTheCheckIsOff) {
  Packet p;
  bool complete = false;
  Decoder checked;
  EXPECT_TRUE(checked.feed_text(R"(50-["x"])", p, complete));
  EXPECT_FALSE(checked.reassembling());
  Limits loose;
  loose.reject_zero_attachments = false;  // socket.io-parser before 4.2.7 (CVE-2026-69185)
  Decoder kept(loose);
  ASSERT_FALSE(kept.feed_text(R"(50-["x"])", p, complete));
  EXPECT_TRUE(complete);                                  // delivered at once...
  EXPECT_TRUE(kept.reassembling());                       // ...yet the decoder still waits
  EXPECT_TRUE(kept.feed_text(R"(2["y"])", p, complete));  // so the next text is an error
}

// ---- properties ------------------------------------------------------------------------------

rc::Gen<Packet> gen_packet() {
  return rc::gen::exec([] {
    Packet p;
    p.type = static_cast<PacketType>(*rc::gen::inRange(0, 7));
    p.nsp = *rc::gen::element<std::string>("/", "/admin", "/dyn-1", "/a b");
    const auto args = *rc::gen::container<std::vector<std::string>>(rc::gen::element<std::string>(
        "1", "-2.5", R"("x")", "null", R"({"a":[true]})", "[]", R"("\ud800")"));
    auto array = [&](std::string first) {
      std::string out = "[" + first;
      for (const auto& a : args)
        out += (out.size() > 1 ? "," : "") + a;
      return out + "]";
    };
    switch (p.type) {
      case PacketType::connect:
        p.data = *rc::gen::element<std::string>("", "{}", R"({"token":"abc"})");
        break;
      case PacketType::disconnect:
        break;
      case PacketType::event:
        p.data = array(*rc::gen::element<std::string>(R"("ev")", "7", R"("message")"));
        break;
      case PacketType::ack:
        p.data = array("");
        break;
      case PacketType::connect_error:
        p.data = *rc::gen::element<std::string>(R"({"message":"x"})", R"("plain")");
        break;
      case PacketType::binary_event:
      case PacketType::binary_ack: {
        const auto count = *rc::gen::inRange<std::size_t>(1, 11);
        std::string placeholders;
        for (std::size_t i = 0; i < count; ++i) {
          placeholders +=
              (i ? "," : "") + std::string(json::kPlaceholderPrefix) + std::to_string(i) + "}";
          p.attachments.push_back(*rc::gen::arbitrary<std::string>());
        }
        p.data = p.type == PacketType::binary_event ? array("\"bin\"," + placeholders)
                                                    : array(placeholders);
        break;
      }
    }
    if (p.type == PacketType::event || p.type == PacketType::ack || p.is_binary())
      if (*rc::gen::arbitrary<bool>()) p.id = *rc::gen::inRange<std::uint64_t>(0, kMaxAckId);
    return p;
  });
}

RC_GTEST_PROP(SioPacket, DecoderInvertsTheEncoder, ()) {
  const auto packet = *gen_packet();
  Decoder decoder;
  Packet out;
  bool complete = false;
  RC_ASSERT(!decoder.feed_text(encode_text(packet), out, complete));
  for (const auto& attachment : packet.attachments) {
    RC_ASSERT(!complete);
    RC_ASSERT(!decoder.feed_binary(attachment, out, complete));
  }
  RC_ASSERT(complete);
  RC_ASSERT(out == packet);
}

// Canonical encoding: whitespace in the payload and zeros before the attachment count are read
// and not written back; what the decoder gives encodes to the encoder's bytes for the packet.
RC_GTEST_PROP(SioPacket, NoisyTextDecodesToTheCanonicalPacket, ()) {
  const auto packet = *gen_packet();
  auto text = encode_text(packet);
  const auto header = text.size() - packet.data.size();
  std::string noisy = text.substr(0, header);
  for (const char c : text.substr(header)) {
    noisy.push_back(c);
    if (c == ',' || c == ':' || c == '[') noisy.push_back(' ');
  }
  if (packet.is_binary()) noisy.insert(1, "0");
  Decoder decoder;
  Packet out;
  bool complete = false;
  RC_ASSERT(!decoder.feed_text(noisy, out, complete));
  for (const auto& attachment : packet.attachments)
    RC_ASSERT(!decoder.feed_binary(attachment, out, complete));
  RC_ASSERT(complete);
  RC_ASSERT(encode_text(out) == text);
  RC_ASSERT(out == packet);
}

// Split invariance of a connection's messages: packets fed one after another, attachments and
// all, decode as each does on a fresh decoder.
RC_GTEST_PROP(SioPacket, ConsecutivePacketsDecodeAsEachAlone, ()) {
  const auto packets = *rc::gen::nonEmpty(rc::gen::container<std::vector<Packet>>(gen_packet()));
  Decoder decoder;
  for (const auto& packet : packets) {
    Packet out;
    bool complete = false;
    RC_ASSERT(!decoder.feed_text(encode_text(packet), out, complete));
    for (const auto& attachment : packet.attachments)
      RC_ASSERT(!decoder.feed_binary(attachment, out, complete));
    RC_ASSERT(complete);
    RC_ASSERT(out == packet);
    RC_ASSERT(!decoder.reassembling());
  }
}

RC_GTEST_PROP(SioPacket, ArbitraryTextNeverCrashesAndFailsWithNamedErrors,
              (const std::string& text)) {
  Decoder decoder;
  Packet out;
  bool complete = false;
  const auto ec = decoder.feed_text(text, out, complete);
  if (ec) RC_ASSERT(&ec.category() == &wire_category());
  if (!ec && complete && !out.data.empty()) RC_ASSERT(json::inspect(out.data).canonical);
}

}  // namespace
}  // namespace sio::wire::sio
