// The live fuzzer's oracle: what each connection of a sequence asked for (namespaces, ack ids,
// base64 binary), and the judgement of everything the server sent back. It knows only the
// protocol, through the suite's own codec.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "siocheck/driver/clients.hpp"

namespace conform::fuzz {

// One connection of a sequence, and what it asked for.
struct Conn {
  std::unique_ptr<EioSession> session;
  bool sio = true;
  bool tainted = false;  // it sent something the suite's codec cannot read: no Socket.IO checks
  std::set<std::string> nsps;
  std::map<std::pair<std::string, std::uint64_t>, int> asked;  // ack ids the client asked for
  int attachments_due = 0;
  bool b64 = false;         // it asked for binary as base64 text (b64=1)
  bool closing = false;     // the client closed it: what comes after is not judged
  bool overlapped = false;  // an extra GET was sent: its GETs may be refused 500 (see status)
};

class Oracle {
 public:
  explicit Oracle(Loop& loop) : loop_(loop) {}

  // An Engine.IO text message the client sends on `c` (a polling body's records one by one).
  void outgoing(Conn& c, std::string_view eio_text);
  // Everything `c`'s session has received so far; the session is released when it has ended.
  void judge(Conn& c);
  // An HTTP answer: a 5xx is a server error, not a protocol answer (but where `may_be_500`).
  void status(const HttpResponse& r, std::string_view what, bool may_be_500 = false);
  // A violation seen outside the oracle (a handshake answered 5xx).
  void violation(std::string code, std::string detail);

  // (code, detail) of each violation, in the order seen.
  const std::vector<std::pair<std::string, std::string>>& violations() const noexcept {
    return violations_;
  }

 private:
  void judge_message(Conn& c, const codec::EioPacket& p);

  Loop& loop_;
  std::vector<std::pair<std::string, std::string>> violations_;
};

}  // namespace conform::fuzz
