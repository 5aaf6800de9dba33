#include "sio/net/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace sio::net {
namespace {

// A client connection over plain POSIX sockets, so this test needs no HTTP library of its own.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawClient() { close(); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  void send(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Reads one response (head + Content-Length body). Empty when the server closed first.
  std::string response() {
    while (buffer_.find("\r\n\r\n") == std::string::npos)
      if (!fill()) return {};
    const auto head_end = buffer_.find("\r\n\r\n") + 4;
    std::size_t length = 0;
    const auto at = buffer_.find("Content-Length: ");
    if (at != std::string::npos && at < head_end) length = std::stoul(buffer_.substr(at + 16));
    while (buffer_.size() < head_end + length)
      if (!fill()) break;
    std::string out = buffer_.substr(0, head_end + length);
    buffer_.erase(0, head_end + length);
    return out;
  }
  // True when the server has closed the connection (reads EOF).
  bool closed_by_server() {
    char c;
    return ::recv(fd_, &c, 1, 0) == 0;
  }

 private:
  bool fill() {
    char chunk[4096];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string body_of(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.port = 0;
    options.max_header_bytes = 1024;
    options.max_connections = 8;
    server_ = std::make_unique<Server>(options);
    server_->mount(
        "/echo/", [](const engine::HttpRequest& request, std::shared_ptr<engine::HttpExchange> ex) {
          if (request.method != engine::Method::post) {
            engine::HttpResponse response;
            response.body = request.target;
            return ex->respond(std::move(response));
          }
          auto* raw = ex.get();
          raw->read_body(10, [ex](engine::BodyStatus status, std::string body) {
            engine::HttpResponse response;
            response.status = status == engine::BodyStatus::complete ? 200 : 413;
            response.body = status == engine::BodyStatus::complete ? body : "too large";
            if (status != engine::BodyStatus::aborted) ex->respond(std::move(response));
          });
        });
    server_->mount("/hold/",
                   [this](const engine::HttpRequest&, std::shared_ptr<engine::HttpExchange> ex) {
                     ex->on_abort([this] { ++aborts_; });
                     held_.push_back(std::move(ex));
                   });
    server_->mount("/drop/",
                   [](const engine::HttpRequest&, std::shared_ptr<engine::HttpExchange>) {});
    port_ = server_->listen();
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    // The held exchanges belong to the server thread: release them there, then stop.
    std::promise<void> released;
    server_->scheduler().post([&] {
      held_.clear();
      released.set_value();
    });
    released.get_future().wait();
    server_->stop();
    thread_.join();
  }
  // The server's state belongs to its thread: read it there.
  std::size_t connections() {
    std::promise<std::size_t> count;
    server_->scheduler().post([&] { count.set_value(server_->connection_count()); });
    return count.get_future().get();
  }
  // Waits (bounded) for the server thread to see something.
  template <class Pred>
  bool eventually(Pred pred) {
    for (int i = 0; i < 500 && !pred(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pred();
  }

  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<int> aborts_{0};
  std::vector<std::shared_ptr<engine::HttpExchange>> held_;
};

TEST_F(ServerTest, AnUnknownPathIs404NamingTheMountedPaths) {
  RawClient client(port_);
  client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto response = client.response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 404")) << response;
  EXPECT_NE(body_of(response).find("/echo/"), std::string::npos);
}

TEST_F(ServerTest, KeepAliveAndPipelinedRequestsAreAnsweredInOrder) {
  RawClient client(port_);
  client.send("GET /echo/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(body_of(client.response()), "/echo/1");
  EXPECT_EQ(body_of(client.response()), "/echo/2");
  client.send("GET /echo/3 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(body_of(client.response()), "/echo/3");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  RawClient client(port_);
  client.send("GET /echo/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(body_of(client.response()), "/echo/1");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, ABodyIsReadOnlyUpToTheLimitTheHandlerSets) {
  RawClient client(port_);
  client.send("POST /echo/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
  EXPECT_EQ(body_of(client.response()), "0123456789");  // exactly at the limit
  RawClient big(port_);
  big.send("POST /echo/ HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n0123456789A");
  const auto response = big.response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 413")) << response;
  EXPECT_TRUE(big.closed_by_server());  // the rest of the body was never read
}

TEST_F(ServerTest, AChunkedBodyPastTheLimitIsTooLarge) {
  RawClient client(port_);
  client.send(
      "POST /echo/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n8\r\n01234567\r\n8\r\n89ABCDEF\r\n0\r\n\r\n");
  EXPECT_TRUE(client.response().starts_with("HTTP/1.1 413"));
}

TEST_F(ServerTest, AClientThatLeavesWhileItsRequestIsHeldIsReportedAsAnAbort) {
  {
    RawClient client(port_);
    client.send("GET /hold/ HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return connections() == 1; }));
  }
  EXPECT_TRUE(eventually([&] { return aborts_ == 1; }));
}

TEST_F(ServerTest, HeadersPastTheLimitGet431) {
  RawClient client(port_);
  client.send("GET /echo/ HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'y') + "\r\n\r\n");
  EXPECT_TRUE(client.response().starts_with("HTTP/1.1 431"));
}

TEST_F(ServerTest, MalformedRequestsGet400AndTheServerGoesOn) {
  RawClient client(port_);
  client.send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(client.response().starts_with("HTTP/1.1 400"));
  RawClient next(port_);
  next.send("GET /echo/ok HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(body_of(next.response()), "/echo/ok");
}

TEST_F(ServerTest, AnExchangeDroppedWithoutAnAnswerGets500) {
  RawClient client(port_);
  client.send("GET /drop/ HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.response().starts_with("HTTP/1.1 500"));
}

TEST_F(ServerTest, ConnectionsPastTheLimitAreClosedAtOnce) {
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<RawClient>(port_));
    clients.back()->send("GET /hold/ HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  ASSERT_TRUE(eventually([&] { return connections() == 8; }));
  RawClient extra(port_);
  EXPECT_TRUE(extra.closed_by_server());
}

TEST(ServerListen, ABusyPortIsAnErrorNamingTheAddress) {
  ServerOptions options;
  options.port = 0;
  Server first(options);
  options.port = first.listen();
  Server second(options);
  try {
    second.listen();
    FAIL() << "listening twice on one port succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(
        std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(options.port)),
        std::string::npos);
  }
}

TEST(ServerListen, UnreadableTlsFilesAreAnErrorNamingTheFile) {
  ServerOptions options;
  options.port = 0;
  options.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  Server server(options);
  try {
    server.listen();
    FAIL() << "a missing certificate was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cert.pem"), std::string::npos);
  }
}

}  // namespace
}  // namespace sio::net
