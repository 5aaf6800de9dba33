// sio/robustness: hostile input, including the inputs behind past advisories. Each case checks
// that the server survives: a client connected before is untouched and a new connection still
// works, besides what happens to the connection that sent the input.
#include <deque>
#include <initializer_list>

#include "areas.hpp"
#include "common.hpp"
#include "sio_common.hpp"

namespace conform::cases {

namespace {

// How `client` reacted to hostile input by `deadline` (several connections share one): "closed:
// ..." when it was closed with no answer first, otherwise what happened.
std::string reaction(SioClient& client, Clock::time_point deadline) {
  const auto left = std::max(Ms(0), std::chrono::duration_cast<Ms>(deadline - Clock::now()));
  const auto got = client.next(left);
  if (got) return "answered: " + shown(*got);
  if (client.closed()) return "closed: " + client.end_reason();
  return "still open at the deadline";
}

// Records every reaction, checks that the server still serves others, and only then requires
// every connection to have been closed (so that a server that survives but lets the hostile
// connections live is reported as such).
void expect_closed_then_unharmed(Context& c, SioClient& bystander,
                                 const std::vector<std::pair<std::string, std::string>>& seen) {
  std::string open;
  for (const auto& [what, outcome] : seen) {
    const bool closed = outcome.starts_with("closed: ");
    if (closed) c.check(true, what, "the connection closes, with no answer", outcome);
    if (!closed) open += (open.empty() ? "" : "; ") + what + ": " + outcome;
  }
  expect_unharmed(c, bystander);
  c.check(open.empty(), "the connections that sent hostile input",
          "each closed within " + std::to_string(c.prompt(bystander.eio()).count()) +
              " ms, with no answer",
          open.empty() ? "all closed" : open);
}

}  // namespace

void add_sio_robustness(std::vector<Case>& out) {
  const std::string advisory = "PROTOCOL notes §6 (inputs behind past advisories)";

  add(out,
      {.id = "sio/robustness/1",
       .title = "Parser-crashing packets close only their own connection",
       .requirement = "Every malformed Socket.IO packet from socket.io-parser's error list (bad "
                      "attachment counts, unknown types, invalid payloads, reserved names, ...) "
                      "MUST be a parse error for its own connection only: that connection is "
                      "closed promptly, and the server keeps serving everyone else.",
       .level = Level::must,
       .source = "CVE-2023-32695 (socket.io-parser 4.2.3); " + advisory,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::vector<std::string> inputs{"5",
                                              "51",
                                              "5a-",
                                              "51.23-",
                                              "999",
                                              R"(2[{"toString":"foo"}])",
                                              R"(0/admin,"invalid")",
                                              R"(442["some","data")",
                                              "0[]",
                                              "1/admin,{}",
                                              R"(2/admin,"invalid)",
                                              "2/admin,{}",
                                              R"(2[true,"foo"])",
                                              R"(2[null,"bar"])",
                                              R"(2["connect"])",
                                              R"(2["disconnect","123"])",
                                              "6"};
        std::vector<std::unique_ptr<SioClient>> attackers;
        for (std::size_t i = 0; i < inputs.size(); ++i)
          attackers.push_back(joined(c));
        for (std::size_t i = 0; i < inputs.size(); ++i)
          attackers[i]->send(inputs[i]);
        std::vector<std::pair<std::string, std::string>> seen;
        const auto deadline = Clock::now() + c.prompt(bystander->eio());
        for (std::size_t i = 0; i < inputs.size(); ++i)
          seen.emplace_back("after " + inputs[i], reaction(*attackers[i], deadline));
        expect_closed_then_unharmed(c, *bystander, seen);
      });

  add(out,
      {.id = "sio/robustness/2",
       .title = "Hostile placeholder nums are refused, never resolved",
       .requirement = "A placeholder num that is not an integer index (\"splice\", \"toString\", "
                      "\"__proto__\", \"constructor\", \"length\", \"0\", null, true, {}, [0], "
                      "1e999) MUST close its connection promptly without any echo, and the server "
                      "keeps serving everyone else.",
       .level = Level::must,
       .source = "CVE-2022-2421 (socket.io-parser 4.0.5 / 4.2.1); " + advisory,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::vector<std::string> nums{
            R"("splice")", R"("toString")", R"("__proto__")", R"("constructor")",
            R"("length")", R"("0")",        "null",           "true",
            "{}",          "[0]",           "1e999"};
        std::vector<std::unique_ptr<SioClient>> attackers;
        for (std::size_t i = 0; i < nums.size(); ++i)
          attackers.push_back(joined(c));
        for (std::size_t i = 0; i < nums.size(); ++i)
          send_all(*attackers[i],
                   {{R"(51-["message",{"_placeholder":true,"num":)" + nums[i] + "}]"},
                    {bytes({1, 2, 3}), true}});
        std::vector<std::pair<std::string, std::string>> seen;
        const auto deadline = Clock::now() + c.prompt(bystander->eio());
        for (std::size_t i = 0; i < nums.size(); ++i)
          seen.emplace_back("after num " + nums[i], reaction(*attackers[i], deadline));
        expect_closed_then_unharmed(c, *bystander, seen);
      });

