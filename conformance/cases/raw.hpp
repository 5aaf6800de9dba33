// Raw HTTP and WebSocket on a bare TCP connection, for the cases that send what no well-behaved
// client would (hostile headers, hand-made frames, bytes written together or cut short): requests
// written by hand, client frames built byte by byte, and the server's frames read back.
#pragma once

#include <array>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"

namespace conform::cases {

// "127.0.0.1:PORT" of the target, for Host headers.
std::string host_port(Context& c);

// Raw connections live until the case ends: a RawConnection destroyed while its read is pending
// must not meet the loop again (its read handler would outlive it), so none is destroyed early.
struct RawPool {
  std::deque<RawConnection> all;
  RawConnection& make(Context& c) { return all.emplace_back(c.loop()); }
};

// Connects `raw`; fails the case when the target refuses.
void connect_raw(Context& c, RawConnection& raw);

// ---- raw HTTP ---------------------------------------------------------------------------------

// What a raw request got: the status line's code (0: none), and whether the server closed.
struct RawAnswer {
  int status = 0;
  bool closed = false;
  std::string head;  // the status line, or what came
};

// Sends `request` on a new connection of `pool` and reads the answer's status line.
RawAnswer raw_exchange(Context& c, RawPool& pool, std::string_view request, Ms timeout = Ms(5000));
std::string describe(const RawAnswer& a);

// ---- raw WebSocket ----------------------------------------------------------------------------

// A WebSocket upgrade request for `target` with `extra` header lines before the WebSocket ones.
std::string upgrade_request(Context& c, const std::string& target, const std::string& extra = "");

using MaskKey = std::array<unsigned char, 4>;
constexpr MaskKey kMask{0x37, 0xfa, 0x21, 0x3d};
// A zero key leaves the payload as it is: cheap for a megabyte, and valid on the wire.
constexpr MaskKey kZeroMask{0, 0, 0, 0};

// A client frame: `first` is the FIN/RSV/opcode byte, the payload is masked unless told otherwise.
std::string client_frame(unsigned char first, std::string_view payload, bool masked = true,
                         const MaskKey& key = kMask);

struct ServerFrame {
  unsigned opcode = 0;
  std::string payload;
};

// The status code of a close frame's payload (1005 when it has none).
int close_code(const ServerFrame& close);

// The complete server frames at the start of `bytes` (a server never masks).
std::vector<ServerFrame> parse_frames(std::string_view bytes);
// The same, taken off the front of `bytes` (a partial frame stays).
std::vector<ServerFrame> take_frames(std::string& bytes);

// A WebSocket-only session opened by hand; returns what came after the 101's header.
std::string raw_ws_open(Context& c, RawConnection& raw);

// The open packet of a WebSocket session opened by hand (read until it is complete); `bytes` keeps
// what came after it.
codec::Handshake raw_open_packet(Context& c, RawConnection& raw, std::string& bytes);

// How long the server may take to react (Context::prompt's rule, for a session opened by hand).
Ms prompt_for(Context& c, const codec::Handshake& h);

// After a hostile frame: how the server ended the connection within `timeout`. Returns the close
// code (1005 for a close frame without one, 1006 for a connection closed without a close frame), or
// 0 when the connection is still open; `frames` gets every frame the server sent.
int await_failure(RawConnection& raw, std::string bytes, Ms timeout,
                  std::vector<ServerFrame>& frames);

// The payloads of the text frames among `frames`, comma-separated.
std::string text_frames(const std::vector<ServerFrame>& frames);

// A frame the server MUST reject: it fails the connection (a close frame, 1002 expected, or the
// TCP connection closed), never processes the frame, and every other session goes on.
void expect_rejected_frame(Context& c, const std::string& frame, std::string_view what);

}  // namespace conform::cases
