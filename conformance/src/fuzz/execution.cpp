#include "siocheck/fuzz/execution.hpp"

#include <array>
#include <cstdlib>
#include <thread>

#include "oracle.hpp"
#include "siocheck/codec/codec.hpp"

namespace conform::fuzz {

namespace {

class Execution {
 public:
  Execution(const Target& target, Ms timeout) : loop_(target), timeout_(timeout), oracle_(loop_) {}

  Outcome run(const std::vector<Step>& steps, host::TargetHost& host) {
    for (const auto& step : steps) {
      perform(step);
      if (!oracle_.violations().empty()) break;
    }
    loop_.poll();
    judge_all();
    Outcome outcome;
    if (!probe(outcome)) classify_failure(outcome, host);
    if (!outcome.found()) {
      loop_.poll();
      judge_all();
      if (!oracle_.violations().empty()) {
        outcome.kind = Kind::violation;
        outcome.code = oracle_.violations().front().first;
        outcome.detail = oracle_.violations().front().second;
      }
    }
    finish();
    outcome.trace = std::move(loop_.trace());
    return outcome;
  }

 private:
  std::string path_of(const Conn& c) const {
    return c.sio ? loop_.target().sio_path : loop_.target().eio_path;
  }

  // ${sid0}... in a request's target: the session ids of the sequence's connections.
  std::string substitute(std::string target) const {
    for (int i = 0; i < kMaxConns; ++i) {
      const std::string key = "${sid" + std::to_string(i) + "}";
      for (std::size_t at; (at = target.find(key)) != std::string::npos;)
        target.replace(at, key.size(), conns_[i].session ? conns_[i].session->sid() : "none");
    }
    return target;
  }

  void perform(const Step& step) {
    if (step.op == Op::open) return open(conns_[static_cast<std::size_t>(step.conn)], step);
    if (step.op == Op::request) return request(step);
    auto& c = conns_[static_cast<std::size_t>(step.conn)];
    if (c.session) on_session(c, step);  // otherwise its open failed, or it was dropped
  }

  void open(Conn& c, const Step& step) {
    c = Conn{};
    c.sio = step.path == Path::sio;
    c.b64 = step.query.find("b64=") != std::string::npos;
    c.session = std::make_unique<EioSession>(loop_, step.transport, path_of(c), step.query);
    if (!c.session->open(timeout_)) {
      const auto& e = c.session->error();
      if (e.find("answered 5") != std::string::npos || e.find("(HTTP 5") != std::string::npos)
        oracle_.violation("HTTP 5xx to the handshake", "the handshake: " + e);
      c.session.reset();
    }
  }

  void request(const Step& step) {
    const bool other_method = step.method != "GET" && step.method != "POST";
    // A body POSTed to a session's sid speaks for that session.
    for (int i = 0; i < kMaxConns; ++i)
      if (conns_[i].session &&
          step.target.find("${sid" + std::to_string(i) + "}") != std::string::npos)
        for (const auto& record : codec::split_payload(step.data))
          oracle_.outgoing(conns_[i], record);
    pending_.push_back({step.method + " " + step.target,
                        loop_.start_request({step.method, substitute(step.target), {}, step.data}),
                        other_method || step.method == "GET"});
  }

  void on_session(Conn& c, const Step& step) {
    auto& s = *c.session;
    // On polling a text goes out as a POST body: the record separators in it split it.
    const auto note = [&](const std::string& text) {
      if (s.current() != Transport::polling) return oracle_.outgoing(c, text);
      for (const auto& record : codec::split_payload(text))
        oracle_.outgoing(c, record);
    };
    switch (step.op) {
      case Op::text:
        note(step.data);
        s.send(step.data);
        break;
      case Op::binary:
        s.send_binary(step.data);
        break;
      case Op::batch:
        for (const auto& p : step.packets)
          note(p);
        s.send_batch(step.packets);
        break;
      case Op::post:
        post(c, step.data);
        break;
      case Op::get:
        // The session's packets may now be split between its GETs and this one.
        c.overlapped = true;
        c.tainted = true;
        pending_.push_back({"an extra GET",
                            loop_.start_request({"GET", path_of(c) + "?" + s.url_query(), {}, {}}),
                            true});
        break;
      case Op::upgrade:
        if (s.current() == Transport::polling && !s.closed()) s.upgrade(timeout_);
        break;
      case Op::close:
        // What arrives after the client's close is not judged: the driver's WebSocket reads the
        // next frame for its close handshake before a finished read is handed over, so a text
        // frame followed by a binary one can be reported as binary (and the binary one lost).
        oracle_.judge(c);  // may end the session
        c.closing = true;
        if (c.session) c.session->close();
        break;
      case Op::drop:
        oracle_.judge(c);
        c.session.reset();
        break;
      case Op::open:
      case Op::request:
        break;
    }
  }

