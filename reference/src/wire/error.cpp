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
