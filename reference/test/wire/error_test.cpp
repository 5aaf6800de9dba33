#include "sio/wire/error.hpp"

#include <gtest/gtest.h>

namespace sio::wire {
namespace {

TEST(WireError, EveryCodeHasItsOwnMessageInTheWireCategory) {
  for (auto e : {errc::empty_packet, errc::unknown_packet_type, errc::invalid_base64,
                 errc::empty_payload, errc::record_too_large}) {
    const std::error_code ec = e;
    EXPECT_EQ(&ec.category(), &wire_category());
    EXPECT_TRUE(ec);
    EXPECT_EQ(ec.message().find("unknown sio.wire error"), std::string::npos)
        << static_cast<int>(e);
  }
  EXPECT_STREQ(wire_category().name(), "sio.wire");
  EXPECT_NE(std::error_code(errc::empty_packet).message(),
            std::error_code(errc::invalid_base64).message());
}

TEST(WireError, OkIsNotAnError) {
  EXPECT_FALSE(std::error_code(errc::ok));
}

}  // namespace
}  // namespace sio::wire
