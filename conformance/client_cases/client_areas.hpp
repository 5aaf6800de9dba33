// One function per area file of the client suite; each appends its cases. The order here is the
// order of the suite.
#pragma once

#include <vector>

#include "siocheck/client/client_case.hpp"

namespace conform::client::cases {

void add_handshake(std::vector<Case>& out);
void add_heartbeat(std::vector<Case>& out);
void add_polling(std::vector<Case>& out);
void add_upgrade(std::vector<Case>& out);
void add_ws(std::vector<Case>& out);
void add_connect(std::vector<Case>& out);
void add_event(std::vector<Case>& out);
void add_ack(std::vector<Case>& out);
void add_buffer(std::vector<Case>& out);
void add_retries(std::vector<Case>& out);
void add_reconnect(std::vector<Case>& out);
void add_multiplex(std::vector<Case>& out);
void add_lifecycle(std::vector<Case>& out);
void add_csr(std::vector<Case>& out);

inline constexpr void (*kAreas[])(std::vector<Case>&) = {
    add_handshake, add_heartbeat, add_polling,   add_upgrade, add_ws,
    add_connect,   add_event,     add_ack,       add_buffer,  add_retries,
    add_reconnect, add_multiplex, add_lifecycle, add_csr,
};

}  // namespace conform::client::cases
