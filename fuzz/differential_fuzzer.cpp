// The reference codecs (reference/include/sio/wire) against the conformance suite's own codec
// (siocheck/codec/codec.hpp): on the same bytes they must agree on accept or reject and on the
// value read. The input is read four ways:
//   - a Socket.IO packet: the text before the first 0xFF byte, with the pieces after it (0xFF
//     separated) as its binary attachments: sio::decode_text and sio::Decoder vs parse_sio;
//   - an Engine.IO packet in text form (a polling record): eio::decode_text vs parse_eio(polling);
//   - a polling payload: eio::decode_payload (whole and split at every 7th byte) vs split_payload
//     + parse_eio on each record;
//   - base64: base64::encode vs base64_encode on the input, and decode vs base64_decode of it.
//
// The two codecs read from different sides: the reference reads what clients send (and guards the
// server against them), the suite reads what servers send (and must see a server's mistakes to
// judge them). Where that makes them differ on purpose, the comparison is restricted, exactly:
//   1. Payload shape. The reference checks each type's payload (CONNECT an object or nothing,
//      EVENT a non-empty array named by a string or a number, ACK an array, DISCONNECT nothing,
//      CONNECT_ERROR an object or a string); parse_sio checks only that the payload is JSON, and
//      the cases judge the shape, so that a server sending the wrong one gets a verdict saying so
//      rather than "unreadable". Allowed: reference invalid_payload, suite accepts.
//   2. Long ack ids. The reference refuses an id of more than 16 digits or past 2^53 - 1 (a
//      JavaScript number cannot hold it exactly; a client must not send one, and leading zeros
//      count as digits); the suite reads any run of digits (clamped at 2^64 - 1) because a server
//      may echo what a hostile client sent, and the cases look at it. Allowed: reference
//      invalid_ack_id, suite reads an id.
//   3. JSON text. The reference reads JSON as Node's JSON.parse does; the suite uses nlohmann,
//      which is stricter in places a server's JSON.stringify output never reaches: text that is
//      not UTF-8 (Node reads it as U+FFFD), escapes of lone UTF-16 surrogates, numbers that
//      overflow a double (JSON.parse gives Infinity, JSON.stringify never writes one) and nesting
//      past the reference's kMaxDepth (which the reference refuses). Where exactly one of them
//      accepts the payload's JSON and that JSON has one of these features, the verdicts may differ.
//      When both accept, the values must be equal: the reference's canonical text is
//      JSON.stringify of the value, and so must be the reference's canonical form of the suite's
//      text.
//   4. Event names. The reference refuses reserved event names from clients; servers may send
//      them, so the reference runs here with reject_reserved_events off.
//   5. Binary packets. parse_sio reads the text part only (the attachment count, the JSON with its
//      placeholders as written); the reference's Decoder also checks the placeholders against the
//      attachments. The text parts are compared with decode_text; the Decoder is run with the
//      attachments from the input only to check it agrees with decode_text on the text.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/wire/base64.hpp"
#include "sio/wire/eio_packet.hpp"
#include "sio/wire/eio_payload.hpp"
#include "sio/wire/error.hpp"
#include "sio/wire/json.hpp"
#include "sio/wire/sio_packet.hpp"
#include "siocheck/codec/codec.hpp"
#include "siocheck/codec/text.hpp"

namespace {

namespace codec = ::conform::codec;
namespace eio = ::sio::wire::eio;
namespace json = ::sio::wire::json;
namespace siow = ::sio::wire::sio;
using ::sio::wire::errc;

[[noreturn]] void disagree(const char* what, std::string_view input) {
  std::fprintf(stderr, "differential_fuzzer: the codecs disagree: %s on '%s'\n", what,
               conform::text::printable(input, {.max = 300}).c_str());
  std::abort();
}

unsigned hex4(std::string_view s) {
  unsigned v = 0;
  for (const char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<unsigned>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<unsigned>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<unsigned>(c - 'A' + 10);
    } else {
      return 0;
    }
  }
  return v;
}

