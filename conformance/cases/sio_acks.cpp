// sio/acks: acknowledgements both ways: ack ids as the client writes them, the fixture's
// message-with-ack, server-to-client acks through ctl:emit-with-ack (round trip, timeout, several
// at once, twice, binary), and acks on a custom namespace.
#include "areas.hpp"
#include "common.hpp"
#include "sio_common.hpp"

namespace conform::cases {

namespace {

std::string fence(std::string_view nsp, std::uint64_t id) {
  return codec::sio_text(2, nsp, id, R"(["ctl:fence"])");
}
std::string fence_ack(std::string_view nsp, std::uint64_t id) {
  return codec::sio_text(3, nsp, id, R"([{"ok":true}])");
}

// Asks the fixture to emit `event_json` with `args_json` to this socket, expecting an ack; returns
// the id of the control request.
std::uint64_t emit_with_ack(SioClient& client, std::string_view nsp, std::string_view event_json,
                            std::string_view args_json, int timeout_ms) {
  const auto id = client.next_id();
  client.send(codec::sio_text(2, nsp, id,
                              "[\"ctl:emit-with-ack\",{\"event\":" + std::string(event_json) +
                                  ",\"args\":" + std::string(args_json) +
                                  ",\"timeoutMs\":" + std::to_string(timeout_ms) + "}]"));
  return id;
}

// The server's EVENT asking for an ack: `name_and_args` is its JSON, and it must carry an id.
std::uint64_t expect_server_event(Context& c, SioClient& client, std::string_view nsp,
                                  std::string_view name_and_args) {
  const auto got = c.expect_sio(client, Ms(3000), "the server's event");
  const std::string expected =
      codec::sio_text(2, nsp, std::nullopt, "") + "<id>" + std::string(name_and_args);
  c.check(got.packet.type == 2 && got.packet.nsp == nsp && got.packet.id.has_value() &&
              got.packet.data == name_and_args,
          "the server's event", expected, shown(got));
  return *got.packet.id;
}

// The next `n` packets, in whatever order they come.
std::vector<std::string> next_n(Context& c, SioClient& client, std::size_t n,
                                std::string_view what) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(shown(c.expect_sio(client, Ms(3000), what)));
  std::sort(out.begin(), out.end());
  return out;
}

std::string joined_list(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string s;
  for (const auto& i : items)
    s += (s.empty() ? "" : " | ") + i;
  return s;
}

}  // namespace

