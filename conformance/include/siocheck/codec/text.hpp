// Bytes written for people: the one place where traces, reports, findings and error messages of
// the checking side turn raw bytes into text. The suite's own UTF-8 check lives here too: the
// checkers never judge a server with the reference server's code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace conform::text {

// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view bytes) noexcept;

struct Shown {
  std::size_t max = 600;  // bytes of input shown; the rest becomes "... (N bytes)"
  bool newlines = false;  // keep '\n' as a line break (otherwise written \n)
};

// The bytes as one line of text: UTF-8 sequences as they are; \r, \n, \t as such escapes; the
// record separator, other control bytes, DEL and every byte that is not part of a valid UTF-8
// sequence as \xNN. Cut at a character boundary after `max` bytes. The result is always valid
// UTF-8 without control characters (but '\n' when asked for).
std::string printable(std::string_view bytes, Shown how = {});

// The bytes as a quoted string that reads back unambiguously: "a\"b\\c\x1e" (the escapes of
// printable(), and \" and \\), never cut.
std::string quoted(std::string_view bytes);

// "0a ff 1e" for the first `max` bytes, then " ... (N bytes)".
std::string hex(std::string_view bytes, std::size_t max = 64);

// A binary attachment as the checks show it: "<01 02 03>" (the first 32 bytes).
std::string attachment(std::string_view bytes);

}  // namespace conform::text