// Whether JSON text has a feature where JSON.parse and nlohmann legitimately differ (note 3):
// bytes that are not UTF-8, a lone surrogate escape, a number past a double's range, nesting
// past the reference's limit.
bool json_dialect_differs(std::string_view text) {
  if (!json::valid_utf8(text)) return true;
  std::size_t depth = 0;
  bool in_string = false;
  unsigned pending_high = 0;  // a high surrogate escape waiting for its low half
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '"') {
        if (pending_high) return true;
        in_string = false;
      } else if (c == '\\' && i + 1 < text.size()) {
        if (text[i + 1] == 'u' && i + 5 < text.size()) {
          const unsigned unit = hex4(text.substr(i + 2, 4));
          const bool high = unit >= 0xD800 && unit <= 0xDBFF;
          const bool low = unit >= 0xDC00 && unit <= 0xDFFF;
          if ((low && !pending_high) || (pending_high && !low)) return true;
          pending_high = high ? unit : 0;
          i += 5;
          continue;
        }
        if (pending_high) return true;
        ++i;
      } else if (pending_high) {
        return true;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > json::kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      if (depth) --depth;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < text.size() &&
             std::string_view("0123456789+-.eE").find(text[end]) != std::string_view::npos)
        ++end;
      const auto value = json::parse_number(text.substr(i, end - i));
      if (value && std::isinf(*value)) return true;
      i = end - 1;
    }
  }
  return false;
}

// Where a packet's JSON starts: past the type, the attachment count, the namespace and the ack id
// (the header grammar both codecs share).
std::string_view payload_of(std::string_view text) {
  std::size_t i = text.empty() ? 0 : 1;
  if (!text.empty() && (text.front() == '5' || text.front() == '6')) {
    const auto dash = text.find('-', i);
    i = dash == std::string_view::npos ? text.size() : dash + 1;
  }
  if (i < text.size() && text[i] == '/') {
    const auto comma = text.find(',', i);
    i = comma == std::string_view::npos ? text.size() : comma + 1;
  }
  while (i < text.size() && text[i] >= '0' && text[i] <= '9')
    ++i;
  return text.substr(i);
}

void compare_sio(std::string_view text, std::string_view input) {
  const siow::Limits limits{static_cast<std::size_t>(-1), false, true};
  siow::Packet ref;
  std::size_t declared = 0;
  const auto ec = siow::decode_text(text, ref, declared, limits);
  const auto suite = codec::parse_sio(text);
  if (!ec) {
    if (!suite) {
      // The suite refuses what the reference reads: only its JSON dialect may explain that.
      if (!json_dialect_differs(payload_of(text)))
        disagree("Socket.IO packet read by the reference, refused by the suite", input);
      return;
    }
    if (static_cast<int>(ref.type) != suite->type) disagree("Socket.IO packet type", input);
    if (ref.nsp != suite->nsp) disagree("Socket.IO namespace", input);
    if (ref.id != suite->id) disagree("Socket.IO ack id", input);
    if (static_cast<std::size_t>(suite->attachments) != declared)
      disagree("Socket.IO attachment count", input);
    if (ref.is_binary()) {
      if (ref.data != suite->data) disagree("Socket.IO binary packet payload", input);
    } else if (suite->data.empty() != ref.data.empty() ||
               (!ref.data.empty() && json::canonical(suite->data) != ref.data)) {
      disagree("Socket.IO payload value", input);
    }
    return;
  }
  if (!suite) return;  // both refuse
  // The reference refuses, the suite reads: only the documented differences may explain it.
  if (ec == errc::invalid_payload) return;                                    // note 1
  if (ec == errc::invalid_ack_id && suite->id) return;                        // note 2
  if (ec == errc::invalid_json && json_dialect_differs(suite->data)) return;  // note 3
  disagree(("Socket.IO packet refused by the reference (" + ec.message() + "), read by the suite")
               .c_str(),
           input);
}

