#include "embedded.hpp"

#include <thread>

#include "sio/faults.hpp"
#include "sio/serve/fixture_server.hpp"

namespace siocheck::cli {

namespace {

class EmbeddedReference final : public conform::host::EmbeddedServer {
 public:
  explicit EmbeddedReference(const conform::host::EmbeddedSettings& settings)
      : server_(options(settings)) {}
  ~EmbeddedReference() override { stop(); }

  std::uint16_t start() override {
    const auto port = server_.listen();
    thread_ = std::thread([this] { server_.run(); });
    return port;
  }
  std::string url() const override { return server_.url(); }
  void stop() override {
    if (!thread_.joinable()) return;
    server_.shutdown();
    thread_.join();
  }
  void abandon() override {
    if (thread_.joinable()) thread_.detach();
  }

 private:
  static sio::serve::ServeOptions options(const conform::host::EmbeddedSettings& settings) {
    auto serve = sio::serve::fixture_defaults();
    serve.net.port = 0;
    serve.verbosity = sio::serve::Verbosity::off;
    // Nobody polls for a close packet once the run is over: stop without waiting for them.
    serve.shutdown_timeout = std::chrono::milliseconds(100);
    if (settings.heartbeat_ms) {
      serve.engine.ping_interval = std::chrono::milliseconds(settings.heartbeat_ms->first);
      serve.engine.ping_timeout = std::chrono::milliseconds(settings.heartbeat_ms->second);
    }
    for (const auto& name : settings.faults)
      if (const auto fault = sio::fault_named(name)) serve.faults.add(*fault);
    return serve;
  }

  sio::serve::FixtureServer server_;
  std::thread thread_;
};

}  // namespace

conform::host::EmbeddedFactory embedded_reference() {
  return [](const conform::host::EmbeddedSettings& settings) {
    return std::make_unique<EmbeddedReference>(settings);
  };
}

bool check_fault_names(const std::vector<std::string>& names, std::string& error) {
  for (const auto& name : names)
    if (!sio::fault_named(name)) {
      error = "unknown fault '" + name + "'; the catalogue has: " + sio::fault_names();
      return false;
    }
  return true;
}

}  // namespace siocheck::cli
