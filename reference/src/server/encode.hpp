// Packets to Engine.IO frames, shared by sockets and broadcasts (internal to the server).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/engine/engine.hpp"
#include "sio/server/args.hpp"
#include "sio/wire/sio_packet.hpp"

namespace sio::server::detail {

// The frames of one packet: its text frame ("4" + the Socket.IO text), then its attachments.
std::vector<engine::Frame> packet_frames(wire::sio::PacketType type, std::string_view nsp,
                                         std::optional<std::uint64_t> id, std::string_view data,
                                         const std::vector<std::string>& attachments);

// An EVENT (or BINARY_EVENT when the arguments hold binary): ["event", ...args]. `spaced_json`
// is Quirks::spaced_json.
std::vector<engine::Frame> event_frames(std::string_view nsp, std::string_view event,
                                        const Args& args, std::optional<std::uint64_t> id,
                                        bool spaced_json = false);
// An ACK (or BINARY_ACK) carrying `args`.
std::vector<engine::Frame> ack_frames(std::string_view nsp, std::uint64_t id, const Args& args,
                                      bool spaced_json = false);

}  // namespace sio::server::detail
