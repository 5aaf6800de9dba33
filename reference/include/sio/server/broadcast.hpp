// The broadcast operator: who gets an emit (rooms, exceptions) and how (volatile, compress,
// timeout). Operators are values: each call returns a new one. A broadcast encodes its packet once
// and hands the same bytes to every recipient.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sio/server/types.hpp"

namespace sio::server {

class Namespace;
class Socket;

class BroadcastOperator {
 public:
  explicit BroadcastOperator(Namespace& nsp, std::set<std::string> rooms = {},
                             std::set<std::string> except = {}, EmitFlags flags = {});

  BroadcastOperator to(std::string_view room) const;
  BroadcastOperator to(const std::vector<std::string>& rooms) const;
  BroadcastOperator in(std::string_view room) const { return to(room); }
  BroadcastOperator except(std::string_view room) const;
  BroadcastOperator except(const std::vector<std::string>& rooms) const;
  BroadcastOperator with_volatile() const;
  BroadcastOperator compress(bool on) const;
  // Only this server process (the in-memory adapter has no other).
  BroadcastOperator local() const { return *this; }
  BroadcastOperator timeout(Duration d) const;

  bool emit(std::string_view event, const Args& args = {}) const;
  // Every recipient is asked for an ack under one id; `callback` gets the first ack argument of
  // each, once all have answered, or an error and those that did when the timeout passes. With no
  // recipient it runs at once with none.
  void emit_with_ack(std::string_view event, const Args& args, BroadcastAckCallback callback) const;

  std::vector<std::shared_ptr<Socket>> fetch_sockets() const;
  void sockets_join(std::string_view room) const;
  void sockets_leave(std::string_view room) const;
  void disconnect_sockets(bool close = false) const;

 private:
  std::vector<std::shared_ptr<Socket>> recipients() const;

  Namespace* nsp_;
  std::set<std::string> rooms_;
  std::set<std::string> except_;
  EmitFlags flags_;
};

}  // namespace sio::server
