#include "siocheck/fuzz/execution.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <deque>
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
    if (step.op == Op::raw) return raw(step);
    if (step.op == Op::pause) return loop_.run_for(Ms(step.ms));
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
      case Op::raw:
      case Op::pause:
        break;
    }
  }

  // ---- raw steps ------------------------------------------------------------------------------

  // A polling session opened by hand for a raw step's ${new}: its sid ("none" when refused).
  std::string fresh_sid() {
    auto r = loop_.request({"GET", loop_.target().sio_path + "?EIO=4&transport=polling", {}, {}},
                           timeout_);
    if (!r) return "none";
    if (r->status >= 500) oracle_.status(*r, "the handshake");
    if (r->status != 200 || r->body.empty() || r->body.front() != '0') return "none";
    const auto h = codec::parse_handshake(std::string_view(r->body).substr(1));
    return h ? h->sid : "none";
  }

  std::string raw_substitute(std::string bytes, const std::string& fresh) const {
    bytes = substitute(std::move(bytes));
    const auto& t = loop_.target();
    for (const auto& [key, value] : {std::pair<std::string, std::string>{"${new}", fresh},
                                     {"${host}", t.host + ":" + std::to_string(t.port)}})
      for (std::size_t at; (at = bytes.find(key)) != std::string::npos;)
        bytes.replace(at, key.size(), value);
    return bytes;
  }

  // What a raw step's requests do to the sequence's sessions: a POST body is the session's own
  // (its records are noted, after the session's own POSTs, as a client would send it); anything
  // else (a GET, an upgrade) competes with the session's requests: it is no longer judged packet
  // by packet.
  void raw_sessions(const std::vector<RawRequest>& requests) {
    for (const auto& r : requests)
      for (int i = 0; i < kMaxConns; ++i) {
        auto& c = conns_[i];
        if (!c.session || r.target.find("${sid" + std::to_string(i) + "}") == std::string::npos)
          continue;
        if (r.method == "POST" && !r.upgrade) {
          loop_.run_until([&] { return c.session->posts_done() || c.session->closed(); }, timeout_);
          for (const auto& record : codec::split_payload(r.body))
            oracle_.outgoing(c, record);
        } else {
          c.overlapped = true;
          c.tainted = true;
        }
      }
  }

  void raw(const Step& step) {
    const auto requests = split_requests(step.data);
    raw_sessions(requests);
    const auto fresh =
        step.data.find("${new}") != std::string::npos ? fresh_sid() : std::string("none");
    // The bytes in one write or two: placeholders are replaced on either side of the cut.
    std::string frames;
    for (const auto& f : step.frames)
      frames += frame_bytes(f);
    std::string first, second;
    if (step.split == 0) {
      first = raw_substitute(step.data, fresh) + frames;
    } else if (step.split <= step.data.size()) {
      first = raw_substitute(step.data.substr(0, step.split), fresh);
      second = raw_substitute(step.data.substr(step.split), fresh) + frames;
    } else {
      const auto cut = std::min(step.split - step.data.size(), frames.size());
      first = raw_substitute(step.data, fresh) + frames.substr(0, cut);
      second = frames.substr(cut);
    }
    auto& raw = raws_.emplace_back(loop_);
    if (!raw.connect(timeout_)) return;  // refused: the probe tells
    if (!raw.send(first)) return;
    if (!second.empty()) {
      loop_.run_for(Ms(1));  // the first part leaves on its own
      if (!raw.send(second)) return;
    }
    switch (step.end) {
      case End::reset:
        return raw.reset();
      case End::reset_after_answer:
        raw.read_until("\r\n\r\n", std::min(timeout_, Ms(100)));
        return raw.reset();
      case End::read:
        return read_answers(raw, requests);
    }
  }

  // Reads the answers to a raw step's requests (each judged as the session's would be), until all
  // came, the server closed, a 101 switched protocols, or 200 ms passed (a held GET). After a 101
  // the server's first frames are read (an open packet, "3probe"), or its end: up to 100 ms for
  // the first, then until 20 ms pass without more. By then the server has handled the frames
  // that came with the request, and a server that fails some time after its 101 has failed.
  void read_answers(RawConnection& raw, const std::vector<RawRequest>& requests) {
    std::size_t expected = 0;
    for (const auto& r : requests)
      if (r.complete) ++expected;
    const auto deadline = Clock::now() + std::min(timeout_, Ms(200));
    std::string got;
    std::size_t judged = 0;
    std::size_t after_head = 0;  // where the frames after a 101 start
    bool closed = false;
    bool switched = false;
    while (!closed && !switched && judged < expected && Clock::now() < deadline) {
      got += raw.read_at_least(1, std::chrono::duration_cast<Ms>(deadline - Clock::now()), &closed);
      std::size_t at = 0;
      for (std::size_t n = 0; n < judged; ++n)
        at = next_response(got, at, nullptr, nullptr);
      while (judged < expected) {
        HttpResponse r;
        bool complete = false;
        const auto next = next_response(got, at, &r, &complete);
        if (!complete) break;
        at = next;
        const auto& method = requests[judged++].method;
        if (r.status == 101) {
          switched = true;
          after_head = at;
          break;
        }
        // As for the request step: 500 without a body is engine.io's answer to a method other
        // than GET and POST on a session, and to an overlapping GET.
        oracle_.status(r, "a raw " + method, method != "POST");
      }
    }
    if (!switched || closed) return;
    const auto bound = Clock::now() + Ms(300);
    auto more =
        got.size() > after_head ? got.substr(after_head) : raw.read_at_least(1, Ms(100), &closed);
    while (!more.empty() && !closed && Clock::now() < bound)
      more = raw.read(Ms(20), &closed);
  }

  // The HTTP answer that starts at `at` of `bytes`: where the next one starts; `complete` says
  // whether its head and body (Content-Length) are all there. Chunked bodies are not expected.
  static std::size_t next_response(const std::string& bytes, std::size_t at, HttpResponse* r,
                                   bool* complete) {
    const auto end = bytes.find("\r\n\r\n", at);
    if (end == std::string::npos || bytes.compare(at, 5, "HTTP/") != 0) {
      if (complete) *complete = false;
      return at;
    }
    const auto space = bytes.find(' ', at);
    const int status = space < end ? std::atoi(bytes.c_str() + space + 1) : 0;
    std::size_t length = 0;
    for (auto line = bytes.find("\r\n", at); line < end; line = bytes.find("\r\n", line + 2)) {
      static constexpr std::string_view kLength = "content-length:";
      std::string name = bytes.substr(line + 2, kLength.size());
      for (auto& ch : name)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (name == kLength)
        length = std::strtoull(bytes.c_str() + line + 2 + kLength.size(), nullptr, 10);
    }
    if (status == 101) length = 0;
    const bool whole = bytes.size() - (end + 4) >= length;
    if (complete) *complete = whole;
    if (r) {
      r->status = status;
      r->body = bytes.substr(end + 4, std::min(length, bytes.size() - (end + 4)));
    }
    return whole ? end + 4 + length : at;
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
  // Raw connections live until the sequence ends (a reset one too: its read handler may still
  // run).
  std::deque<RawConnection> raws_;
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