  add(out,
      {.id = "sio/robustness/3",
       .title = "Very deep JSON nesting does not bring the server down",
       .requirement =
           "JSON nested very deep (100000 unclosed [ over WebSocket, 40000 over polling, and 10000 "
           "balanced) MUST NOT crash the server or stall other clients; the connection that sent "
           "it may be closed or answered (what happened is recorded).",
       .level = Level::must,
       .source = advisory,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::size_t unclosed = c.transport() == Transport::polling ? 40000 : 100000;
        const std::vector<std::pair<std::string, std::string>> inputs{
            {std::to_string(unclosed) + " unclosed [",
             "42[\"message\"," + std::string(unclosed, '[')},
            {"10000 balanced [ ]",
             "42[\"message\"," + std::string(10000, '[') + std::string(10000, ']') + "]"}};
        for (const auto& [name, packet] : inputs) {
          auto attacker = joined(c);
          HandPonged hand(c, *attacker);
          hand.after_ping();
          hand.send({packet});
          c.check(true, name, "the server survives (outcome recorded)",
                  hand.outcome(c.prompt(attacker->eio())));
        }
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/4",
       .title = "An ack id past 2^53 is refused, ignored or echoed exactly",
       .requirement =
           "An ack id larger than 2^53-1 cannot be counted exactly by a JavaScript client. The "
           "server MUST survive it and SHOULD close the connection, ignore the packet, or answer "
           "with the very same digits; answering with a rounded id (as socket.io 4.8 does: "
           "43100000000000000000000[1]) is an allowed alternative.",
       .level = Level::must,
       .source = "PROTOCOL notes §2.2 (ack ids 0..2^53-1); socket.io 4.8 observed",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto attacker = joined(c);
        const std::string huge = "99999999999999999999";
        attacker->send("2" + huge + R"(["message-with-ack",1])");
        const auto got = attacker->next(c.prompt(attacker->eio()));
        std::string outcome;
        bool rounded = false;
        if (!got && attacker->closed()) {
          outcome = "closed: " + attacker->end_reason();
        } else if (got) {
          outcome = "answered: " + got->text;
          if (got->text != "3" + huge + "[1]") {
            c.check(got->packet.type == 3, "answer", "3" + huge + "[1], a close, or nothing",
                    got->text);
            rounded = true;
          }
        } else {
          attacker->send(R"(2["message","after"])");
          expect_next(c, *attacker, "the same connection afterwards",
                      R"(2["message-back","after"])");
          outcome = "ignored";
        }
        expect_unharmed(c, *bystander);
        if (rounded)
          c.alternative("after an ack id of " + std::to_string(huge.size()) + " digits",
                        "a close, nothing, or 3" + huge + "[1]", outcome);
        c.check(true, "after an ack id of " + std::to_string(huge.size()) + " digits",
                "a close, nothing, or 3" + huge + "[1]", outcome);
      });

