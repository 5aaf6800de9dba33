#include "raw.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace conform::cases {

std::string host_port(Context& c) {
  return c.target().host + ":" + std::to_string(c.target().port);
}

void connect_raw(Context& c, RawConnection& raw) {
  const bool ok = raw.connect(Ms(5000));
  c.check(ok, "TCP connection", "connected", ok ? "connected" : "failed");
}

RawAnswer raw_exchange(Context& c, RawPool& pool, std::string_view request, Ms timeout) {
  auto& raw = pool.make(c);
  RawAnswer answer;
  connect_raw(c, raw);
  raw.send(request);
  std::string got = raw.read_until("\r\n", timeout);
  bool closed = false;
  got += raw.read(Ms(0), &closed);
  answer.closed = closed;
  answer.head = got.substr(0, got.find("\r\n"));
  if (got.starts_with("HTTP/1.") && got.size() >= 12) answer.status = std::atoi(got.c_str() + 9);
  return answer;
}

std::string describe(const RawAnswer& a) {
  if (a.status) return a.head;
  return a.closed ? (a.head.empty() ? "connection closed without an answer"
                                    : "connection closed after: " + a.head)
                  : "no answer within 5000 ms (the connection stays open)";
}

std::string upgrade_request(Context& c, const std::string& target, const std::string& extra) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + host_port(c) + "\r\n" + extra +
         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// A client frame: `first` is the FIN/RSV/opcode byte, the payload is masked unless told otherwise.
std::string client_frame(unsigned char first, std::string_view payload, bool masked,
                         const MaskKey& key) {
  std::string f;
  f.push_back(static_cast<char>(first));
  const unsigned char mask_bit = masked ? 0x80 : 0x00;
  const auto n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(mask_bit | n));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      f.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
  }
  if (masked)
    for (const auto m : key)
      f.push_back(static_cast<char>(m));
  const auto start = f.size();
  f.append(payload);
  if (masked && key != kZeroMask)
    for (std::size_t i = 0; i < n; ++i)
      f[start + i] = static_cast<char>(static_cast<unsigned char>(f[start + i]) ^ key[i % 4]);
  return f;
}

namespace {

// The complete server frames at the start of `bytes`; returns how many bytes they take.
std::size_t frames_at(std::string_view bytes, std::vector<ServerFrame>& frames) {
  std::size_t at = 0;
  while (bytes.size() - at >= 2) {
    const auto b0 = static_cast<unsigned char>(bytes[at]);
    const auto b1 = static_cast<unsigned char>(bytes[at + 1]);
    std::size_t header = 2;
    std::uint64_t n = b1 & 0x7f;
    if (n == 126) {
      if (bytes.size() - at < 4) break;
      n = (static_cast<unsigned char>(bytes[at + 2]) << 8) |
          static_cast<unsigned char>(bytes[at + 3]);
      header = 4;
    } else if (n == 127) {
      if (bytes.size() - at < 10) break;
      n = 0;
      for (int i = 0; i < 8; ++i)
        n = (n << 8) | static_cast<unsigned char>(bytes[at + 2 + i]);
      header = 10;
    }
    if ((b1 & 0x80) != 0) header += 4;
    if (bytes.size() - at < header + n) break;
    frames.push_back({b0 & 0x0fu, std::string(bytes.substr(at + header, n))});
    at += header + n;
  }
  return at;
}

}  // namespace

// The complete server frames at the start of `bytes` (a server never masks).
std::vector<ServerFrame> parse_frames(std::string_view bytes) {
  std::vector<ServerFrame> frames;
  frames_at(bytes, frames);
  return frames;
}

std::vector<ServerFrame> take_frames(std::string& bytes) {
  std::vector<ServerFrame> frames;
  bytes.erase(0, frames_at(bytes, frames));
  return frames;
}

// A WebSocket-only session opened by hand; returns what came after the 101's header.
std::string raw_ws_open(Context& c, RawConnection& raw) {
  connect_raw(c, raw);
  raw.send(upgrade_request(c, c.eio() + "?EIO=4&transport=websocket"));
  const std::string got = raw.read_until("\r\n\r\n", Ms(5000));
  const auto end = got.find("\r\n\r\n");
  c.check(got.starts_with("HTTP/1.1 101") && end != std::string::npos, "WebSocket upgrade",
          "HTTP/1.1 101", got.substr(0, got.find("\r\n")));
  return got.substr(end + 4);
}

