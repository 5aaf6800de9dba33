// What the client cases share: where their requirements come from, and small readers of the
// scripted server's records.
#pragma once

#include <string>
#include <vector>

#include "siocheck/client/client_case.hpp"
#include "siocheck/codec/text.hpp"

namespace conform::client::cases {

inline const std::string kEioSpec = "Engine.IO v4 specification";
inline const std::string kSioSpec = "Socket.IO v5 specification";
inline const std::string kClientDocs = "socket.io client documentation (socket.io.dev/docs/v4)";
inline const std::string kObserved = "socket.io-client 4.8 observed";

// "GET /socket.io/?EIO=4&transport=polling" (and "WebSocket " before an upgrade).
std::string shown(const Request& r);
// "42[\"x\"]" with its attachments.
std::string shown(const SioIn& p);
// The Socket.IO packets the client sent in session `sid` (all sessions when empty).
std::vector<const SioIn*> sio_of(Harness& h, const std::string& sid = "");
// The client's events: its EVENT and BINARY_EVENT packets named `name` (all when empty).
std::vector<const SioIn*> events_named(Harness& h, const std::string& name = "");
// Requests of session `sid` (by its sid parameter).
std::vector<const Request*> requests_of(Harness& h, const std::string& sid);
// The adapter's event arguments, compact.
std::string shown_args(const Json& args);
// The name of an `event` the adapter reported, as text: a string as it is, anything else (a
// number, null: what the library delivered) as JSON.
std::string event_of(const AdapterEvent& e);
// The first element of an event's array (its name) as text, or empty.
std::string event_name(const SioIn& p);
// The session ends soon after `sid` is dropped: the client's connection is gone for good.
void drop_and_wait(Context& c, const std::string& sid);
// Waits until the session `sid` has been upgraded to WebSocket; fails the case otherwise.
void expect_upgraded(Context& c, const std::string& sid, Ms timeout);

}  // namespace conform::client::cases
