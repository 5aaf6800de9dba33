// Engine.IO text packets: decoding never crashes, and a decoded packet survives encode + decode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sio/wire/eio_packet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace eio = sio::wire::eio;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  eio::Packet packet;
  if (eio::decode_text(text, packet)) return 0;
  eio::Packet again;
  if (eio::decode_text(eio::encode_text(packet), again) || !(again == packet)) std::abort();
  return 0;
}
