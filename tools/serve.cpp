#include "serve.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "commands.hpp"
#include "embedded.hpp"
#include "flags.hpp"
#include "sio/faults.hpp"

namespace siocheck::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDemoDir = "scenarios/signaling";
// The socket.io-client browser bundle: from npm in a checkout, beside the page when installed.
constexpr const char* kCheckoutBundle = "node_modules/socket.io-client/dist/socket.io.min.js";
constexpr const char* kInstalledBundle = "scenarios/signaling/socket.io.min.js";
constexpr const char* kNoData =
    "this binary is neither in a siocheck checkout nor installed with its share/siocheck/, so it "
    "has no default ";

// Where siocheck's data is for this binary: the checkout it was built in (build/dev/tools/siocheck
// -> the repository root), or the share/siocheck of the prefix it is installed in (bin/siocheck ->
// share/siocheck; the npm package has the same layout). None when neither holds the demo page.
std::optional<fs::path> data_of_binary() {
  std::error_code ec;
  const auto binary = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (auto dir = binary.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    for (const auto& root : {dir, dir / "share" / "siocheck"})
      if (fs::is_regular_file(root / kDemoDir / "index.html", ec)) return root;
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

// Whether the data folder is an installation's share/siocheck rather than a checkout.
bool installed(const fs::path& data) {
  return data.filename() == "siocheck" && data.parent_path().filename() == "share";
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
bool load_demo(sio::serve::ServeOptions& options, const ServeFlags& flags) {
  const auto data = data_of_binary();
  auto fail = [](const std::string& flag, const std::string& what) {
    std::cerr << "siocheck serve: " << flag << ": " << what << "\n";
    return false;
  };
  fs::path dir = flags.static_dir.value_or("");
  if (dir.empty()) {
    if (!data)
      return fail("--static-dir", std::string(kNoData) + "demo page; pass --static-dir DIR (" +
                                      kDemoDir + " of the siocheck repository)");
    dir = *data / kDemoDir;
  }
  const auto page = read_file(dir / "index.html");
  if (!page)
    return fail("--static-dir", "cannot read " + (dir / "index.html").string() +
                                    "; pass --static-dir DIR, the folder of the signaling demo's "
                                    "index.html (the repository's " +
                                    std::string(kDemoDir) + ")");
  fs::path bundle = flags.client_bundle.value_or("");
  if (bundle.empty()) {
    if (!data)
      return fail("--client-bundle", std::string(kNoData) +
                                         "client bundle; pass --client-bundle PATH (a "
                                         "socket.io-client dist/socket.io.min.js)");
    bundle = *data / (installed(*data) ? kInstalledBundle : kCheckoutBundle);
  }
  const auto script = read_file(bundle);
  if (!script) {
    std::string fix = "pass --client-bundle PATH to a socket.io-client dist/socket.io.min.js";
    if (!flags.client_bundle && installed(*data))
      fix =
          "this installation lacks it (built without node_modules?): reinstall a siocheck "
          "package, or " +
          fix;
    else if (!flags.client_bundle)
      fix = "run `npm ci` in " + data->string() + " (ci/setup does), or pass --client-bundle PATH";
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

// Parses --cors: "*" (any origin), "none" (no CORS headers), or a comma-separated origin list.
bool parse_cors(const std::string& text, sio::engine::CorsConfig& cors, std::string& error) {
  if (text == "*" || text == "none") {
    cors.mode =
        text == "*" ? sio::engine::CorsConfig::Mode::any : sio::engine::CorsConfig::Mode::off;
    return true;
  }
  cors.mode = sio::engine::CorsConfig::Mode::list;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto origin =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!(origin.starts_with("http://") || origin.starts_with("https://")) ||
        origin.ends_with("/")) {
      error = "'" + origin +
              "' is not an origin; write '*', 'none', or origins like "
              "'https://app.example,http://localhost:8080' (scheme://host[:port], no path)";
      return false;
    }
    cors.origins.push_back(origin);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

void list_faults(bool as_json) {
  if (as_json) {
    auto all = nlohmann::ordered_json::array();
    for (const auto& info : sio::fault_catalogue()) {
      auto cases = nlohmann::ordered_json::array();
      for (const auto c : info.cases)
        cases.push_back(std::string(c));
      auto advisories = nlohmann::ordered_json::array();
      for (const auto a : info.advisories)
        advisories.push_back(std::string(a));
      all.push_back({{"name", std::string(info.name)},
                     {"description", std::string(info.description)},
                     {"cases", std::move(cases)},
                     {"fuzz", std::string(info.fuzz_finding)},
                     {"advisories", std::move(advisories)}});
    }
    std::cout << all.dump(2) << "\n";
    return;
  }
  for (const auto& info : sio::fault_catalogue()) {
    std::cout << info.name << "\n    " << info.description << "\n    caught by:";
    for (const auto c : info.cases)
      std::cout << " " << c;
    if (!info.fuzz_finding.empty())
      std::cout << (info.cases.empty() ? " " : ", and ") << "siocheck fuzz (a " << info.fuzz_finding
                << ")";
    if (!info.advisories.empty()) {
      std::cout << "\n    reproduces:";
      for (const auto a : info.advisories)
        std::cout << " " << a;
    }
    std::cout << "\n";
  }
}

bool valid_path(const std::string& path) {
  return path.starts_with('/') && path.ends_with('/');
}

// The flags checked against each other and applied to flags.serve. False after saying why.
bool settle(ServeFlags& f) {
  auto& s = f.serve;
  const auto bad = [](const std::string& flag, const std::string& what) {
    usage("serve", flag + ": " + what);
    return false;
  };
  std::string error;
  if (!check_fault_names(f.faults, error)) return bad("--fault", error);
  for (const auto& name : f.faults) {
    s.faults.add(*sio::fault_named(name));
    std::cerr << "siocheck serve: FAULT ON: " << name << " (this server is broken on purpose)\n";
  }
  if (!parse_cors(f.cors, s.engine.cors, error)) return bad("--cors", error);
  if (!valid_path(s.engine.path))
    return bad("--eio-path",
               "'" + s.engine.path + "' must start and end with '/', e.g. /engine.io/");
  if (!valid_path(s.sio_path))
    return bad("--sio-path", "'" + s.sio_path + "' must start and end with '/', e.g. /socket.io/");
  if (s.sio_path == s.engine.path)
    return bad("--sio-path", "'" + s.sio_path + "' is also the --eio-path; give each its own path");
  if (s.app == sio::serve::App::fixture) {
    if (f.static_dir) return bad("--static-dir", "only --app signaling serves files");
    if (f.client_bundle) return bad("--client-bundle", "only --app signaling serves files");
  } else if (f.level) {
    return bad("--fixture-level", "only --app fixture has levels");
  }
  s.level = f.level.value_or(sio::apps::FixtureLevel::extended);
  s.net.port = static_cast<std::uint16_t>(f.port);
  s.net.per_message_deflate = f.deflate;
  s.engine.ping_interval = std::chrono::milliseconds(f.ping_interval_ms);
  s.engine.ping_timeout = std::chrono::milliseconds(f.ping_timeout_ms);
  s.engine.upgrade_timeout = std::chrono::milliseconds(f.upgrade_timeout_ms);
  s.sio.connect_timeout = std::chrono::milliseconds(f.connect_timeout_ms);
  s.shutdown_timeout = std::chrono::milliseconds(f.shutdown_timeout_ms);
  if (!f.tls_cert.empty()) s.net.tls = sio::net::TlsFiles{f.tls_cert, f.tls_key};
  return true;
}

}  // namespace

int run_serve(ServeFlags& flags) {
  if (flags.list_faults) {
    list_faults(flags.faults_as_json);
    return kOk;
  }
  if (!settle(flags)) return kUsage;
  auto& options = flags.serve;
  if (options.app == sio::serve::App::signaling && !load_demo(options, flags)) return kUsage;
  sio::serve::FixtureServer server(std::move(options));
  try {
    server.listen();
  } catch (const std::exception& e) {
    return usage("serve", e.what());
  }
  server.shutdown_on_signals();
  std::printf("listening %s\n", server.url().c_str());
  std::fflush(stdout);
  server.run();
  return kOk;
}

}  // namespace siocheck::cli
