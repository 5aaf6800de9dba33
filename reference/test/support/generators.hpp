// RapidCheck generators and printers for the wire types.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>

#include "sio/wire/eio_packet.hpp"

namespace sio::wire::eio {

inline void showValue(const Packet& p, std::ostream& os) {
  os << "Packet{" << to_string(p.type) << (p.binary ? ", binary, " : ", text, ") << p.data.size()
     << " bytes}";
}
inline std::ostream& operator<<(std::ostream& os, const Packet& p) {
  showValue(p, os);
  return os;
}

}  // namespace sio::wire::eio

namespace sio::test {

// Any packet. With `payload_safe`, text data never holds the record separator (v4 senders must
// not put it there, so payloads cannot carry it).
inline rc::Gen<wire::eio::Packet> gen_packet(bool payload_safe) {
  using wire::eio::Packet;
  using wire::eio::PacketType;
  auto text =
      rc::gen::map(rc::gen::pair(rc::gen::inRange(0, 7), rc::gen::arbitrary<std::string>()),
                   [payload_safe](std::pair<int, std::string> t) {
                     if (payload_safe) std::erase(t.second, '\x1e');
                     return Packet::text(static_cast<PacketType>(t.first), std::move(t.second));
                   });
  auto binary = rc::gen::map(rc::gen::arbitrary<std::string>(),
                             [](std::string d) { return Packet::bytes(d); });
  return rc::gen::oneOf(text, binary);
}

}  // namespace sio::test
