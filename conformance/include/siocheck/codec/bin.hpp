// Binary values written in JSON, as the fixture contract writes them ({"$bin":"<base64>"}), and
// Socket.IO's placeholders ({"_placeholder":true,"num":N}) with the attachments they name. One
// converter for every checker: scenarios, the model and the cases read and write binary the same
// way.
#pragma once

#include <string>
#include <vector>

#include "siocheck/codec/codec.hpp"

namespace conform::codec {

// Whether `value` is {"$bin": <valid base64>} and nothing else.
bool is_bin(const Json& value);

// Every {"$bin": base64} becomes a placeholder numbered in order of appearance; its bytes are
// appended to `attachments`. Anything else (also a "$bin" that is not valid base64) stays as it is.
Json to_placeholders(const Json& value, std::vector<std::string>& attachments);

// Every placeholder {"_placeholder":true,"num":N} that names one of `attachments` (N an integer
// from 0) becomes {"$bin": base64 of attachment N}; anything else stays as it is.
Json with_binary(const Json& value, const std::vector<std::string>& attachments);

}  // namespace conform::codec
