// Helpers shared by the case files: requests, expected error answers, transports.
#pragma once

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "siocheck/codec/codec.hpp"
#include "siocheck/codec/text.hpp"
#include "siocheck/suite/case.hpp"

namespace conform::cases {

inline const std::vector<Transport> kAllTransports{Transport::polling, Transport::websocket,
                                                   Transport::upgrade};
inline const std::vector<Transport> kPolling{Transport::polling};
inline const std::vector<Transport> kWebSocket{Transport::websocket};
inline const std::vector<Transport> kPollingAndWebSocket{Transport::polling, Transport::websocket};

inline void add(std::vector<Case>& out, CaseInfo info, std::function<void(Context&)> run) {
  out.push_back({std::move(info), std::move(run)});
}

// A request that must be answered within a few seconds.
HttpResponse http(Context& c, std::string method, std::string target, std::string body = "",
                  Headers headers = {});
HttpResponse get_eio(Context& c, const std::string& query);

// The Engine.IO error answer: `status` and {"code":code,"message":...}.
void expect_error(Context& c, const HttpResponse& r, int status, int code, std::string_view what);
// The JSON body's code (-1 when the body is not the error JSON).
int error_code_of(const HttpResponse& r);

// Bytes as checks show them: control bytes and bytes outside UTF-8 escaped (text::printable),
// whole.
std::string visible(std::string_view bytes);
// An HTTP answer as checks show it: "200 ok", "400 (empty body)"; a long body is cut.
std::string shown(const HttpResponse& r);

// The server still serves: a session opened before the hostile input still echoes, and a new
// handshake works.
void expect_alive(Context& c, EioSession& before);

// The text of a packet as the trace shows it ("4hello", "b<base64>").
std::string describe(const codec::EioPacket& p);
std::string describe(const EioEvent& e);

// Sends Socket.IO text over `session` and checks nothing is wrong so far.
std::string json_string(std::string_view text);

}  // namespace conform::cases
