#include "oracle.hpp"

#include <cctype>

#include "siocheck/codec/codec.hpp"
#include "siocheck/codec/text.hpp"

namespace conform::fuzz {

namespace {

// The suite's codec refuses lone surrogate escapes ("\ud800"), which JSON's grammar allows and
// JavaScript servers write: the oracle reads them as any other escape.
std::optional<codec::SioPacket> parse_sio(std::string_view text) {
  if (auto packet = codec::parse_sio(text)) return packet;
  std::string plain(text);
  bool changed = false;
  for (std::size_t at = 0; (at = plain.find("\\u", at)) != std::string::npos; at += 2) {
    if (at + 6 > plain.size()) break;
    const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(plain[at + 2])));
    const char b = static_cast<char>(std::tolower(static_cast<unsigned char>(plain[at + 3])));
    if (a == 'd' && b >= '8' && b <= 'f') {
      plain.replace(at + 2, 4, "0041");
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  auto packet = codec::parse_sio(plain);
  if (packet) packet->data = std::string(text.substr(text.size() - packet->data.size()));
  return packet;
}

}  // namespace

void Oracle::violation(std::string code, std::string detail) {
  loop_.note("--", "VIOLATION " + code + ": " + detail);
  violations_.emplace_back(std::move(code), std::move(detail));
}

// A 5xx is a server error, not a protocol answer, except where the protocol itself says 500:
// a method other than GET and POST on a session (Node's engine.io answers so), and a second
// concurrent GET (engine.io before 6.6 answered it 500).
void Oracle::status(const HttpResponse& r, std::string_view what, bool may_be_500) {
  if (r.status == 500 && may_be_500 && r.body.empty()) return;
  // The signature names the status and the method: "HTTP 500 to a POST".
  const auto method = what.substr(0, what.find(' '));
  const std::string to = method == "a" || method == "an"
                             ? std::string(what.substr(what.rfind(' ') + 1))
                             : std::string(method);
  if (r.status >= 500)
    violation("HTTP " + std::to_string(r.status) + " to a " + to,
              std::string(what) + " was answered HTTP " + std::to_string(r.status) + " " +
                  r.body.substr(0, 200) + ": a server error, not a protocol answer");
}

void Oracle::outgoing(Conn& c, std::string_view eio_text) {
  if (!c.sio || eio_text.empty() || eio_text.front() != '4') return;
  if (!text::valid_utf8(eio_text)) {  // the server reads such names with U+FFFD: not compared
    c.tainted = true;
    return;
  }
  if (eio_text.size() > 65536) {  // past maxPayload: the session is closed; not worth parsing
    c.tainted = true;
    return;
  }
  const auto packet = parse_sio(eio_text.substr(1));
  if (!packet) {
    c.tainted = true;
    return;
  }
  if (packet->type == 0) c.nsps.insert(packet->nsp);
  if ((packet->type == 2 || packet->type == 5) && packet->id) {
    // Ids past 2^53 may come back rounded (JavaScript numbers): not checked.
    if (*packet->id > (std::uint64_t{1} << 53)) c.tainted = true;
    ++c.asked[{packet->nsp, *packet->id}];
  }
}

void Oracle::judge(Conn& c) {
  if (!c.session || c.closing) return;
  if (const auto& post = c.session->last_post()) status(*post, "a POST");
  while (auto event = c.session->next(Ms(0), true)) {
    if (event->kind == EioEvent::Kind::closed) {
      if (event->how.starts_with("HTTP 5") && !(c.overlapped && event->how == "HTTP 500 "))
        violation(event->how.substr(0, 8) + " to a GET",
                  "a polling GET was answered " + event->how.substr(0, 200));
      // The end stays in the queue: take the packets that came before it only once.
      c.session.reset();
      return;
    }
    auto p = event->packet;
    // A client that asked for b64 may get binary as "b" + base64 text on WebSocket too
    // (Node's engine.io honours it on every transport).
    if (p.type == '?' && c.b64)
      if (auto as_text = codec::parse_eio(p.data, true); as_text && as_text->binary) p = *as_text;
    if (p.type == '?') {
      violation("invalid Engine.IO packet",
                "the server sent '" + p.data.substr(0, 200) + "', which is no Engine.IO packet");
      continue;
    }
    if (p.type == '0') {
      violation("second open packet",
                "an open packet after the handshake: " + p.data.substr(0, 200));
      continue;
    }
    // With an extra GET the messages may be split between two answers: not judged one by one.
    if (p.type != '4' || !c.sio || c.overlapped) continue;
    judge_message(c, p);
  }
}

void Oracle::judge_message(Conn& c, const codec::EioPacket& p) {
  if (p.binary) {
    if (c.attachments_due > 0) {
      --c.attachments_due;
    } else {
      violation("binary message without a packet",
                "a binary message arrived while no BINARY_EVENT or BINARY_ACK awaited attachments");
    }
    return;
  }
  if (c.attachments_due > 0)
    violation("attachments interrupted",
              "a text message came while " + std::to_string(c.attachments_due) +
                  " attachments were still due: " + p.data.substr(0, 200));
  const auto packet = parse_sio(p.data);
  if (!packet) {
    violation("invalid Socket.IO packet",
              "the server sent '" + p.data.substr(0, 200) + "', which is no Socket.IO packet");
    return;
  }
  c.attachments_due = packet->attachments;
  if (c.tainted) return;
  if (!c.nsps.contains(packet->nsp)) {
    violation("packet for a namespace never asked for",
              "'" + p.data.substr(0, 200) + "' names " + packet->nsp +
                  ", which this client never sent CONNECT for");
    return;
  }
  if (packet->type != 3 && packet->type != 6) return;
  const auto key = std::make_pair(packet->nsp, packet->id.value_or(~std::uint64_t{0}));
  auto it = c.asked.find(key);
  if (!packet->id || it == c.asked.end()) {
    violation("ack for an id never asked for",
              "'" + p.data.substr(0, 200) + "' acknowledges an id this client never sent on " +
                  packet->nsp);
  } else if (it->second-- <= 0) {
    violation("ack sent twice", "'" + p.data.substr(0, 200) + "' acknowledges an id again");
  }
}

}  // namespace conform::fuzz
