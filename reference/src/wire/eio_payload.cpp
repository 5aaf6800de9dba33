#include "sio/wire/eio_payload.hpp"

#include "sio/wire/error.hpp"

namespace sio::wire::eio {

std::error_code PayloadDecoder::emit(std::string_view record, const Sink& sink) {
  Packet packet;
  if (auto ec = decode_text(record, packet)) return ec;
  ++records_;
  sink(std::move(packet));
  return {};
}

std::error_code PayloadDecoder::feed(std::string_view chunk, const Sink& sink) {
  if (failed_) return failed_;
  if (!chunk.empty()) seen_bytes_ = true;
  while (!chunk.empty()) {
    const auto sep = chunk.find(kRecordSeparator);
    const auto piece = chunk.substr(0, sep);
    if (partial_.size() + piece.size() > max_record_) return failed_ = errc::record_too_large;
    if (sep == std::string_view::npos) {
      partial_.append(piece);
      return {};
    }
    std::error_code ec;
    if (partial_.empty()) {
      ec = emit(piece, sink);
    } else {
      partial_.append(piece);
      ec = emit(partial_, sink);
      partial_.clear();
    }
    if (ec) return failed_ = ec;
    chunk.remove_prefix(sep + 1);
  }
  return {};
}

std::error_code PayloadDecoder::finish(const Sink& sink) {
  if (failed_) return failed_;
  if (!seen_bytes_) return failed_ = errc::empty_payload;
  auto ec = emit(partial_, sink);
  partial_.clear();
  if (ec) failed_ = ec;
  return ec;
}

std::error_code decode_payload(std::string_view body, std::vector<Packet>& out) {
  PayloadDecoder decoder;
  const PayloadDecoder::Sink sink = [&out](Packet&& p) { out.push_back(std::move(p)); };
  if (auto ec = decoder.feed(body, sink)) return ec;
  return decoder.finish(sink);
}

std::string encode_payload(std::span<const Packet> packets) {
  std::string out;
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i) out.push_back(kRecordSeparator);
    encode_text_append(packets[i], out);
  }
  return out;
}

}  // namespace sio::wire::eio
