#include "sio/wire/error.hpp"

namespace sio::wire {
namespace {

class WireCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sio.wire"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::ok:
        return "success";
      case errc::empty_packet:
        return "empty packet: no type character";
      case errc::unknown_packet_type:
        return "unknown Engine.IO packet type (expected a digit 0-6, or 'b' for base64 binary)";
      case errc::invalid_base64:
        return "invalid base64 in a binary record";
      case errc::empty_payload:
        return "empty polling payload";
      case errc::record_too_large:
        return "polling record larger than the configured limit";
      case errc::sio_unknown_packet_type:
        return "unknown Socket.IO packet type (expected a digit 0-6)";
      case errc::illegal_attachments:
        return "illegal attachment count (expected 5<n>- or 6<n>- with n >= 1)";
      case errc::too_many_attachments:
        return "more binary attachments than the limit allows";
      case errc::invalid_ack_id:
        return "ack id larger than 2^53-1";
      case errc::invalid_json:
        return "payload is not valid JSON";
      case errc::invalid_payload:
        return "payload of the wrong shape for its packet type";
      case errc::reserved_event_name:
        return "reserved event name (connect, connect_error, disconnect, disconnecting, "
               "newListener, "
               "removeListener)";
      case errc::text_while_reassembling:
        return "text message while binary attachments were expected";
      case errc::unexpected_binary:
        return "binary message with no binary packet waiting for it";
      case errc::invalid_placeholder:
        return "placeholder whose num is not an integer index of the attachments";
    }
    return "unknown sio.wire error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& wire_category() noexcept {
  static const WireCategory category;
  return category;
}

}  // namespace sio::wire