// The open packet of a WebSocket session opened by hand (read until it is complete); `bytes` keeps
// what came after it.
codec::Handshake raw_open_packet(Context& c, RawConnection& raw, std::string& bytes) {
  const auto deadline = Clock::now() + Ms(5000);
  while (true) {
    const auto frames = parse_frames(bytes);
    if (!frames.empty()) {
      const auto& first = frames.front();
      auto h = first.opcode == 0x1 && first.payload.starts_with("0{")
                   ? codec::parse_handshake(std::string_view(first.payload).substr(1))
                   : std::nullopt;
      c.check(h.has_value(), "first frame", "the open packet 0{...}", first.payload);
      // Drop the open packet's frame (a server frame: 2 to 10 header bytes, unmasked).
      std::size_t header = 2;
      const auto n = static_cast<unsigned char>(bytes[1]) & 0x7f;
      if (n == 126) header = 4;
      if (n == 127) header = 10;
      bytes.erase(0, header + first.payload.size());
      return *h;
    }
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (left <= Ms(0)) c.fail("first frame", "the open packet 0{...}", "nothing");
    bytes += raw.read_until("}", left);
  }
}

// How long the server may take to react (Context::prompt's rule, for a session opened by hand).
Ms prompt_for(Context& c, const codec::Handshake& h) {
  const Ms window(h.ping_interval + h.ping_timeout);
  return std::clamp(window / 2, Ms(100), Ms(2000)) + c.tolerance();
}

// After a hostile frame: how the server ended the connection within `timeout`. Returns the close
// code (1005 for a close frame without one, 1006 for a connection closed without a close frame), or
// 0 when the connection is still open; `frames` gets every frame the server sent.
int close_code(const ServerFrame& close) {
  if (close.payload.size() < 2) return 1005;
  return (static_cast<unsigned char>(close.payload[0]) << 8) |
         static_cast<unsigned char>(close.payload[1]);
}

int await_failure(RawConnection& raw, std::string bytes, Ms timeout,
                  std::vector<ServerFrame>& frames) {
  const auto deadline = Clock::now() + timeout;
  bool closed = false;
  while (true) {
    frames = parse_frames(bytes);
    for (const auto& f : frames)
      if (f.opcode == 0x8) return close_code(f);
    if (closed) return 1006;
    const auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
    if (left <= Ms(0)) return 0;
    bytes += raw.read_until("\x88", left);
    bytes += raw.read(Ms(0), &closed);
  }
}

std::string text_frames(const std::vector<ServerFrame>& frames) {
  std::string out;
  for (const auto& f : frames)
    if (f.opcode == 0x1) out += (out.empty() ? "" : ", ") + f.payload;
  return out;
}

// A frame the server MUST reject: it fails the connection (a close frame, 1002 expected, or the
// TCP connection closed), never processes the frame, and every other session goes on.
void expect_rejected_frame(Context& c, const std::string& frame, std::string_view what) {
  auto before = c.open_eio(Transport::websocket);
  RawConnection raw(c.loop());
  std::string bytes = raw_ws_open(c, raw);
  raw.send(frame);
  std::vector<ServerFrame> frames;
  const int code = await_failure(raw, std::move(bytes), c.prompt(*before), frames);
  const std::string ended = code == 1006 ? "connection closed without a close frame"
                            : code       ? "close frame " + std::to_string(code)
                                         : "still open";
  c.check(code != 0, std::string(what), "the server fails the connection (close 1002)", ended);
  const auto texts = text_frames(frames);
  c.check(texts.find("4hostile") == std::string::npos, "frames before the close",
          "the open packet only (the hostile frame is not processed)", texts);
  raw.send(client_frame(0x88, std::string("\x03\xe8", 2)));
  raw.close();
  expect_alive(c, *before);
  if (code != 1002) c.alternative("close code", "1002 (protocol error)", ended);
}

}  // namespace conform::cases