  add(out,
      {.id = "sio/robustness/5",
       .title = "Invalid UTF-8 in a polling POST does not bring the server down",
       .requirement = "Bytes that are not UTF-8 inside a JSON string of a POST MUST NOT crash the "
                      "server or harm other clients; whether the connection is answered (socket.io "
                      "4.8 decodes them as U+FFFD) or closed is recorded.",
       .level = Level::must,
       .source = advisory,
       .transports = kPolling},
      [](Context& c) {
        auto bystander = joined(c);
        auto attacker = joined(c);
        attacker->send(
            "2[\"message\",\"a\xff\xfe"
            "b\xc3(\xed\xa0\x80z\"]");
        const auto got = attacker->next(c.prompt(attacker->eio()));
        std::string outcome = got                  ? "answered: " + got->text
                              : attacker->closed() ? "closed: " + attacker->end_reason()
                                                   : "nothing answered, connection open";
        const auto& post = attacker->eio().last_post();
        if (post) outcome += " (POST answered " + std::to_string(post->status) + ")";
        c.check(true, "after invalid UTF-8", "any answer, or a close (recorded)", outcome);
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/6",
       .title = "Invalid UTF-8 in a WebSocket text frame closes the connection",
       .requirement = "A text frame that is not UTF-8 MUST fail the WebSocket connection (close "
                      "code 1007), and the server keeps serving everyone else.",
       .level = Level::must,
       .source = "RFC 6455 §8.1 and §5.6; " + advisory,
       .transports = kWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto attacker = joined(c);
        attacker->send(
            "2[\"message\",\"a\xff\xfe"
            "b\"]");
        expect_closed_then_unharmed(
            c, *bystander,
            {{"after a text frame with invalid UTF-8",
              reaction(*attacker, Clock::now() + c.prompt(attacker->eio()))}});
      });

  add(out,
      {.id = "sio/robustness/7",
       .title = "A 30 KB event name is harmless",
       .requirement = "An event name of 30 KB is legal (under maxPayload): the server MUST keep "
                      "the connection open (no handler answers it) and serve the next event on it.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Packet format (EVENT); " + advisory,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = joined(c);
        HandPonged hand(c, *client);
        hand.after_ping();
        hand.send({"42[\"" + std::string(30000, 'e') + "\",1]", R"(42["message","after"])"});
        const auto got = hand.expect(Ms(5000), "message-back after the long name");
        c.expect_eq("message-back after the long name", R"(2["message-back","after"])", got.text);
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/8",
       .title = "500 events in one POST are all answered, in order",
       .requirement =
           "500 EVENTs in one polling payload MUST all be handled and answered in the order sent.",
       .level = Level::must,
       .source = "Engine.IO v4 specification, Payload; fixture contract",
       .transports = kPolling},
      [](Context& c) {
        auto client = joined(c);
        HandPonged hand(c, *client);
        hand.after_ping();
        std::vector<std::string> records;
        for (int i = 0; i < 500; ++i)
          records.push_back("42[\"message\"," + std::to_string(i) + "]");
        hand.send(records);
        for (int i = 0; i < 500; ++i) {
          const auto got = hand.expect(Ms(5000), "message-back " + std::to_string(i));
          const std::string expected = "2[\"message-back\"," + std::to_string(i) + "]";
          if (got.text != expected)
            c.expect_eq("message-back " + std::to_string(i), expected, got.text);
        }
        c.check(true, "message-backs", "500, in order", "500, in order");
      });

  add(out,
      {.id = "sio/robustness/9",
       .title = "Bad input on one namespace closes that connection only",
       .requirement =
           "A violation on /custom MUST close the whole connection that sent it (all its "
           "namespaces), and MUST NOT touch another client joined to the same namespaces.",
       .level = Level::must,
       .source = "Socket.IO v5 specification; socket.io client.ts (a parse error closes the "
                 "connection)",
       .transports = kAllTransports},
      [](Context& c) {
        auto bystander = joined(c);
        if (!bystander->join("/custom", "", Ms(3000)))
          c.fail("the bystander joining /custom", "accepted", "refused or no answer");
        auto attacker = joined(c);
        if (!attacker->join("/custom", "", Ms(3000)))
          c.fail("joining /custom", "accepted", "refused or no answer");
        attacker->send("2/custom,{}");
        expect_closed_then_unharmed(
            c, *bystander,
            {{"after 2/custom,{}", reaction(*attacker, Clock::now() + c.prompt(attacker->eio()))}});
        auto fresh = c.open_sio();
        if (!fresh->join("/custom", "", Ms(3000)))
          c.fail("a new connection joining /custom", "accepted", "refused or no answer");
      });

