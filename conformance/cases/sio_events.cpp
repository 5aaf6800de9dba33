// sio/events: EVENT packets from the client: the fixture's message/message-back echo, JSON as
// JSON.stringify writes it, Unicode, event names (numbers, "error", reserved names) and the
// malformed EVENTs that must close the connection.
#include <deque>

#include "areas.hpp"
#include "common.hpp"
#include "sio_common.hpp"

namespace conform::cases {

namespace {

// Sends 2["message",<args>] and expects 2["message-back",<expected>] as the next packet.
void expect_echo(Context& c, SioClient& client, std::string_view args, std::string_view expected,
                 std::string_view what = "message-back") {
  client.send("2[\"message\"," + std::string(args) + "]");
  expect_next(c, client, what, "2[\"message-back\"," + std::string(expected) + "]");
}

// Sends `packet` and a ctl:fence in one go (one POST, or two frames); the fence's ack must be the
// next packet: the connection stayed open and nothing came back for `packet`.
void expect_nothing_then_fence(Context& c, SioClient& client, std::string_view packet,
                               std::string_view nsp = "/") {
  const auto id = client.next_id();
  client.eio().send_batch(
      {"4" + std::string(packet), "4" + codec::sio_text(2, nsp, id, R"(["ctl:fence"])")});
  expect_next(c, client, "first packet after " + std::string(packet),
              codec::sio_text(3, nsp, id, R"([{"ok":true}])"));
}

// Opens one joined connection per packet, sends each its packet, and expects every connection to
// be closed promptly.
void expect_each_closes(Context& c, const std::vector<std::string>& packets) {
  std::vector<std::unique_ptr<SioClient>> clients;
  for (std::size_t i = 0; i < packets.size(); ++i)
    clients.push_back(joined(c));
  for (std::size_t i = 0; i < packets.size(); ++i)
    clients[i]->send(packets[i]);
  for (std::size_t i = 0; i < packets.size(); ++i)
    c.expect_sio_closed(*clients[i], c.prompt(clients[i]->eio()), "after " + packets[i]);
}

// About `size` bytes of text with one-, two-, three- and four-byte UTF-8 characters.
std::string large_text(std::size_t size) {
  std::string text;
  while (text.size() < size)
    text += "abcdefghij0123456789 é€😀 ";
  return text;
}

}  // namespace

void add_sio_events(std::vector<Case>& out) {
  const std::string spec = "Socket.IO v5 specification, Packet format (EVENT)";
  const std::string official = "official Socket.IO test suite; fixture contract";
  const std::string json_rule = "fixture contract (JSON comes back as JSON.stringify writes it)";

  add(out,
      {.id = "sio/events/1",
       .title = "message is echoed as message-back byte for byte",
       .requirement = "An EVENT message with arguments A on / MUST be answered with the EVENT "
                      "message-back carrying A; canonical JSON comes back with the same bytes.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = joined(c);
        expect_echo(c, *client, R"(1,"2",{"3":[true]})", R"(1,"2",{"3":[true]})");
      });

  add(out,
      {.id = "sio/events/2",
       .title = "message without arguments is echoed without arguments",
       .requirement = "An EVENT [\"message\"] MUST be answered with [\"message-back\"] and no "
                      "argument (no null, no empty array added).",
       .level = Level::must,
       .source = "fixture contract",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        client->send(R"(2["message"])");
        expect_next(c, *client, "message-back", R"(2["message-back"])");
      });

  add(out,
      {.id = "sio/events/3",
       .title = "Insignificant JSON whitespace is dropped",
       .requirement = "JSON with spaces, tabs and newlines between tokens MUST be accepted, and "
                      "the echo MUST be written without them, as JSON.stringify writes it.",
       .level = Level::must,
       .source = json_rule,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        client->send("2[ \"message\" ,\n\t{ \"a\" : [ 1 , 2 ] ,\r\n \"b\" : \"x y\" } , null ] ");
        expect_next(c, *client, "message-back", R"(2["message-back",{"a":[1,2],"b":"x y"},null])");
      });

  add(out,
      {.id = "sio/events/4",
       .title = "Numbers come back as JavaScript writes them",
       .requirement = "Numbers MUST be read as IEEE doubles and written as JavaScript's "
                      "Number-to-string does: 1.0 is 1, -0 is 0, 1e21 is 1e+21, 1e-7 stays 1e-7, "
                      "integers past 2^53 round, and numbers too large for a double become null.",
       .level = Level::must,
       .source = json_rule},
      [](Context& c) {
        auto client = joined(c);
        expect_echo(c, *client,
                    "1.0,1.50,-0,1e2,1E+2,100e-2,1e-7,0.000001,0.0000001,1e21,"
                    "123456789012345678901,9007199254740993,0.1,5e-324,"
                    "1.7976931348623157e308,-1.5e-10,1e400,1e-400,12345678.9",
                    "1,1.5,0,100,100,1,1e-7,0.000001,1e-7,1e+21,"
                    "123456789012345680000,9007199254740992,0.1,5e-324,"
                    "1.7976931348623157e+308,-1.5e-10,null,0,12345678.9");
      });

  add(out,
      {.id = "sio/events/5",
       .title = "String escapes come back as JSON.stringify writes them",
       .requirement =
           "Escapes that JSON.stringify does not write MUST come back as the characters they stand "
           "for (\\u0041 is A, \\/ is /, \\u00E9 is é); control characters MUST come back as \\b "
           "\\f \\n \\r \\t or a lower-case \\u00XX escape, and DEL (0x7F) as the byte itself.",
       .level = Level::must,
       .source = json_rule},
      [](Context& c) {
        auto client = joined(c);
        expect_echo(c, *client, R"("\u0041\u00E9\/\"\\\b\f\n\r\t\u0000\u001F\u007f")",
                    "\"A\xC3\xA9/\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\x7F\"");
      });

