// Socket.IO packets: the decoder never crashes; text packets come out canonical; a decoded
// packet survives encode + decode.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sio/wire/json.hpp"
#include "sio/wire/sio_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sio = ::sio::wire::sio;
  namespace json = ::sio::wire::json;
  // The input is a text message, then binary messages separated by 0xFF bytes.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto cut = input.find('\xff');
  sio::Decoder decoder;
  sio::Packet packet;
  bool complete = false;
  if (decoder.feed_text(input.substr(0, cut), packet, complete)) return 0;
  std::size_t at = cut;
  while (!complete && at != std::string_view::npos) {
    const auto next = input.find('\xff', at + 1);
    const auto piece = input.substr(
        at + 1, next == std::string_view::npos ? std::string_view::npos : next - at - 1);
    if (decoder.feed_binary(std::string(piece), packet, complete)) return 0;
    at = next;
  }
  if (!complete) return 0;
  if (!packet.data.empty() && !json::inspect(packet.data).canonical) std::abort();
  // One attachment may be named by several placeholders (as socket.io-parser allows); each
  // occurrence becomes an attachment of its own, so the copy may hold more than the limit.
  sio::Decoder again(sio::Limits{std::max<std::size_t>(10, packet.attachments.size())});
  sio::Packet back;
  bool done = false;
  if (again.feed_text(sio::encode_text(packet), back, done)) std::abort();
  for (const auto& attachment : packet.attachments)
    if (again.feed_binary(attachment, back, done)) std::abort();
  if (!done || !(back == packet)) std::abort();
  return 0;
}
