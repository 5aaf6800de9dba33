#include "serve.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <system_error>

namespace siocheck {

namespace {

namespace fs = std::filesystem;
using sio::serve::ServeOptions;

constexpr const char* kDemoDir = "scenarios/signaling";
constexpr const char* kBundle = "node_modules/socket.io-client/dist/socket.io.min.js";

// The siocheck checkout this binary was built in: the nearest folder above it that holds the demo
// page (build/dev/tools/siocheck -> the repository root). None for an installed binary.
std::optional<fs::path> checkout_of_binary() {
  std::error_code ec;
  const auto binary = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (auto dir = binary.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / kDemoDir / "index.html", ec)) return dir;
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

// Reads the demo page and the bundle into `options`; on failure prints what is missing, which flag
// names it and how to fix it, and returns false.
bool load_demo(ServeOptions& options, const DemoPaths& demo) {
  const auto checkout = checkout_of_binary();
  auto fail = [](const std::string& flag, const std::string& what) {
    std::cerr << "siocheck serve: " << flag << ": " << what << "\n";
    return false;
  };
  fs::path dir = demo.static_dir;
  if (dir.empty()) {
    if (!checkout)
      return fail("--static-dir",
                  "this binary is not inside a siocheck checkout, so it has no default demo page; "
                  "pass --static-dir DIR (the repository's " +
                      std::string(kDemoDir) + ")");
    dir = *checkout / kDemoDir;
  }
  const auto page = read_file(dir / "index.html");
  if (!page)
    return fail("--static-dir", "cannot read " + (dir / "index.html").string() +
                                    "; pass --static-dir DIR, the folder of the signaling demo's "
                                    "index.html (the repository's " +
                                    std::string(kDemoDir) + ")");
  fs::path bundle = demo.client_bundle;
  if (bundle.empty()) {
    if (!checkout)
      return fail("--client-bundle",
                  "this binary is not inside a siocheck checkout, so it has no default client "
                  "bundle; pass --client-bundle PATH (a socket.io-client dist/socket.io.min.js)");
    bundle = *checkout / kBundle;
  }
  const auto script = read_file(bundle);
  if (!script) {
    const auto fix = demo.client_bundle.empty()
                         ? "run `npm ci` in " + checkout->string() +
                               " (ci/setup does), or pass --client-bundle PATH"
                         : std::string(
                               "pass --client-bundle PATH to a socket.io-client "
                               "dist/socket.io.min.js");
    return fail("--client-bundle",
                "cannot read the socket.io-client browser bundle " + bundle.string() + "; " + fix);
  }
  options.static_files = {
      {"/", "text/html; charset=utf-8", *page},
      {"/index.html", "text/html; charset=utf-8", *page},
      {"/socket.io.min.js", "application/javascript; charset=utf-8", *script},
  };
  return true;
}

}  // namespace

int run_serve(ServeOptions options, const DemoPaths& demo) {
  if (options.app == sio::serve::App::signaling && !load_demo(options, demo)) return 2;
  sio::serve::FixtureServer server(std::move(options));
  try {
    server.listen();
  } catch (const std::exception& e) {
    std::cerr << "siocheck serve: " << e.what() << "\n";
    return 2;
  }
  server.shutdown_on_signals();
  std::printf("listening %s\n", server.url().c_str());
  std::fflush(stdout);
  server.run();
  return 0;
}

}  // namespace siocheck
