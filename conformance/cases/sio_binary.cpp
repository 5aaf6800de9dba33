// sio/binary: binary attachments: echo in kind, placeholders (nesting, order, key order),
// BINARY_ACK, the transports' binary forms, and the malformed binary packets that must close the
// connection (text while attachments are pending, stray binary, bad or hostile num, too many or
// zero attachments).
#include <deque>
#include <initializer_list>

#include "areas.hpp"
#include "common.hpp"
#include "sio_common.hpp"

namespace conform::cases {

namespace {

// One joined connection per list of parts; each sends its parts, and every connection must then
// be closed promptly without answering anything.
void expect_each_closes_silently(Context& c, const std::vector<std::vector<Part>>& inputs) {
  std::vector<std::unique_ptr<SioClient>> clients;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    clients.push_back(joined(c));
  for (std::size_t i = 0; i < inputs.size(); ++i)
    send_all(*clients[i], inputs[i]);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::string what = "after";
    for (const auto& p : inputs[i])
      what += " " + (p.binary ? text::attachment(p.data) : p.data);
    auto& client = *clients[i];
    const auto limit = c.prompt(client.eio());
    const auto got = client.next(limit);
    if (got) c.fail(what, "the connection closes, with no answer", "answered: " + shown(*got));
    c.check(client.closed(), what,
            "the connection closes within " + std::to_string(limit.count()) + " ms",
            client.closed() ? "closed: " + client.end_reason() : "still open");
  }
}

}  // namespace

