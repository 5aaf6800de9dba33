// The conformance suite's own codec, which reads whatever a server under test sends: it never
// crashes, payloads split and join back to the same bytes, and a Socket.IO packet it accepts reads
// the same after it writes it again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "siocheck/codec/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace codec = ::conform::codec;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (codec::join_payload(codec::split_payload(input)) != input) std::abort();
  for (const auto& record : codec::split_payload(input)) {
    (void)codec::parse_eio(record, true);
    (void)codec::parse_eio(record, false);
  }
  (void)codec::parse_handshake(input);
  (void)codec::parse_json(input);

  const auto encoded = codec::base64_encode(input);
  const auto decoded = codec::base64_decode(encoded);
  if (!decoded || *decoded != input) std::abort();
  (void)codec::base64_decode(input);

  if (const auto packet = codec::parse_sio(input)) {
    const auto again =
        codec::sio_text(packet->type, packet->nsp, packet->id, packet->data, packet->attachments);
    const auto back = codec::parse_sio(again);
    if (!back || back->type != packet->type || back->nsp != packet->nsp || back->id != packet->id ||
        back->data != packet->data || back->attachments != packet->attachments)
      std::abort();
  }
  return 0;
}
