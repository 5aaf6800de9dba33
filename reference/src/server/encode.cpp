#include "encode.hpp"

#include "sio/wire/eio_packet.hpp"
#include "sio/wire/json.hpp"

namespace sio::server::detail {

using wire::sio::PacketType;

std::vector<engine::Frame> packet_frames(PacketType type, std::string_view nsp,
                                         std::optional<std::uint64_t> id, std::string_view data,
                                         const std::vector<std::string>& attachments) {
  std::string text;
  text.reserve(data.size() + nsp.size() + 24);
  text.push_back(wire::eio::type_char(wire::eio::PacketType::message));
  wire::sio::encode_header_append(type, attachments.size(), nsp, id, text);
  text.append(data);
  std::vector<engine::Frame> frames;
  frames.reserve(1 + attachments.size());
  frames.push_back({std::make_shared<const std::string>(std::move(text)), false});
  for (const auto& attachment : attachments)
    frames.push_back(engine::Frame::binary_message(attachment));
  return frames;
}

namespace {

// Quirks::spaced_json: a space after every ':' and ',' outside strings.
std::string spaced(std::string_view json) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    out.push_back(c);
    if (in_string) {
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == ':' || c == ',') {
      out.push_back(' ');
    }
  }
  return out;
}

}  // namespace

std::vector<engine::Frame> event_frames(std::string_view nsp, std::string_view event,
                                        const Args& args, std::optional<std::uint64_t> id,
                                        bool spaced_json) {
  std::string data;
  const auto& array = args.array_json();
  data.reserve(event.size() + array.size() + 4);
  data.push_back('[');
  wire::json::quote_append(event, data);
  if (!args.empty()) {
    data.push_back(',');
    data.append(array, 1, array.size() - 2);
  }
  data.push_back(']');
  if (spaced_json) data = spaced(data);
  return packet_frames(args.has_binary() ? PacketType::binary_event : PacketType::event, nsp, id,
                       data, args.attachments());
}

std::vector<engine::Frame> ack_frames(std::string_view nsp, std::uint64_t id, const Args& args,
                                      bool spaced_json) {
  const auto data = spaced_json ? spaced(args.array_json()) : args.array_json();
  return packet_frames(args.has_binary() ? PacketType::binary_ack : PacketType::ack, nsp, id, data,
                       args.attachments());
}

}  // namespace sio::server::detail