  add(out,
      {.id = "sio/robustness/10",
       .title = "A connection lost with attachments pending is cleaned up",
       .requirement = "A client that drops its TCP connection between a BINARY_EVENT header and "
                      "its last attachment MUST NOT harm the server or other clients.",
       .level = Level::must,
       .source = advisory,
       .transports = kWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        {
          auto attacker = joined(c);
          send_all(
              *attacker,
              {{R"(52-["message",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])"},
               {bytes({1}), true}});
          c.loop().run_for(Ms(20));
        }  // the attacker's socket is closed here, without a close frame
        c.loop().run_for(Ms(20));
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/11",
       .title = "Odd namespace names are never taken for existing ones",
       .requirement = "CONNECT to a 10000-character namespace, \"//custom\", \"/custom\\n\", "
                      "\"/custom/\", \"/CUSTOM\" or \"/custom%00\" MUST NOT be accepted (none of "
                      "them exists): each is refused with CONNECT_ERROR or closes the connection, "
                      "and the server keeps serving everyone else.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, Connection to a namespace; " + advisory,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::vector<std::string> names{"/" + std::string(10000, 'n'),
                                             "//custom",
                                             "/custom\n",
                                             "/custom/",
                                             "/CUSTOM",
                                             "/custom%00"};
        std::vector<std::unique_ptr<SioClient>> clients;
        for (std::size_t i = 0; i < names.size(); ++i)
          clients.push_back(c.open_sio());
        for (std::size_t i = 0; i < names.size(); ++i)
          clients[i]->send("0" + names[i] + ",");
        for (std::size_t i = 0; i < names.size(); ++i) {
          const auto shown_name =
              json_string(names[i].size() > 40 ? names[i].substr(0, 20) + "..." : names[i]);
          const auto got = clients[i]->next(Ms(3000));
          const std::string observed = got                    ? got->text.substr(0, 120)
                                       : clients[i]->closed() ? "closed"
                                                              : "nothing";
          c.check((got && got->packet.type == 4 && got->packet.nsp == names[i]) ||
                      (!got && clients[i]->closed()),
                  "CONNECT to " + shown_name, "4<nsp>,{...} (refused), or a close", observed);
        }
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/12",
       .title = "An event named with the empty string is harmless",
       .requirement = "An EVENT whose name is the empty string (2[\"\"], 2[\"\",1]) names no "
                      "handler: the server MUST NOT crash and SHOULD go on serving the connection "
                      "(a message-with-ack after it is answered); closing the connection instead "
                      "is an allowed alternative.",
       .level = Level::must,
       .source = "Socket.IO v5 specification, EVENT (the name is a string); " + advisory,
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = joined(c);
        client->send(R"(2[""])");
        client->send(R"(2["",1])");
        client->send(R"(2["message","after"])");
        const auto got = client->next(c.prompt(client->eio()));
        if (!got && client->closed()) {
          expect_unharmed(c, *bystander);
          c.alternative("the connection after the events", "still served",
                        "closed: " + client->end_reason());
        }
        c.expect_eq("the answer to the message after them", R"(2["message-back","after"])",
                    got ? shown(*got) : "nothing");
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/13",
       .title = "An event named by an object or an array closes only its connection",
       .requirement = "An EVENT or BINARY_EVENT whose name is an object or an array "
                      "(2[{\"toString\":\"foo\"}], 2[[\"x\"]]) or null is invalid: it MUST close "
                      "its own connection promptly, with no answer, and the server keeps serving "
                      "everyone else.",
       .level = Level::must,
       .source = "CVE-2023-32695 (socket.io-parser 4.2.3); Socket.IO v5 specification, EVENT",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::vector<std::vector<Part>> inputs{
            {{R"(2[{"toString":"foo"}])"}},
            {{R"(27[{"toString":"foo"},"x"])"}},
            {{R"(2[["x"]])"}},
            {{R"(2[null])"}},
            {{R"(51-[{"toString":"foo"},{"_placeholder":true,"num":0}])"}, {bytes({1, 2}), true}}};
        std::vector<std::unique_ptr<SioClient>> attackers;
        for (std::size_t i = 0; i < inputs.size(); ++i)
          attackers.push_back(joined(c));
        for (std::size_t i = 0; i < inputs.size(); ++i)
          send_all(*attackers[i], inputs[i]);
        std::vector<std::pair<std::string, std::string>> seen;
        const auto deadline = Clock::now() + c.prompt(bystander->eio());
        for (std::size_t i = 0; i < inputs.size(); ++i)
          seen.emplace_back("after " + inputs[i].front().data, reaction(*attackers[i], deadline));
        expect_closed_then_unharmed(c, *bystander, seen);
      });

  add(out,
      {.id = "sio/robustness/14",
       .title = "An event named error is plain data",
       .requirement = "\"error\" is an ordinary event name on the wire: EVENTs named error "
                      "(2[\"error\"], 2[\"error\",{\"x\":1}], and one with an attachment) MUST "
                      "NOT harm the server, and the connection that sent them MUST stay open and "
                      "served (a message after them is answered).",
       .level = Level::must,
       .source = "CVE-2024-38355 (socket.io 4.6.2); socket.io-parser RESERVED_EVENTS",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        auto client = joined(c);
        send_all(*client, {{R"(2["error"])"},
                           {R"(2["error",{"x":1}])"},
                           {R"(51-["error",{"_placeholder":true,"num":0}])"},
                           {bytes({1, 2}), true},
                           {R"(2["message","after"])"}});
        expect_next(c, *client, "the same connection after the events named error",
                    R"(2["message-back","after"])");
        expect_unharmed(c, *bystander);
      });

