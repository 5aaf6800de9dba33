#include "sio_common.hpp"

namespace conform::cases {

std::unique_ptr<SioClient> joined(Context& c, std::string_view nsp) {
  auto client = c.open_sio();
  if (!client->join(nsp, "", Ms(3000))) {
    const auto& last = client->last();
    c.fail("joining " + std::string(nsp), "the CONNECT accepted", last ? last->text : "nothing");
  }
  return client;
}

// A packet as the checks show it: its text, then its attachments.
std::string shown(const SioReceived& r) {
  std::string s = r.text;
  for (const auto& a : r.attachments)
    s += " + " + text::attachment(a);
  return s;
}

SioReceived expect_next(Context& c, SioClient& client, std::string_view what,
                        std::string_view expected) {
  const auto got = c.expect_sio(client, Ms(3000), what);
  c.expect_eq(what, expected, shown(got));
  return got;
}

void expect_unharmed(Context& c, SioClient& bystander) {
  bystander.send(R"(2["message","still here"])");
  expect_next(c, bystander, "the client connected before", R"(2["message-back","still here"])");
  auto fresh = c.open_sio();
  if (!fresh->join("/", "", Ms(3000)))
    c.fail("a new connection joining /", "accepted", "refused or no answer");
  fresh->send(R"(2["message","new"])");
  expect_next(c, *fresh, "a new connection", R"(2["message-back","new"])");
}

void send_all(SioClient& client, const std::vector<Part>& parts) {
  auto& eio = client.eio();
  if (eio.current() == Transport::polling) {
    std::vector<std::string> records;
    for (const auto& p : parts)
      records.push_back(p.binary ? "b" + codec::base64_encode(p.data) : "4" + p.data);
    eio.send_batch(records);
    return;
  }
  for (const auto& p : parts) {
    if (p.binary) {
      eio.send_binary(p.data);
    } else {
      eio.send("4" + p.data);
    }
  }
}

}  // namespace conform::cases