  add(out,
      {.id = "sio/events/6",
       .title = "Repeated keys keep the last value; index keys come first",
       .requirement = "Objects MUST come back as JavaScript builds and writes them: a repeated key "
                      "keeps its first position and its last value, and keys that are array "
                      "indices (\"1\", \"10\", not \"01\" or \"-1\") come first in numeric order, "
                      "the others in arrival order. A \"__proto__\" key is an ordinary key.",
       .level = Level::must,
       .source = json_rule},
      [](Context& c) {
        auto client = joined(c);
        expect_echo(c, *client,
                    R"({"b":1,"a":2,"b":3},{"z":0,"2":1,"10":2,"1":3,"a":4,"01":5,"-1":6,"1.5":7},)"
                    R"({"x":1,"7":2,"x":3,"7":4},{"__proto__":{"polluted":true}})",
                    R"({"b":3,"a":2},{"1":3,"2":1,"10":2,"z":0,"a":4,"01":5,"-1":6,"1.5":7},)"
                    R"({"7":4,"x":3},{"__proto__":{"polluted":true}})");
      });

  add(out,
      {.id = "sio/events/7",
       .title = "Unicode round trips",
       .requirement =
           "Characters outside the BMP, U+2028/U+2029 and escaped surrogate pairs MUST come back "
           "as raw UTF-8; a lone surrogate escape (\"\\ud800\", \"\\uDC00\") MUST come back as a "
           "lower-case escape of the same code unit, as JSON.stringify writes it.",
       .level = Level::must,
       .source = json_rule + "; PROTOCOL notes §5.3 (Unicode round trips)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        const std::string grin = "\xF0\x9F\x98\x80";  // U+1F600
        const std::string ls = "\xE2\x80\xA8", ps = "\xE2\x80\xA9";
        expect_echo(c, *client,
                    "\"" + grin + "\",\"\\ud83d\\ude00\",\"\\uD83D\\uDE00\",\"" + ls + ps +
                        "\",\"\\u2028\\u2029\",\"\\ud800\",\"x\\uDC00y\",\"\\ud800\\ud800\","
                        "\"\\ude00\\ud83d\",\"\xC3\xA9\xE2\x82\xAC\"",
                    "\"" + grin + "\",\"" + grin + "\",\"" + grin + "\",\"" + ls + ps + "\",\"" +
                        ls + ps +
                        "\",\"\\ud800\",\"x\\udc00y\",\"\\ud800\\ud800\",\"\\ude00\\ud83d\","
                        "\"\xC3\xA9\xE2\x82\xAC\"");
      });