  // After the session's own POSTs, as a client would: overlapping POSTs are a choice of their own
  // (the batch and text steps make them).
  void post(Conn& c, const std::string& body) {
    auto& s = *c.session;
    loop_.run_until([&] { return s.posts_done() || s.closed(); }, timeout_);
    for (const auto& record : codec::split_payload(body))
      oracle_.outgoing(c, record);
    pending_.push_back({"a POST",
                        loop_.start_request({"POST",
                                             path_of(c) + "?" + s.url_query(),
                                             {{"Content-Type", "text/plain;charset=UTF-8"}},
                                             body}),
                        false});
  }

  void judge_all() {
    for (auto& c : conns_)
      oracle_.judge(c);
    for (auto& p : pending_)
      if (p.pending.done() && !p.pending.error()) {
        // Pending has no accessor for a finished value without waiting: wait(0) returns it.
        if (auto r = p.pending.wait(Ms(0))) oracle_.status(*r, p.what, p.may_be_500);
      }
    std::erase_if(pending_, [](auto& p) { return p.pending.done(); });
  }

  bool probe(Outcome& outcome) {
    SioClient client(loop_, Transport::websocket);
    if (!client.open(timeout_)) {
      const auto& trace = loop_.trace();
      probe_failure_ =
          "no handshake (" +
          (!trace.empty() && trace.back().text.starts_with("WebSocket refused") ? trace.back().text
                                                                                : client.error()) +
          ")";
      return false;
    }
    if (!client.connect("/", "", timeout_)) {
      probe_failure_ = "CONNECT to / got no accepting answer";
      return false;
    }
    const auto ack = client.call("/", "message-with-ack", R"("probe")", timeout_);
    if (!ack) {
      probe_failure_ = "message-with-ack got no ack";
      return false;
    }
    if (ack->packet.type != 3 || ack->packet.data != R"(["probe"])") {
      outcome.kind = Kind::violation;
      outcome.code = "wrong probe ack";
      outcome.detail = "the liveness probe's message-with-ack was answered '" + ack->text + "'";
    }
    return true;
  }

  void classify_failure(Outcome& outcome, host::TargetHost& host) {
    if (host.launched()) {
      for (int i = 0; i < 20 && host.launched_alive(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!host.launched_alive()) {
        const auto end = host.launched_end();
        outcome.kind = Kind::crash;
        outcome.code = end.substr(0, end.find(';'));
        outcome.detail = "the target " + end;
        return;
      }
    }
    RawConnection raw(loop_);
    if (!raw.connect(Ms(500))) {
      outcome.kind = Kind::crash;
      outcome.code = "refuses connections";
      outcome.detail = "the target refuses connections after the sequence";
      return;
    }
    outcome.kind = Kind::hang;
    outcome.code = "no answer";
    outcome.detail = "the liveness probe failed within " + std::to_string(timeout_.count()) +
                     " ms: " + probe_failure_;
  }

  // Polling sessions say goodbye, so that the target does not keep them until the ping timeout.
  void finish() {
    bool any = false;
    for (auto& c : conns_)
      if (c.session && !c.session->closed() && c.session->current() == Transport::polling) {
        c.session->close();
        any = true;
      }
    if (!any) return;
    loop_.run_until(
        [&] {
          for (auto& c : conns_)
            if (c.session && !c.session->posts_done() && !c.session->closed()) return false;
          return true;
        },
        Ms(100));
  }

  struct Request {
    std::string what;
    Pending<HttpResponse> pending;
    bool may_be_500 = false;
  };

  Loop loop_;
  Ms timeout_;
  Oracle oracle_;
  std::array<Conn, kMaxConns> conns_;
  std::vector<Request> pending_;
  std::string probe_failure_;
};

}  // namespace

std::string_view to_string(Kind kind) noexcept {
  switch (kind) {
    case Kind::crash:
      return "crash";
    case Kind::hang:
      return "hang";
    case Kind::violation:
      return "violation";
    case Kind::none:
      break;
  }
  return "";
}

std::optional<Kind> kind_named(std::string_view name) noexcept {
  for (const auto kind : {Kind::crash, Kind::hang, Kind::violation})
    if (name == to_string(kind)) return kind;
  return std::nullopt;
}

std::string Outcome::signature() const {
  return std::string(to_string(kind)) + ": " + code;
}

Outcome execute(const Target& target, const std::vector<Step>& steps, host::TargetHost& host,
                Ms timeout) {
  return Execution(target, timeout).run(steps, host);
}

}  // namespace conform::fuzz
