// One function per area file; each appends its cases. The order here is the order of the suite.
#pragma once

#include <vector>

#include "siocheck/suite/case.hpp"

namespace conform::cases {

void add_eio_handshake(std::vector<Case>& out);
void add_eio_polling(std::vector<Case>& out);
void add_eio_websocket(std::vector<Case>& out);
void add_eio_upgrade(std::vector<Case>& out);
void add_eio_heartbeat(std::vector<Case>& out);
void add_eio_limits(std::vector<Case>& out);
void add_eio_coalesced(std::vector<Case>& out);
void add_eio_reset(std::vector<Case>& out);
void add_eio_names(std::vector<Case>& out);
void add_eio_cors(std::vector<Case>& out);
void add_sio_connect(std::vector<Case>& out);
void add_sio_namespaces(std::vector<Case>& out);
void add_sio_events(std::vector<Case>& out);
void add_sio_acks(std::vector<Case>& out);
void add_sio_binary(std::vector<Case>& out);
void add_sio_middleware(std::vector<Case>& out);
void add_sio_rooms(std::vector<Case>& out);
void add_sio_broadcast(std::vector<Case>& out);
void add_sio_disconnect(std::vector<Case>& out);
void add_sio_robustness(std::vector<Case>& out);
void add_sio_names(std::vector<Case>& out);
void add_sio_recovery(std::vector<Case>& out);

inline constexpr void (*kAreas[])(std::vector<Case>&) = {
    add_eio_handshake, add_eio_polling,   add_eio_websocket,  add_eio_upgrade,
    add_eio_heartbeat, add_eio_limits,    add_eio_coalesced,  add_eio_reset,
    add_eio_names,     add_eio_cors,      add_sio_connect,    add_sio_namespaces,
    add_sio_events,    add_sio_acks,      add_sio_binary,     add_sio_middleware,
    add_sio_rooms,     add_sio_broadcast, add_sio_disconnect, add_sio_robustness,
    add_sio_names,     add_sio_recovery,
};

}  // namespace conform::cases