  add(out,
      {.id = "sio/events/8",
       .title = "A large event round trips (100 KB over WebSocket, 48 KB over polling)",
       .requirement = "An EVENT well under maxPayload (a string with multi-byte characters, 100 KB "
                      "over WebSocket, 48 KB over polling) MUST be echoed whole; over polling the "
                      "POST body comes in two TCP writes and the server MUST read all of it "
                      "(Content-Length). The polling size keeps the POST, during which the client "
                      "holds back its pong, well inside pingTimeout on a busy machine.",
       .level = Level::must,
       .source = "fixture contract; Engine.IO v4 specification (maxPayload)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        HandPonged hand(c, *client);
        hand.after_ping();
        const auto text =
            json_string(large_text(client->eio().current() == Transport::polling ? 48000 : 100000));
        hand.send({"42[\"message\"," + text + "]"});
        const auto got = hand.expect(Ms(5000), "message-back");
        const std::string expected = "2[\"message-back\"," + text + "]";
        c.check(got.text == expected, "message-back",
                "the same " + std::to_string(text.size()) + " bytes of JSON string",
                got.text.size() > 200 ? got.text.substr(0, 200) + "... (" +
                                            std::to_string(got.text.size()) + " bytes)"
                                      : got.text);
      });

  add(out,
      {.id = "sio/events/9",
       .title = "/custom has no message handler",
       .requirement = "The fixture's /custom namespace MUST NOT answer message: nothing comes back "
                      "before the answer to a later ctl:fence.",
       .level = Level::must,
       .source = "fixture contract",
       .extended = true},
      [](Context& c) {
        auto client = joined(c, "/custom");
        expect_nothing_then_fence(c, *client, R"(2/custom,["message","x"])", "/custom");
      });

  add(out,
      {.id = "sio/events/10",
       .title = "Numeric event names are accepted",
       .requirement = "The first element of an EVENT may be a number: the server MUST accept "
                      "[1,\"x\"] and [-2.5] and keep the connection open.",
       .level = Level::must,
       .source = spec + " (\"the first element is the event name: a string or a number\"); "
                        "socket.io 4.8 observed (S12)",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto id = client->next_id();
        client->eio().send_batch(
            {R"(42[1,"x"])", "42[-2.5]", "4" + codec::sio_text(2, "/", id, R"(["ctl:fence"])")});
        expect_next(c, *client, "first packet after the numeric events",
                    codec::sio_text(3, "/", id, R"([{"ok":true}])"));
      });

  add(out,
      {.id = "sio/events/11",
       .title = "An event named error is accepted",
       .requirement = "\"error\" is not a reserved name on the wire: [\"error\",\"x\"] MUST be "
                      "accepted and the connection MUST stay open.",
       .level = Level::must,
       .source = "socket.io-parser RESERVED_EVENTS; socket.io 4.8 observed (S13)",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        expect_nothing_then_fence(c, *client, R"(2["error","x"])");
      });

  add(out,
      {.id = "sio/events/12",
       .title = "Reserved event names close the connection",
       .requirement =
           "An EVENT named connect, connect_error, disconnect, disconnecting, newListener or "
           "removeListener is invalid: the server MUST close the connection promptly.",
       .level = Level::must,
       .source = "socket.io-parser RESERVED_EVENTS; socket.io 4.8 observed (S7)",
       .transports = kAllTransports},
      [](Context& c) {
        expect_each_closes(c,
                           {R"(2["connect"])", R"(2["connect_error",{}])", R"(2["disconnect","x"])",
                            R"(2["disconnecting"])", R"(2["newListener","message"])",
                            R"(2["removeListener","message"])"});
      });

  add(out,
      {.id = "sio/events/13",
       .title = "An EVENT with an empty array closes the connection",
       .requirement = "The EVENT payload MUST be a non-empty array: \"2[]\" is invalid and the "
                      "server MUST close the connection promptly.",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 observed (S7)",
       .transports = kAllTransports},
      [](Context& c) { expect_each_closes(c, {"2[]"}); });

  add(out,
      {.id = "sio/events/14",
       .title = "An EVENT whose payload is an object closes the connection",
       .requirement = "\"2{}\" is not an array: the server MUST close the connection promptly "
                      "(official test \"invalid payload format\").",
       .level = Level::must,
       .source = official + "; " + spec,
       .transports = kAllTransports},
      [](Context& c) { expect_each_closes(c, {"2{}"}); });

