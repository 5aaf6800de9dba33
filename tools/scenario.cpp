#include "scenario.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "../conformance/src/report.hpp"
#include "../conformance/src/runner.hpp"
#include "../conformance/src/scenario.hpp"

namespace siocheck {

namespace {

namespace fs = std::filesystem;
namespace sc = conform::scenario;

constexpr int kClean = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

int usage(const std::string& what) {
  std::cerr << "siocheck scenario: " << what << "\n";
  return kUsage;
}

// The scripts named on the command line: files as given, folders' *.yaml and *.yml (sorted).
bool collect(const std::vector<std::string>& paths, std::vector<std::string>& files,
             std::string& error) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
          found.push_back(entry.path().string());
      }
      if (found.empty()) {
        error = "'" + p + "' holds no *.yaml script";
        return false;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      error = "'" + p + "' is neither a script nor a folder of scripts";
      return false;
    }
  }
  return true;
}

std::string stem(const std::string& file) {
  return fs::path(file).stem().string();
}

std::string trace_text(const std::vector<conform::TraceEntry>& trace, bool whole) {
  std::ostringstream out;
  const std::size_t from = whole || trace.size() <= 30 ? 0 : trace.size() - 30;
  if (from > 0) out << "     (" << from << " earlier entries; --trace shows them)\n";
  for (std::size_t i = from; i < trace.size(); ++i) {
    auto text = trace[i].text;
    if (!whole && text.size() > 200) text = text.substr(0, 200) + "...";
    char at[32];
    std::snprintf(at, sizeof at, "%8.1f ", trace[i].at_ms);
    out << "     " << at << trace[i].what << " " << text << "\n";
  }
  return out.str();
}

}  // namespace

int run_scenarios(const ScenarioOptions& options) {
  if (options.paths.empty()) return usage("name at least one script or folder (e.g. scenarios/)");
  if (options.app != "fixture" && options.app != "signaling")
    return usage("--app: '" + options.app + "' is not fixture or signaling");
  if (options.level && *options.level != "official" && *options.level != "extended")
    return usage("--level: '" + *options.level + "' is not official or extended");
  if (options.jobs < 1) return usage("--jobs: must be at least 1");

  std::string error;
  std::vector<std::string> files;
  if (!collect(options.paths, files, error)) return usage(error);
  std::vector<sc::Script> scripts;
  bool bad = false;
  for (const auto& f : files) {
    auto script = sc::load(f, error);
    if (!script) {
      std::cerr << error << "\n";
      bad = true;
      continue;
    }
    scripts.push_back(std::move(*script));
  }
  if (bad) return kUsage;
  if (options.check) {
    std::cout << scripts.size() << " scripts are valid\n";
    return kClean;
  }
  std::optional<conform::Baseline> known;
  if (options.known_failing) {
    known = conform::Baseline::load(*options.known_failing, error);
    if (!known) return usage("--known-failing: " + error);
  }
  if (!options.where.target && !options.where.launch && options.app != "fixture")
    return usage("--app " + options.app +
                 ": the embedded server serves the fixture; give --target or --launch");

  TargetHost host;
  auto where = options.where;
  where.embedded_heartbeat_ms = std::make_pair(25000, 20000);
  where.probe_sio = true;
  if (!host.open(where, "scenario", error)) return usage(error);
  sc::RunSettings settings;
  settings.target = host.target();
  settings.app = options.app;
  settings.features = options.features;
  settings.level = options.level.value_or(
      options.app == "fixture" ? discover_level(settings.target, conform::Ms(1000)) : "official");

  std::vector<sc::Result> results(scripts.size());
  std::atomic<std::size_t> next{0};
  std::mutex out_mutex;
  const auto started = conform::Clock::now();
  auto worker = [&] {
    for (std::size_t i; (i = next++) < scripts.size();) {
      results[i] = sc::run(scripts[i], settings);
      std::lock_guard lock(out_mutex);
      const auto& r = results[i];
      std::cerr << "[" << std::string(sc::to_string(r.status)) << "] " << r.file << "\n";
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::min<int>(options.jobs, static_cast<int>(scripts.size())); ++j)
    pool.emplace_back(worker);
  for (auto& t : pool)
    t.join();
  const double seconds = std::chrono::duration<double>(conform::Clock::now() - started).count();
  host.stop();

  int passed = 0, failed = 0, skipped = 0, known_failed = 0, stale = 0;
  std::ostringstream details;
  for (const auto& r : results) {
    const auto* entry = known ? known->match(stem(r.file), r.file) : nullptr;
    std::string label(sc::to_string(r.status));
    if (r.status == sc::Result::Status::pass) {
      ++passed;
      if (entry) {
        ++stale;
        label = "STALE";
      }
    } else if (r.status == sc::Result::Status::skip) {
      ++skipped;
    } else if (entry) {
      ++known_failed;
      label = "KNOWN";
    } else {
      ++failed;
    }
    std::cout << std::left << std::setw(6) << label << r.file << "  " << r.name;
    if (r.status == sc::Result::Status::skip) std::cout << "  (" << r.skipped << ")";
    if (r.status != sc::Result::Status::skip)
      std::cout << "  (" << r.steps_run << " steps, " << static_cast<int>(r.duration_ms) << " ms)";
    std::cout << "\n";
    if (label == "STALE")
      details << "STALE " << r.file << ": listed as known failing (" << entry->reason
              << ") but it passes: remove it from " << known->file << "\n";
    if (r.status == sc::Result::Status::fail && !entry) {
      details << "FAIL " << r.file << " (" << r.name << ")\n";
      if (!r.description.empty()) details << "  " << r.description << "\n";
      details << "  " << r.failure << "\n  trace:\n" << trace_text(r.trace, options.trace);
    }
  }
  std::cout << details.str();
  std::cout << "\n"
            << results.size() << " scripts against " << settings.target.url() << " (app "
            << settings.app << ", level " << settings.level << ") in " << std::fixed
            << std::setprecision(1) << seconds << " s: " << passed << " passed, " << failed
            << " failed, " << skipped << " skipped";
  if (known) std::cout << ", " << known_failed << " known failing, " << stale << " stale";
  std::cout << "\n";

  if (options.junit) {
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"siocheck scenario\" "
         "tests=\""
      << results.size() << "\" failures=\"" << failed + stale << "\" skipped=\"" << skipped
      << "\" time=\"" << seconds << "\">\n";
    for (const auto& r : results) {
      x << "  <testcase classname=\"scenario\" name=\"" << conform::xml_escape(r.file)
        << "\" time=\"" << r.duration_ms / 1000 << "\">";
      if (r.status == sc::Result::Status::fail)
        x << "<failure message=\"" << conform::xml_escape(r.failure.substr(0, r.failure.find('\n')))
          << "\">" << conform::xml_escape(r.failure + "\n" + trace_text(r.trace, true))
          << "</failure>";
      if (r.status == sc::Result::Status::skip)
        x << "<skipped message=\"" << conform::xml_escape(r.skipped) << "\"/>";
      x << "</testcase>\n";
    }
    x << "</testsuite>\n";
    std::ofstream out(*options.junit, std::ios::binary);
    if (!(out << x.str())) return usage("--junit: cannot write '" + *options.junit + "'");
  }
  return failed + stale > 0 ? kFailed : kClean;
}

}  // namespace siocheck