void add_sio_binary(std::vector<Case>& out) {
  const std::string spec = "Socket.IO v5 specification, Packet format (binary attachments)";
  const std::string official = "official Socket.IO test suite; fixture contract";
  const std::string p0 = R"({"_placeholder":true,"num":0})";
  const std::string p1 = R"({"_placeholder":true,"num":1})";
  const std::string p2 = R"({"_placeholder":true,"num":2})";

  add(out,
      {.id = "sio/binary/1",
       .title = "Binary is echoed as binary",
       .requirement = "A BINARY_EVENT message with one attachment MUST be echoed as BINARY_EVENT "
                      "message-back with a placeholder and the same bytes as an attachment.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [p0](Context& c) {
        auto client = joined(c);
        send_all(*client, {{"51-[\"message\"," + p0 + "]"}, {bytes({1, 2, 3}), true}});
        expect_next(c, *client, "message-back", "51-[\"message-back\"," + p0 + "] + <01 02 03>");
      });

  add(out,
      {.id = "sio/binary/2",
       .title = "Nested binary and several attachments keep their order",
       .requirement = "Attachments at any depth MUST come back in place: placeholders numbered "
                      "depth-first in array and key order, and the attachments sent in that order.",
       .level = Level::must,
       .source = spec + "; socket.io-parser deconstructPacket",
       .transports = kAllTransports},
      [p0, p1, p2](Context& c) {
        auto client = joined(c);
        const std::string args =
            p0 + ",{\"a\":[" + p1 + ",\"x\"],\"b\":{\"c\":" + p2 + "}},\"tail\"";
        send_all(*client, {{"53-[\"message\"," + args + "]"},
                           {bytes({1}), true},
                           {bytes({2, 2}), true},
                           {bytes({3, 3, 3}), true}});
        expect_next(c, *client, "message-back",
                    "53-[\"message-back\"," + args + "] + <01> + <02 02> + <03 03 03>");
      });

  add(out,
      {.id = "sio/binary/3",
       .title = "Placeholders out of order are renumbered depth-first",
       .requirement = "A client may number placeholders in any order; the server MUST put each "
                      "attachment where its num says, and its own packet MUST number them "
                      "depth-first with the attachments in that order.",
       .level = Level::must,
       .source = spec + "; socket.io-parser reconstructPacket/deconstructPacket",
       .transports = kPollingAndWebSocket},
      [p0, p1, p2](Context& c) {
        auto client = joined(c);
        send_all(*client, {{"53-[\"message\"," + p2 + ",{\"k\":" + p0 + "}," + p1 + "]"},
                           {bytes({0xaa}), true},
                           {bytes({0xbb}), true},
                           {bytes({0xcc}), true}});
        expect_next(
            c, *client, "message-back",
            "53-[\"message-back\"," + p0 + ",{\"k\":" + p1 + "}," + p2 + "] + <cc> + <aa> + <bb>");
      });

  add(out,
      {.id = "sio/binary/4",
       .title = "Placeholder key order does not matter",
       .requirement = "{\"num\":0,\"_placeholder\":true} is the same placeholder as "
                      "{\"_placeholder\":true,\"num\":0} and MUST be accepted; the echo is written "
                      "with _placeholder first.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S17); PROTOCOL notes §4.2 (netty-socketio PR #326)",
       .transports = kPollingAndWebSocket},
      [p0](Context& c) {
        auto client = joined(c);
        send_all(*client,
                 {{R"(51-["message",{"num":0,"_placeholder":true}])"}, {bytes({5}), true}});
        expect_next(c, *client, "message-back", "51-[\"message-back\"," + p0 + "] + <05>");
      });

  add(out,
      {.id = "sio/binary/5",
       .title = "A binary ack is a BINARY_ACK with the attachments",
       .requirement = "message-with-ack with binary arguments MUST be acknowledged with BINARY_ACK "
                      "(6<n>-<id>) carrying the same placeholders and attachments.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [p0, p1](Context& c) {
        auto client = joined(c);
        const std::string args = p0 + ",{\"n\":[" + p1 + "]}";
        send_all(*client, {{"52-789[\"message-with-ack\"," + args + "]"},
                           {bytes({1}), true},
                           {bytes({2}), true}});
        expect_next(c, *client, "ack", "62-789[" + args + "] + <01> + <02>");
      });

  add(out,
      {.id = "sio/binary/6",
       .title = "Attachments travel as binary in each transport",
       .requirement =
           "Over polling an attachment MUST be a \"b\" + base64 record of the payload (the client "
           "sends the header and the record in one POST); over WebSocket it MUST be a binary "
           "frame. The answer's header is a text packet, followed by its attachment as binary.",
       .level = Level::must,
       .source = "Engine.IO v4 specification, Packet encoding; " + spec,
       .transports = kPollingAndWebSocket},
      [p0](Context& c) {
        auto client = joined(c);
        send_all(*client, {{"51-[\"message\"," + p0 + "]"}, {bytes({0, 0xff, 0x1e, 0x34}), true}});
        auto& eio = client->eio();
        const auto header = c.expect_packet(eio, Ms(3000), "header");
        c.check(!header.binary && header.type == '4' &&
                    header.data == "51-[\"message-back\"," + p0 + "]",
                "header", "text 451-[\"message-back\"," + p0 + "]", describe(header));
        const auto attachment = c.expect_packet(eio, Ms(3000), "attachment");
        const std::string how =
            eio.current() == Transport::polling ? "a b-record" : "a binary frame";
        c.check(attachment.binary && attachment.data == bytes({0, 0xff, 0x1e, 0x34}), "attachment",
                how + " holding <00 ff 1e 34>",
                attachment.binary ? "binary " + text::attachment(attachment.data)
                                  : "text " + describe(attachment));
      });

  add(out,
      {.id = "sio/binary/7",
       .title = "A text packet while attachments are pending closes the connection",
       .requirement = "After a BINARY_EVENT header the next messages MUST be its attachments: a "
                      "text packet instead is a protocol violation and the server MUST close the "
                      "connection promptly, answering neither packet.",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 observed (S14)",
       .transports = kAllTransports},
      [p0](Context& c) {
        expect_each_closes_silently(c,
                                    {{{"51-[\"message\"," + p0 + "]"}, {R"(2["message","x"])"}}});
      });

  add(out,
      {.id = "sio/binary/8",
       .title = "A binary message with nothing pending closes the connection",
       .requirement = "A binary message with no BINARY_EVENT or BINARY_ACK header waiting for it "
                      "is a protocol violation: the server MUST close the connection promptly.",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 observed (S15)",
       .transports = kAllTransports},
      [](Context& c) {
        expect_each_closes_silently(c, {{{bytes({1, 2}), true}}});
      });

  add(out,
      {.id = "sio/binary/9",
       .title = "A placeholder num out of range closes the connection",
       .requirement =
           "A placeholder's num MUST index the attachments ([0, count)): num equal to the count, "
           "negative, or past it closes the connection promptly, with no echo.",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 observed (S16)",
       .transports = kPollingAndWebSocket},
      [p0](Context& c) {
        expect_each_closes_silently(
            c, {{{R"(51-["message",{"_placeholder":true,"num":1}])"}, {bytes({1}), true}},
                {{R"(51-["message",{"_placeholder":true,"num":-1}])"}, {bytes({1}), true}},
                {{"52-[\"message\"," + p0 + R"(,{"_placeholder":true,"num":2}])"},
                 {bytes({1}), true},
                 {bytes({2}), true}}});
      });

  add(out,
      {.id = "sio/binary/10",
       .title = "A placeholder num that is not a number closes the connection",
       .requirement = "A placeholder whose num is not an integer index, such as \"splice\" (the "
                      "input behind CVE-2022-2421, which let a decoder put a function into the "
                      "arguments), MUST close the connection promptly and MUST NOT be echoed.",
       .level = Level::must,
       .source = "CVE-2022-2421 (socket.io-parser 4.0.5 / 4.2.1)",
       .transports = kAllTransports},
      [](Context& c) {
        expect_each_closes_silently(
            c, {{{R"(51-["message",{"_placeholder":true,"num":"splice"}])"}, {bytes({1}), true}}});
      });

  add(out,
      {.id = "sio/binary/11",
       .title = "A fractional placeholder num closes the connection",
       .requirement = "num 0.5 is a number but not an index: the server SHOULD close the "
                      "connection as for any num outside the integers [0, count). socket.io-parser "
                      "4.2.7 only checks the range and puts undefined (written null) in its place.",
       .level = Level::should,
       .source = "PROTOCOL notes §2.3 (num is an integer index into the attachments)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        expect_each_closes_silently(
            c, {{{R"(51-["message",{"_placeholder":true,"num":0.5}])"}, {bytes({1}), true}}});
      });

  add(out,
      {.id = "sio/binary/12",
       .title = "More than 10 attachments close the connection",
       .requirement =
           "A server SHOULD bound the attachments of one packet; with the default limit of 10 "
           "(socket.io-parser maxAttachments), a packet declaring 11 SHOULD close the connection.",
       .level = Level::should,
       .source = "socket.io 4.8 observed (S18); socket.io-parser maxAttachments",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        std::string args;
        std::vector<Part> parts;
        for (int i = 0; i < 11; ++i)
          args += ",{\"_placeholder\":true,\"num\":" + std::to_string(i) + "}";
        parts.push_back({"511-[\"message\"" + args + "]"});
        for (int i = 0; i < 11; ++i)
          parts.push_back({bytes({static_cast<unsigned char>(i)}), true});
        expect_each_closes_silently(c, {parts});
      });

  add(out,
      {.id = "sio/binary/13",
       .title = "A BINARY_EVENT with zero attachments closes the connection",
       .requirement = "\"50-[...]\" declares no attachment, which no encoder writes: the server "
                      "SHOULD close the connection (socket.io-parser 4.2.7 rejects it).",
       .level = Level::should,
       .source = "socket.io 4.8 observed (S19); PROTOCOL notes §4.2",
       .transports = kPollingAndWebSocket},
      [](Context& c) { expect_each_closes_silently(c, {{{R"(50-["message","x"])"}}}); });

  add(out,
      {.id = "sio/binary/14",
       .title = "$bin in ctl:broadcast reaches another client as real binary",
       .requirement = "Binary values a server emits MUST reach the recipient as attachments: the "
                      "fixture turns {\"$bin\":...} in ctl:broadcast arguments into bytes, and the "
                      "other client gets a BINARY_EVENT with placeholders numbered depth-first.",
       .level = Level::must,
       .source = "fixture contract (ctl:broadcast, $bin); " + spec,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [p0, p1](Context& c) {
        auto sender = joined(c);
        auto receiver = c.open_sio();
        const auto id = receiver->join("/", "", Ms(3000));
        if (!id) c.fail("joining /", "the CONNECT accepted", "refused or no answer");
        // To the receiver's own room only: other cases' clients share the namespace.
        const auto n = sender->next_id();
        sender->send(codec::sio_text(
            2, "/", n,
            R"(["ctl:broadcast",{"event":"news","args":["hi",{"$bin":"AQID"},{"deep":[{"$bin":"BAU="}]}],"to":[)" +
                json_string(*id) + "]}]"));
        expect_next(c, *sender, "ctl:broadcast answer",
                    codec::sio_text(3, "/", n, R"([{"ok":true}])"));
        expect_next(
            c, *receiver, "the broadcast",
            "52-[\"news\",\"hi\"," + p0 + ",{\"deep\":[" + p1 + "]}] + <01 02 03> + <04 05>");
      });

  add(out,
      {.id = "sio/binary/15",
       .title = "Binary on a custom namespace: count before namespace, acks both ways",
       .requirement =
           "On /custom a BINARY_EVENT MUST be written 5<n>-/custom,<id>[...] (the attachment count "
           "before the namespace), and a BINARY_ACK from the client on /custom MUST be accepted.",
       .level = Level::must,
       .source = spec + "; PROTOCOL notes §4.2 (attachment count position)",
       .transports = kAllTransports,
       .extended = true},
      [p0](Context& c) {
        auto client = joined(c, "/custom");
        const auto id = client->next_id();
        client->send(codec::sio_text(
            2, "/custom", id,
            R"(["ctl:emit-with-ack",{"event":"bin-me","args":[{"$bin":"AQID"}],"timeoutMs":5000}])"));
        const auto event = c.expect_sio(*client, Ms(3000), "the server's event");
        const auto n = event.packet.id.value_or(0);
        c.check(event.packet.type == 5 && event.packet.id.has_value() &&
                    shown(event) ==
                        "51-/custom," + std::to_string(n) + "[\"bin-me\"," + p0 + "] + <01 02 03>",
                "the server's event", "51-/custom,<id>[\"bin-me\"," + p0 + "] + <01 02 03>",
                shown(event));
        send_all(*client,
                 {{codec::sio_text(6, "/custom", n, "[" + p0 + "]", 1)}, {bytes({4, 5}), true}});
        expect_next(
            c, *client, "ctl:emit-with-ack answer",
            codec::sio_text(6, "/custom", id, "[{\"ok\":true,\"response\":[" + p0 + "]}]", 1) +
                " + <04 05>");
      });

  add(out,
      {.id = "sio/binary/16",
       .title = "Binary packets back to back keep their attachments apart",
       .requirement = "Two binary packets sent back to back (one polling payload, or consecutive "
                      "frames) MUST each be rebuilt with its own attachments and echoed in order, "
                      "header and attachments together.",
       .level = Level::must,
       .source = spec + "; PROTOCOL notes §4.2 (interleaved binary packets)",
       .transports = kPollingAndWebSocket},
      [p0](Context& c) {
        auto client = joined(c);
        send_all(*client, {{"51-[\"message\"," + p0 + "]"},
                           {bytes({0xaa}), true},
                           {"51-[\"message\",{\"x\":" + p0 + "}]"},
                           {bytes({0xbb, 0xbb}), true}});
        expect_next(c, *client, "first message-back", "51-[\"message-back\"," + p0 + "] + <aa>");
        expect_next(c, *client, "second message-back",
                    "51-[\"message-back\",{\"x\":" + p0 + "}] + <bb bb>");
      });

  add(out,
      {.id = "sio/binary/17",
       .title = "An empty attachment round trips",
       .requirement = "An attachment of zero bytes (an empty \"b\" record, or an empty binary "
                      "frame) is a valid binary value and MUST be echoed as an empty attachment.",
       .level = Level::must,
       .source = spec + "; Engine.IO v4 specification, Packet encoding",
       .transports = kPollingAndWebSocket},
      [p0](Context& c) {
        auto client = joined(c);
        send_all(*client, {{"51-[\"message\"," + p0 + "]"}, {"", true}});
        expect_next(c, *client, "message-back", "51-[\"message-back\"," + p0 + "] + <>");
      });

  add(out,
      {.id = "sio/binary/18",
       .title = "A large attachment round trips (128 KB over WebSocket, 32 KB over polling)",
       .requirement =
           "An attachment well under maxPayload (128 KB over WebSocket; 32 KB over polling, about "
           "43 KB of base64 in a POST that comes in two TCP writes) MUST be echoed whole.",
       .level = Level::must,
       .source = spec + "; Engine.IO v4 specification (maxPayload)",
       .transports = kPollingAndWebSocket},
      [p0](Context& c) {
        auto client = joined(c);
        HandPonged hand(c, *client);
        hand.after_ping();
        std::string blob(client->eio().current() == Transport::polling ? 32 * 1024 : 128 * 1024,
                         '\0');
        for (std::size_t i = 0; i < blob.size(); ++i)
          blob[i] = static_cast<char>((i * 7 + i / 256) & 0xff);
        hand.send({"451-[\"message\"," + p0 + "]", "b" + codec::base64_encode(blob)});
        const auto got = hand.expect(Ms(5000), "message-back");
        c.check(got.text == "51-[\"message-back\"," + p0 + "]" && got.attachments.size() == 1 &&
                    got.attachments[0] == blob,
                "message-back", "51-[\"message-back\"," + p0 + "] + the same 262144 bytes",
                got.text + (got.attachments.empty()
                                ? ""
                                : " + " + std::to_string(got.attachments[0].size()) + " bytes" +
                                      (got.attachments[0] == blob ? "" : " (different)")));
      });
}

}  // namespace conform::cases
