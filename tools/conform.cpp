#include "conform.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "../conformance/src/report.hpp"
#include "../conformance/src/runner.hpp"
#include "target.hpp"

namespace siocheck {

namespace {

constexpr int kClean = 0;
constexpr int kRegression = 1;
constexpr int kUsage = 2;

int usage(const std::string& what) {
  std::cerr << "siocheck conform: " << what << "\n";
  return kUsage;
}

bool write_file(const std::string& path, const std::string& content, std::string& error) {
  std::ofstream out(path, std::ios::binary);
  if (!(out << content)) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

}  // namespace

int run_conform(const ConformOptions& options) {
  conform::RunOptions run;
  run.cases = options.cases;
  run.skip = options.skip;
  run.jobs = options.jobs;
  run.strict = options.strict;
  run.settings.tolerance = conform::Ms(options.tolerance_ms);
  if (options.connect_timeout_ms)
    run.settings.connect_timeout = conform::Ms(*options.connect_timeout_ms);
  if (options.upgrade_timeout_ms)
    run.settings.upgrade_timeout = conform::Ms(*options.upgrade_timeout_ms);
  run.settings.target.eio_path = options.eio_path;
  run.settings.target.sio_path = options.sio_path;
  run.settings.target.insecure = options.insecure;

  std::string error;
  if (options.known_failing) {
    run.known_failing = conform::Baseline::load(*options.known_failing, error);
    if (!run.known_failing) return usage("--known-failing: " + error);
  }
  if (options.known_flaky) {
    run.known_flaky = conform::Baseline::load(*options.known_flaky, error);
    if (!run.known_flaky) return usage("--known-flaky: " + error);
  }
  if (options.shard) {
    int i = 0, n = 0;
    char tail = 0;
    if (std::sscanf(options.shard->c_str(), "%d/%d%c", &i, &n, &tail) != 2 || n < 1 || i < 1 ||
        i > n)
      return usage("--shard: '" + *options.shard +
                   "' is not i/n with 1 <= i <= n (e.g. --shard 2/4)");
    run.shard = std::make_pair(i, n);
  }

  if (options.list) {
    const auto planned = conform::plan(run);
    std::set<std::string> ids;
    std::map<std::string, int> per_area;
    for (const auto& p : planned) {
      if (ids.insert(p.c->info.id).second) ++per_area[p.c->info.area()];
      std::cout << std::left << p.name << "  [" << conform::to_string(p.c->info.level)
                << (p.c->info.extended ? ", extended" : "") << (p.c->info.timing ? ", timing" : "")
                << "]  " << p.c->info.title << "\n";
    }
    std::cout << "\n"
              << ids.size() << " case ids (" << planned.size()
              << " runs with their transport variants)\n";
    for (const auto& [area, n] : per_area)
      std::cout << "  " << area << ": " << n << "\n";
    return kClean;
  }

  // The target: a URL, a launched command, or the embedded reference server.
  TargetHost host;
  TargetOptions where;
  where.target = options.target;
  where.launch = options.launch;
  where.eio_path = options.eio_path;
  where.sio_path = options.sio_path;
  where.insecure = options.insecure;
  if (!host.open(where, "conform", error)) return usage(error);
  run.settings.target = host.target();
  run.settings.level = options.level.value_or(discover_level(
      run.settings.target, run.settings.connect_timeout.value_or(conform::Ms(1000))));

  const bool tty = ::isatty(2);
  run.progress = [tty](std::size_t done, std::size_t total, const conform::CaseResult& r) {
    static int failed = 0;
    if (r.verdict == conform::Verdict::fail) ++failed;
    if (tty) {
      std::fprintf(stderr, "\r[%4zu/%zu] %d FAIL  %-60.60s", done, total, failed,
                   (r.name + " " + std::string(conform::to_string(r.verdict))).c_str());
      if (done == total) std::fprintf(stderr, "\n");
    } else if (done == total || done % 50 == 0) {
      std::fprintf(stderr, "[%4zu/%zu] %d FAIL so far\n", done, total, failed);
    }
  };
  const auto report = conform::run(run);
  host.stop();

  conform::print_summary(report, std::cout, options.trace);
  if (options.json && !write_file(*options.json, conform::to_json(report), error))
    return usage("--json: " + error);
  if (options.junit && !write_file(*options.junit, conform::to_junit(report), error))
    return usage("--junit: " + error);
  if (options.html) {
    if (!write_file(*options.html, conform::to_html(report), error))
      return usage("--html: " + error);
    std::cout << "HTML report: " << *options.html << "\n";
  }
  return report.regressed() ? kRegression : kClean;
}

}  // namespace siocheck