  add(out,
      {.id = "sio/events/15",
       .title = "An EVENT with letters where the ack id goes closes the connection",
       .requirement =
           "\"2abc[...]\": what follows the type is neither a namespace, nor an ack id, nor JSON; "
           "the server MUST close the connection promptly (official test \"invalid ack id\").",
       .level = Level::must,
       .source = official + "; " + spec,
       .transports = kAllTransports},
      [](Context& c) { expect_each_closes(c, {R"(2abc["message","x"])"}); });

  add(out,
      {.id = "sio/events/16",
       .title = "An unknown Socket.IO packet type closes the connection",
       .requirement = "A Socket.IO packet whose type is not 0-6 (\"abc\", \"7[...]\", \"9\") MUST "
                      "close the connection promptly (official test \"unknown packet type\").",
       .level = Level::must,
       .source = official + "; Socket.IO v5 specification, Packet types",
       .transports = kAllTransports},
      [](Context& c) {
        expect_each_closes(c, {"abc", R"(7["message"])", "9"});
      });

  add(out,
      {.id = "sio/events/17",
       .title = "An event name that is neither a string nor a number closes",
       .requirement = "The first element of an EVENT MUST be a string or a number: [true,...], "
                      "[null,...], [{},...] and [[...],...] are invalid, and the server MUST close "
                      "the connection promptly.",
       .level = Level::must,
       .source = spec + "; socket.io-parser isPayloadValid",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        expect_each_closes(
            c, {R"(2[true,"x"])", R"(2[null,"x"])", R"(2[{},"x"])", R"(2[["message"],"x"])"});
      });

  add(out,
      {.id = "sio/events/18",
       .title = "An EVENT without payload closes the connection",
       .requirement = "The specification makes the EVENT payload mandatory, so \"2\" alone SHOULD "
                      "close the connection. socket.io 4.8 accepts it (an event with no name): "
                      "that is an allowed alternative.",
       .level = Level::should,
       .source = spec + " (\"the payload MUST be a non-empty array\"); socket.io 4.8 "
                        "observed (S8)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        client->eio().send_batch({"42", R"(42["message","after"])"});
        const auto got = client->next(c.prompt(client->eio()));
        if (!got && client->closed()) {
          c.check(true, "after \"2\"", "the connection closes", "closed: " + client->end_reason());
          return;
        }
        if (got && got->text == R"(2["message-back","after"])")
          c.alternative("after \"2\"", "the connection closes",
                        "accepted: the next event was answered (" + got->text + ")");
        c.fail("after \"2\"", "the connection closes (or the next event is answered)",
               got ? got->text
                   : "neither within " + std::to_string(c.prompt(client->eio()).count()) + " ms");
      });

  add(out,
      {.id = "sio/events/19",
       .title = "An event on a namespace not joined closes the connection",
       .requirement =
           "An EVENT for a namespace the client has not joined (here /custom, which exists) is a "
           "protocol violation: the server MUST close the connection promptly.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Connection to a namespace; socket.io 4.8 "
                 "observed (S3)",
       .transports = kAllTransports},
      [](Context& c) { expect_each_closes(c, {R"(2/custom,["message","x"])"}); });

  add(out,
      {.id = "sio/events/20",
       .title = "Events sent together are answered in order",
       .requirement = "Several EVENTs in one polling payload (or back-to-back frames) MUST each be "
                      "handled, in the order sent.",
       .level = Level::must,
       .source = "Engine.IO v4 specification, Payload; fixture contract",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        client->eio().send_batch(
            {R"(42["message",1])", R"(42["message","two"])", R"(42["message",{"n":3}])"});
        expect_next(c, *client, "first message-back", R"(2["message-back",1])");
        expect_next(c, *client, "second message-back", R"(2["message-back","two"])");
        expect_next(c, *client, "third message-back", R"(2["message-back",{"n":3}])");
      });

  add(out,
      {.id = "sio/events/21",
       .title = "An EVENT whose JSON is invalid closes the connection",
       .requirement =
           "The payload MUST be strict JSON: a trailing comma, a leading zero, NaN, single quotes, "
           "text after the array, a bad escape, a raw control character in a string or a truncated "
           "array each make the packet invalid, and the server MUST close the connection promptly.",
       .level = Level::must,
       .source = spec + "; RFC 8259",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        expect_each_closes(c, {R"(2["message",])", R"(2["message",01])", R"(2["message",NaN])",
                               R"(2['message'])", R"(2["message"]x)", R"(2["message","\x"])",
                               "2[\"message\",\"a\nb\"]", R"(2["message")"});
      });
}

}  // namespace conform::cases
