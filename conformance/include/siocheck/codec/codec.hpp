// The suite's own codec: small, strict, and independent of the reference server's, so that the
// suite never trusts the code it is checking. Malformed input is written as literal bytes in the
// cases; this codec only reads what servers send and builds well-formed packets.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conform::codec {

using Json = nlohmann::ordered_json;  // keeps key order, which some checks are about

// Engine.IO -------------------------------------------------------------------------------------

struct EioPacket {
  char type = '4';      // '0'..'6'
  bool binary = false;  // a binary message (WebSocket binary frame or polling "b" record)
  std::string data;
};

// A text packet as a server sends it: a type digit and data. Polling records may also be
// "b"+base64.
std::optional<EioPacket> parse_eio(std::string_view text, bool polling);
// A polling body split at the record separator (an empty body gives one empty record).
std::vector<std::string> split_payload(std::string_view body);
std::string join_payload(const std::vector<std::string>& records);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// The open packet's JSON, with the keys in the order the server wrote them.
struct Handshake {
  std::string sid;
  std::vector<std::string> upgrades;
  std::int64_t ping_interval = 0;
  std::int64_t ping_timeout = 0;
  std::int64_t max_payload = 0;
  std::vector<std::string> keys;
  Json json;
};
std::optional<Handshake> parse_handshake(std::string_view json_text);

// Socket.IO -------------------------------------------------------------------------------------

struct SioPacket {
  int type = 2;  // 0..6
  int attachments = 0;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  std::string data;  // JSON text as received (may be empty)
};

// Strict reading of what a server sends (the grammar of the v5 specification).
std::optional<SioPacket> parse_sio(std::string_view text);
// Writes a packet: type, attachment count, namespace (with ",") when not "/", id, data.
std::string sio_text(int type, std::string_view nsp = "/",
                     std::optional<std::uint64_t> id = std::nullopt, std::string_view data = "",
                     int attachments = 0);

std::optional<Json> parse_json(std::string_view text);
// Compact JSON, as JSON.stringify writes it for the plain values the cases build.
std::string dump(const Json& value);

}  // namespace conform::codec