void add_sio_acks(std::vector<Case>& out) {
  const std::string spec = "Socket.IO v5 specification, Acknowledgement";
  const std::string official = "official Socket.IO test suite; fixture contract";

  add(out,
      {.id = "sio/acks/1",
       .title = "message-with-ack is acknowledged with its arguments",
       .requirement = "An EVENT message-with-ack with ack id N MUST be answered with ACK N "
                      "carrying the same arguments, byte for byte.",
       .level = Level::must,
       .source = official,
       .transports = kAllTransports},
      [](Context& c) {
        auto client = joined(c);
        client->send(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
        expect_next(c, *client, "ack", R"(3456[1,"2",{"3":[false]}])");
      });

  add(out,
      {.id = "sio/acks/2",
       .title = "An ack id with leading zeros is read as a decimal number",
       .requirement = "The ack id is a decimal integer: \"007\" is 7, and the ACK MUST carry 7 "
                      "(written without the zeros).",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 observed (S10)"},
      [](Context& c) {
        auto client = joined(c);
        client->send(R"(2007["message-with-ack",1])");
        expect_next(c, *client, "ack", "37[1]");
      });

  add(out,
      {.id = "sio/acks/3",
       .title = "Ack id 0 is a valid id",
       .requirement =
           "0 is an ack id like any other: an EVENT with id 0 MUST be acknowledged with ACK 0.",
       .level = Level::must,
       .source = spec},
      [](Context& c) {
        auto client = joined(c);
        client->send(R"(20["message-with-ack","z"])");
        expect_next(c, *client, "ack", R"(30["z"])");
      });

  add(out,
      {.id = "sio/acks/4",
       .title = "The largest safe integer ack id is echoed exactly",
       .requirement = "An ack id up to 2^53-1 (9007199254740991, the largest a JavaScript client "
                      "can count to) MUST come back unchanged.",
       .level = Level::must,
       .source = spec + "; PROTOCOL notes §2.2 (ack ids 0..2^53-1)"},
      [](Context& c) {
        auto client = joined(c);
        client->send(R"(29007199254740991["message-with-ack",true])");
        expect_next(c, *client, "ack", "39007199254740991[true]");
      });

  add(out,
      {.id = "sio/acks/5",
       .title = "An ack without arguments is an empty array",
       .requirement = "message-with-ack without arguments MUST be acknowledged with ACK N and the "
                      "payload [] (an ACK's payload is an array, even when empty).",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 observed (S24)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c);
        client->send(R"(2321["message-with-ack"])");
        expect_next(c, *client, "ack", "3321[]");
      });

  add(out,
      {.id = "sio/acks/6",
       .title = "An ack whose arguments hold binary is a BINARY_ACK",
       .requirement =
           "When the acknowledged arguments contain binary, the server MUST answer BINARY_ACK "
           "(6<n>-<id>) with placeholders and the bytes as attachments, not a text ACK.",
       .level = Level::must,
       .source = spec + "; PROTOCOL notes §4.2 (BINARY_ACK required); socket.io 4.8 observed "
                        "(S23)",
       .transports = kAllTransports},
      [](Context& c) {
        auto client = joined(c);
        send_all(*client, {{R"(51-12["message-with-ack","x",{"_placeholder":true,"num":0}])"},
                           {std::string("\xde\xad\xbe\xef", 4), true}});
        expect_next(c, *client, "ack",
                    R"(61-12["x",{"_placeholder":true,"num":0}] + <de ad be ef>)");
      });

  add(out,
      {.id = "sio/acks/7",
       .title = "message sent with an ack id gets message-back and no ack",
       .requirement =
           "The fixture's message handler asks for no ack: message with an ack id MUST be answered "
           "with message-back only, and nothing else before a later ctl:fence is answered.",
       .level = Level::must,
       .source = "fixture contract",
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto f = client->next_id();
        client->eio().send_batch({R"(4277["message","x"])", "4" + fence("/", f)});
        expect_next(c, *client, "first packet", R"(2["message-back","x"])");
        expect_next(c, *client, "second packet", fence_ack("/", f));
      });

  add(out,
      {.id = "sio/acks/8",
       .title = "message-with-ack without an ack id answers nothing",
       .requirement = "message-with-ack sent without an ack id MUST NOT be answered: nothing comes "
                      "back before a later ctl:fence is answered.",
       .level = Level::must,
       .source = "fixture contract",
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto f = client->next_id();
        client->eio().send_batch({R"(42["message-with-ack",1])", "4" + fence("/", f)});
        expect_next(c, *client, "first packet", fence_ack("/", f));
      });

  add(out,
      {.id = "sio/acks/9",
       .title = "A server-to-client ack round trips",
       .requirement =
           "An event the server emits with an ack MUST carry an ack id; the client's ACK with that "
           "id and several arguments MUST reach the server's callback with every argument, in "
           "order (ctl:emit-with-ack answers them in \"response\").",
       .level = Level::must,
       .source = spec + "; fixture contract (ctl:emit-with-ack)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto id =
            emit_with_ack(*client, "/", R"("ping-me")", R"([1,"two",{"3":[null]}])", 5000);
        const auto n = expect_server_event(c, *client, "/", R"(["ping-me",1,"two",{"3":[null]}])");
        client->send(codec::sio_text(3, "/", n, R"(["pong",2,{"x":[true]},null])"));
        expect_next(c, *client, "ctl:emit-with-ack answer",
                    codec::sio_text(3, "/", id,
                                    R"([{"ok":true,"response":["pong",2,{"x":[true]},null]}])"));
      });

  add(out,
      {.id = "sio/acks/10",
       .title = "Acks on /custom carry the namespace",
       .requirement = "Every ACK on a namespace other than / MUST carry it (3/custom,N[...]), and "
                      "so MUST an event the server emits there with an ack; an ACK written without "
                      "the namespace would target / (a bug of other servers).",
       .level = Level::must,
       .source = spec + "; PROTOCOL notes §4.2 (namespace on every packet)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto client = joined(c, "/custom");
        const auto f = client->next_id();
        client->send(fence("/custom", f));
        expect_next(c, *client, "ack of ctl:fence on /custom", fence_ack("/custom", f));
        const auto id = emit_with_ack(*client, "/custom", R"("ping-custom")", R"(["c"])", 5000);
        const auto n = expect_server_event(c, *client, "/custom", R"(["ping-custom","c"])");
        client->send(codec::sio_text(3, "/custom", n, R"(["back"])"));
        expect_next(c, *client, "ctl:emit-with-ack answer",
                    codec::sio_text(3, "/custom", id, R"([{"ok":true,"response":["back"]}])"));
      });

  add(out,
      {.id = "sio/acks/11",
       .title = "An unanswered server ack times out after timeoutMs, not before",
       .requirement = "When the client never answers, the server's ack callback MUST get the "
                      "timeout after about timeoutMs (ctl:emit-with-ack answers "
                      "{\"ok\":false,\"error\":\"timeout\"}), and not before it.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S25); fixture contract (ctl:emit-with-ack)",
       .transports = kPollingAndWebSocket,
       .extended = true,
       .timing = true},
      [](Context& c) {
        auto client = joined(c);
        const Ms timeout(300);
        const auto start = Clock::now();
        const auto id = emit_with_ack(*client, "/", R"("never-answered")", "[]",
                                      static_cast<int>(timeout.count()));
        expect_server_event(c, *client, "/", R"(["never-answered"])");
        const auto limit = timeout + c.prompt(client->eio());
        const auto got = c.expect_sio(*client, limit + Ms(1000), "ctl:emit-with-ack answer");
        const auto took = std::chrono::duration_cast<Ms>(Clock::now() - start);
        c.expect_eq("ctl:emit-with-ack answer",
                    codec::sio_text(3, "/", id, R"([{"ok":false,"error":"timeout"}])"), got.text);
        c.check(took >= timeout - Ms(10) && took <= limit, "answered after",
                std::to_string(timeout.count()) + " to " + std::to_string(limit.count()) + " ms",
                std::to_string(took.count()) + " ms");
      });

  add(out,
      {.id = "sio/acks/12",
       .title = "An ack with an unknown id is ignored",
       .requirement = "An ACK whose id the server never issued MUST be ignored: the connection "
                      "stays open and nothing comes back before a later ctl:fence is answered.",
       .level = Level::must,
       .source = "socket.io 4.8 observed (S9); " + spec,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto f = client->next_id();
        client->eio().send_batch({R"(43987654["stray"])", "4" + fence("/", f)});
        expect_next(c, *client, "first packet", fence_ack("/", f));
      });

  add(out,
      {.id = "sio/acks/13",
       .title = "An ack answered twice counts once",
       .requirement =
           "The server's ack callback MUST run once: a second ACK with the same id is ignored, the "
           "first answer is the one reported, and the connection stays open.",
       .level = Level::must,
       .source = spec + "; socket.io 4.8 (an ack id is forgotten once used)",
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto id = emit_with_ack(*client, "/", R"("answer-twice")", "[]", 5000);
        const auto n = expect_server_event(c, *client, "/", R"(["answer-twice"])");
        const auto f = client->next_id();
        client->eio().send_batch({"4" + codec::sio_text(3, "/", n, R"(["first"])"),
                                  "4" + codec::sio_text(3, "/", n, R"(["second"])"),
                                  "4" + fence("/", f)});
        c.expect_eq(
            "the next two packets (any order)",
            joined_list({codec::sio_text(3, "/", id, R"([{"ok":true,"response":["first"]}])"),
                         fence_ack("/", f)}),
            joined_list(next_n(c, *client, 2, "answers")));
      });

  add(out,
      {.id = "sio/acks/14",
       .title = "Server acks in flight together are matched by id",
       .requirement =
           "Two events the server emits with acks at the same time MUST carry different ids, and "
           "each ACK MUST reach the callback of its own event, whatever the order of the answers.",
       .level = Level::must,
       .source = spec,
       .transports = kPollingAndWebSocket,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto a = client->next_id();
        const auto b = client->next_id();
        auto request = [&](std::uint64_t id, std::string_view event) {
          return "4" + codec::sio_text(2, "/", id,
                                       "[\"ctl:emit-with-ack\",{\"event\":\"" + std::string(event) +
                                           "\",\"args\":[],\"timeoutMs\":5000}]");
        };
        client->eio().send_batch({request(a, "first-q"), request(b, "second-q")});
        std::optional<std::uint64_t> first, second;
        for (int i = 0; i < 2; ++i) {
          const auto got = c.expect_sio(*client, Ms(3000), "the server's events");
          c.check(got.packet.type == 2 && got.packet.id.has_value() &&
                      (got.packet.data == R"(["first-q"])" || got.packet.data == R"(["second-q"])"),
                  "the server's events", "2<id>[\"first-q\"] and 2<id>[\"second-q\"]", got.text);
          (got.packet.data == R"(["first-q"])" ? first : second) = got.packet.id;
        }
        c.check(first && second && *first != *second, "ack ids of the two events",
                "two different ids",
                (first ? std::to_string(*first) : "none") + " and " +
                    (second ? std::to_string(*second) : "none"));
        client->eio().send_batch({"4" + codec::sio_text(3, "/", *second, R"(["answer-b"])"),
                                  "4" + codec::sio_text(3, "/", *first, R"(["answer-a"])")});
        c.expect_eq(
            "the answers (any order)",
            joined_list({codec::sio_text(3, "/", a, R"([{"ok":true,"response":["answer-a"]}])"),
                         codec::sio_text(3, "/", b, R"([{"ok":true,"response":["answer-b"]}])")}),
            joined_list(next_n(c, *client, 2, "answers")));
      });

  add(out,
      {.id = "sio/acks/15",
       .title = "A BINARY_ACK from the client is accepted",
       .requirement = "The client may answer a server ack with binary (6<n>-<id> and attachments): "
                      "the server MUST rebuild it and hand the bytes to the callback "
                      "(ctl:emit-with-ack answers them as an attachment of its own BINARY_ACK).",
       .level = Level::must,
       .source = spec + "; fixture contract (ctl:emit-with-ack)",
       .transports = kAllTransports,
       .extended = true},
      [](Context& c) {
        auto client = joined(c);
        const auto id = emit_with_ack(*client, "/", R"("want-binary")", "[]", 5000);
        const auto n = expect_server_event(c, *client, "/", R"(["want-binary"])");
        send_all(*client,
                 {{codec::sio_text(6, "/", n, R"(["bin",{"_placeholder":true,"num":0}])", 1)},
                  {std::string("\x01\x02\x03", 3), true}});
        expect_next(c, *client, "ctl:emit-with-ack answer",
                    codec::sio_text(
                        6, "/", id,
                        R"([{"ok":true,"response":["bin",{"_placeholder":true,"num":0}]}])", 1) +
                        " + <01 02 03>");
      });

  add(out,
      {.id = "sio/acks/16",
       .title = "An ack without the namespace of a joined one closes the connection",
       .requirement =
           "An ACK written without a namespace targets /; when the client has joined only /custom, "
           "it is a packet for a namespace not joined and the server MUST close the connection "
           "promptly (the bug of clients that drop the namespace from acks).",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Connection to a namespace; PROTOCOL notes §4.2 "
                 "(go.socket.io #60)",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto client = joined(c, "/custom");
        client->send(R"(30["x"])");
        c.expect_sio_closed(*client, c.prompt(client->eio()), "after 30[\"x\"]");
      });
}

}  // namespace conform::cases