  add(out,
      {.id = "sio/robustness/15",
       .title = "An absurd attachment count closes the connection at once",
       .requirement =
           "A BINARY_EVENT header whose attachment count no encoder writes (1000000000, "
           "a count past 2^64, 1.5, -1) MUST close its connection promptly, keeping none "
           "of the binary messages that follow, and the server keeps serving everyone "
           "else. How many attachments a packet may have below that is the server's "
           "policy (socket.io allows 10, sio/binary/12).",
       .level = Level::must,
       .source = "CVE-2026-33151 (socket.io-parser 4.2.6); PROTOCOL notes §2.2",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::string args = R"(["message",{"_placeholder":true,"num":0}])";
        const std::vector<std::string> counts{"1000000000", "99999999999999999999999", "1.5", "-1"};
        std::vector<std::unique_ptr<SioClient>> attackers;
        for (std::size_t i = 0; i < counts.size(); ++i)
          attackers.push_back(joined(c));
        for (std::size_t i = 0; i < counts.size(); ++i) {
          std::vector<Part> parts{{"5" + counts[i] + "-" + args}};
          for (unsigned char k = 0; k < 3; ++k)
            parts.push_back({std::string(8, static_cast<char>(k)), true});
          send_all(*attackers[i], parts);
        }
        std::vector<std::pair<std::string, std::string>> seen;
        const auto deadline = Clock::now() + c.prompt(bystander->eio());
        for (std::size_t i = 0; i < counts.size(); ++i)
          seen.emplace_back("after 5" + counts[i] + "-[...] and three binary messages",
                            reaction(*attackers[i], deadline));
        expect_closed_then_unharmed(c, *bystander, seen);
      });

  add(out,
      {.id = "sio/robustness/16",
       .title = "A BINARY_EVENT declaring zero attachments leaves nothing pending",
       .requirement = "\"50-[...]\" declares no attachment. A server MUST either refuse it (close "
                      "the connection with no answer, as socket.io-parser 4.2.7 does) or take it "
                      "as a complete packet, and MUST NOT then wait for attachments: a text packet "
                      "after it is served as usual, and a binary message after it, which no packet "
                      "announced, closes the connection promptly.",
       .level = Level::must,
       .source = "CVE-2026-69185 (socket.io-parser 4.2.7); PROTOCOL notes §2.3 and §4.2",
       .transports = kPollingAndWebSocket},
      [](Context& c) {
        auto bystander = joined(c);
        const std::string zero = R"(50-["message","x"])";
        const std::string echo = R"(2["message-back","x"])";
        auto text_after = joined(c);
        auto binary_after = joined(c);
        send_all(*text_after, {{zero}, {R"(2["message","y"])"}});
        send_all(*binary_after, {{zero}, {bytes({1, 2, 3}), true}});
        const auto deadline = Clock::now() + c.prompt(bystander->eio());
        // Refused: closed with no answer. Taken: the echo first, then what the check names.
        const auto first_text = reaction(*text_after, deadline);
        const bool text_taken = first_text == "answered: " + echo;
        const auto then_text = text_taken ? reaction(*text_after, deadline) : "";
        const auto first_binary = reaction(*binary_after, deadline);
        const bool binary_taken = first_binary == "answered: " + echo;
        const auto then_binary = binary_taken ? reaction(*binary_after, deadline) : "";
        expect_unharmed(c, *bystander);
        c.check(first_text.starts_with("closed: ") ||
                    (text_taken && then_text == R"(answered: 2["message-back","y"])"),
                "after " + zero + R"( then 2["message","y"])",
                "a close with no answer (refused), or message-back x then message-back y",
                text_taken ? "message-back x, then " + then_text : first_text);
        c.check(first_binary.starts_with("closed: ") ||
                    (binary_taken && then_binary.starts_with("closed: ")),
                "after " + zero + " then a binary message",
                "a close with no answer (refused), or message-back x then a close",
                binary_taken ? "message-back x, then " + then_binary : first_binary);
      });
}

}  // namespace conform::cases
