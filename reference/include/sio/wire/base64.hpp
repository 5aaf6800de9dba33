// Standard base64 (RFC 4648 alphabet, '=' padding), as Engine.IO v4 uses for binary in polling.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sio::wire::base64 {

std::size_t encoded_size(std::size_t raw_size) noexcept;

// Appends the padded encoding of `raw` to `out`.
void encode_append(std::string_view raw, std::string& out);
std::string encode(std::string_view raw);

// Decodes padded base64. Rejects a length that is not a multiple of four, characters outside the
// alphabet and misplaced padding; ignores the unused low bits of the last group, as common decoders
// do.
std::optional<std::string> decode(std::string_view text);

// URL-safe alphabet ('-' and '_'), no padding: used for session ids.
std::string encode_url(std::string_view raw);

}  // namespace sio::wire::base64
