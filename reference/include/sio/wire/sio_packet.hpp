// Socket.IO v5 packets: <type>[<attachments>-][<nsp>,][<ack id>][<JSON>], carried in Engine.IO
// messages, with binary attachments in the binary messages that follow a type 5 or 6 packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sio::wire::sio {

enum class PacketType : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

std::string_view to_string(PacketType type) noexcept;

// Ack ids are JavaScript numbers: the largest one an exact integer holds.
inline constexpr std::uint64_t kMaxAckId = (std::uint64_t{1} << 53) - 1;

struct Packet {
  PacketType type = PacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  std::string data;                      // canonical JSON; empty when the packet carries none
  std::vector<std::string> attachments;  // binary types: attachment i is placeholder num i

  bool is_binary() const noexcept {
    return type == PacketType::binary_event || type == PacketType::binary_ack;
  }
  friend bool operator==(const Packet&, const Packet&) = default;
};

struct Limits {
  std::size_t max_attachments = 10;
  // Off only to reproduce other servers' bugs (see sio/faults.hpp).
  bool reject_reserved_events = true;
  bool check_placeholders = true;
  // An EVENT named by an object or an array is invalid. Off: an object with a "toString" member
  // gets through, as with socket.io-parser before 4.2.3 (CVE-2023-32695).
  bool check_event_name_type = true;
  // The attachment count is an integer in [1, max_attachments]. Off: any number is taken, fractions
  // and huge counts included, and attachments are awaited until it is reached (socket.io-parser
  // before 4.2.6, CVE-2026-33151).
  bool bound_attachments = true;
  // "50-[...]" declares no attachment: invalid. Off: the packet is delivered at once, and the
  // decoder then goes on waiting for attachments that never complete it (socket.io-parser before
  // 4.2.7, CVE-2026-69185).
  bool reject_zero_attachments = true;
  // A CONNECT payload of null is invalid. Off: it is taken (socket.io-parser before 4.2.4 checked
  // typeof payload === "object", which null passes).
  bool reject_null_connect = true;
};

// Event names an incoming EVENT may not use.
bool is_reserved_event(std::string_view name) noexcept;

// Decodes the text part of a packet and checks its payload for its type: CONNECT an object or
// nothing, DISCONNECT nothing, EVENT a non-empty array named by a string (not reserved) or a
// number, ACK an array, CONNECT_ERROR an object or a string. Text packets leave with canonical
// JSON. For the binary types `declared` receives the attachment count and `data` stays as
// received until the attachments are in (see Decoder).
std::error_code decode_text(std::string_view text, Packet& out, std::size_t& declared,
                            const Limits& limits = {});

// Appends the header: type, attachment count (binary types), namespace (unless "/"), ack id.
void encode_header_append(PacketType type, std::size_t attachments, std::string_view nsp,
                          std::optional<std::uint64_t> id, std::string& out);
// The text part of a packet (its attachments go in the binary messages after it).
std::string encode_text(const Packet& packet);

// Turns one connection's messages into packets: a text message is a packet, or the header of a
// binary packet whose attachments are the next binary messages. A complete binary packet has its
// placeholders numbered 0..n-1 in depth-first order and exactly the attachments they refer to; one
// that refers to none comes out as an EVENT or ACK.
class Decoder {
 public:
  explicit Decoder(Limits limits = {}) : limits_(limits) {}

  // On success `complete` says whether `out` now holds a whole packet (false: attachments are
  // awaited). After an error the decoder is reset.
  std::error_code feed_text(std::string_view text, Packet& out, bool& complete);
  std::error_code feed_binary(std::string bytes, Packet& out, bool& complete);

  bool reassembling() const noexcept { return expected_ > 0 || kept_; }
  void reset() noexcept;

 private:
  std::error_code finish(Packet& out);

  Limits limits_;
  Packet pending_;
  std::size_t expected_ = 0;
  bool kept_ = false;  // a zero-attachment packet was let through (reject_zero_attachments off)
};

}  // namespace sio::wire::sio
