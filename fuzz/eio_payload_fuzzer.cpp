// Engine.IO polling payloads: whole and split decoding agree, and valid payloads round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sio/wire/eio_payload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace eio = sio::wire::eio;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<eio::Packet> whole;
  const auto whole_error = eio::decode_payload(body, whole);

  std::vector<eio::Packet> split;
  eio::PayloadDecoder decoder;
  const eio::PayloadDecoder::Sink sink = [&](eio::Packet&& p) { split.push_back(std::move(p)); };
  auto split_error = decoder.feed(body.substr(0, size / 2), sink);
  if (!split_error) split_error = decoder.feed(body.substr(size / 2), sink);
  if (!split_error) split_error = decoder.finish(sink);
  if (split != whole || split_error != whole_error) std::abort();

  if (!whole_error) {
    std::vector<eio::Packet> again;
    if (eio::decode_payload(eio::encode_payload(whole), again) || again != whole) std::abort();
  }
  return 0;
}
