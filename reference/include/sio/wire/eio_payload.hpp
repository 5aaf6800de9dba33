// Engine.IO v4 polling payloads: packets in text form joined by the record separator 0x1E.
// Binary messages travel as 'b' + base64. Lengths are never written: the separator cannot occur
// in base64, and v4 senders must not put it in text data.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sio/wire/eio_packet.hpp"

namespace sio::wire::eio {

inline constexpr char kRecordSeparator = '\x1e';

// Incremental decoder for a POST body that may arrive in pieces. Each complete record is decoded
// and handed to the sink in order; decoding stops at the first invalid record and its error is
// returned (the records before it have been delivered, as Node's engine.io does).
// "Need more data" is not an error: feed() keeps the unfinished record until the next chunk or
// finish().
class PayloadDecoder {
 public:
  using Sink = std::function<void(Packet&&)>;

  explicit PayloadDecoder(std::size_t max_record = std::numeric_limits<std::size_t>::max())
      : max_record_(max_record) {}

  std::error_code feed(std::string_view chunk, const Sink& sink);
  // The body ended: decodes the last record. An entirely empty body is errc::empty_payload.
  std::error_code finish(const Sink& sink);

  std::size_t records() const noexcept { return records_; }

 private:
  std::error_code emit(std::string_view record, const Sink& sink);

  std::size_t max_record_;
  std::string partial_;
  std::size_t records_ = 0;
  bool seen_bytes_ = false;
  std::error_code failed_;
};

// Decodes a whole body; `out` receives the packets before the first error.
std::error_code decode_payload(std::string_view body, std::vector<Packet>& out);

// Joins packets in text form with the record separator.
std::string encode_payload(std::span<const Packet> packets);

}  // namespace sio::wire::eio