// The Decoder agrees with decode_text on the text, whatever the attachments then do.
void check_decoder(std::string_view text, std::string_view attachments, std::string_view input) {
  const siow::Limits limits{10, false, true};
  siow::Packet ignored;
  std::size_t declared = 0;
  const auto text_ec = siow::decode_text(text, ignored, declared, limits);
  siow::Decoder decoder(limits);
  siow::Packet packet;
  bool complete = false;
  const auto ec = decoder.feed_text(text, packet, complete);
  if (ec != text_ec) disagree("sio::Decoder and sio::decode_text", input);
  if (ec) return;
  if (complete != (declared == 0)) disagree("sio::Decoder completion", input);
  while (!complete && attachments.data() != nullptr) {
    const auto cut = attachments.find('\xff');
    if (decoder.feed_binary(std::string(attachments.substr(0, cut)), packet, complete)) return;
    if (cut == std::string_view::npos) break;
    attachments.remove_prefix(cut + 1);
  }
  // A complete binary packet keeps the attachments its placeholders refer to (one used twice is
  // kept twice); one that refers to none comes out as an EVENT or ACK, with none.
  if (complete && packet.is_binary() == packet.attachments.empty())
    disagree("sio::Decoder attachments", input);
}

void compare_eio(std::string_view text, std::string_view input) {
  eio::Packet ref;
  const auto ec = eio::decode_text(text, ref);
  const auto suite = codec::parse_eio(text, true);
  if (!ec != suite.has_value()) disagree("Engine.IO packet accepted by one codec only", input);
  if (ec) return;
  if (ref.binary != suite->binary || eio::type_char(ref.type) != suite->type ||
      ref.data != suite->data)
    disagree("Engine.IO packet value", input);
}

void compare_payload(std::string_view body, std::string_view input) {
  std::vector<eio::Packet> whole;
  const auto ec = eio::decode_payload(body, whole);

  std::vector<eio::Packet> split;
  eio::PayloadDecoder decoder;
  const eio::PayloadDecoder::Sink sink = [&](eio::Packet&& p) { split.push_back(std::move(p)); };
  std::error_code split_ec;
  for (std::size_t at = 0; at < body.size() && !split_ec; at += 7)
    split_ec = decoder.feed(body.substr(at, 7), sink);
  if (!split_ec) split_ec = decoder.finish(sink);
  if (split_ec != ec || split != whole) disagree("payload decoded whole and in pieces", input);

  const auto records = codec::split_payload(body);
  if (codec::join_payload(records) != body) disagree("split_payload + join_payload", input);
  std::size_t read = 0;
  for (const auto& record : records) {
    const auto packet = codec::parse_eio(record, true);
    if (!packet) break;
    if (read >= whole.size()) disagree("payload record read by the suite only", input);
    const auto& ref = whole[read];
    if (ref.binary != packet->binary || eio::type_char(ref.type) != packet->type ||
        ref.data != packet->data)
      disagree("payload record value", input);
    ++read;
  }
  if (read != whole.size()) disagree("payload record read by the reference only", input);
  if (!ec != (read == records.size())) disagree("payload accepted by one codec only", input);
}

void compare_base64(std::string_view input) {
  const auto encoded = ::sio::wire::base64::encode(input);
  if (encoded != codec::base64_encode(input)) disagree("base64 encoding", input);
  const auto ref = ::sio::wire::base64::decode(input);
  const auto suite = codec::base64_decode(input);
  if (ref.has_value() != suite.has_value()) disagree("base64 accepted by one codec only", input);
  if (ref && *ref != *suite) disagree("base64 decoded value", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto cut = input.find('\xff');
  const auto text = input.substr(0, cut);
  const auto attachments =
      cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
  compare_sio(text, input);
  check_decoder(text, attachments, input);
  compare_eio(input, input);
  compare_payload(input, input);
  compare_base64(input);
  return 0;
}
