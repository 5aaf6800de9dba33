#include "runner.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <fstream>
#include <mutex>
#include <thread>

namespace conform {

bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool selects(std::string_view pattern, const std::string& id, const std::string& name) {
  if (glob_match(pattern, id) || glob_match(pattern, name)) return true;
  const bool plain = pattern.find_first_of("*?@") == std::string_view::npos;
  return plain && (id.starts_with(std::string(pattern) + "/"));
}

std::optional<Baseline> Baseline::load(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  Baseline baseline;
  baseline.file = path;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto hash = line.find('#');
    std::string pattern = line.substr(0, hash);
    pattern.erase(0, pattern.find_first_not_of(" \t"));
    pattern.erase(pattern.find_last_not_of(" \t\r") + 1);
    if (pattern.empty()) continue;
    std::string reason = hash == std::string::npos ? "" : line.substr(hash + 1);
    reason.erase(0, reason.find_first_not_of(" \t"));
    reason.erase(reason.find_last_not_of(" \t\r") + 1);
    if (reason.empty()) {
      error = path + ":" + std::to_string(number) + ": '" + pattern +
              "' has no reason; write it after a '#': every entry says why it is there";
      return std::nullopt;
    }
    baseline.entries.push_back({pattern, reason, number});
  }
  return baseline;
}

const Baseline::Entry* Baseline::match(const std::string& id, const std::string& name) const {
  for (const auto& entry : entries)
    if (selects(entry.pattern, id, name)) return &entry;
  return nullptr;
}

bool RunReport::regressed() const {
  for (const auto& r : results)
    if (r.regression) return true;
  return false;
}

std::vector<Planned> plan(const RunOptions& options) {
  std::vector<Planned> out;
  for (const auto& c : all_cases()) {
    std::vector<std::optional<Transport>> variants;
    if (c.info.transports.empty()) {
      variants.push_back(std::nullopt);
    } else {
      for (auto t : c.info.transports)
        variants.emplace_back(t);
    }
    for (const auto& variant : variants) {
      Planned p{&c, variant, c.info.id + (variant ? "@" + std::string(to_string(*variant)) : "")};
      bool chosen = options.cases.empty();
      for (const auto& pattern : options.cases)
        chosen = chosen || selects(pattern, c.info.id, p.name);
      for (const auto& pattern : options.skip)
        if (selects(pattern, c.info.id, p.name)) chosen = false;
      if (chosen) out.push_back(std::move(p));
    }
  }
  if (options.shard) {
    const auto [i, n] = *options.shard;
    std::vector<Planned> mine;
    for (std::size_t k = 0; k < out.size(); ++k)
      if (static_cast<int>(k % static_cast<std::size_t>(n)) == i - 1) mine.push_back(out[k]);
    out = std::move(mine);
  }
  return out;
}

namespace {

std::string iso_now() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

CaseResult run_one(const Planned& planned, const Settings& settings) {
  CaseResult result;
  result.c = planned.c;
  result.name = planned.name;
  result.variant = planned.variant ? std::string(to_string(*planned.variant)) : "";
  const auto& info = planned.c->info;
  if (info.extended && settings.level != "extended") {
    result.verdict = Verdict::unimplemented;
    result.reason = "needs fixture level extended; the target is at level " + settings.level;
    result.checks.push_back({"fixture level", "extended", settings.level, false});
    return result;
  }
  const auto start = Clock::now();
  Loop loop(settings.target);
  Context context(loop, settings, planned.variant, info);
  try {
    planned.c->run(context);
    result.verdict = Verdict::pass;
  } catch (const CaseOutcome& outcome) {
    result.verdict = outcome.verdict;
    result.reason = outcome.what();
  } catch (const std::exception& e) {
    result.verdict = Verdict::fail;
    result.reason = std::string("the case could not run: ") + e.what();
  }
  result.checks = context.checks();
  result.trace = std::move(loop.trace());
  result.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

}  // namespace

RunReport run(const RunOptions& options) {
  RunReport report;
  report.target = options.settings.target.url();
  report.level = options.settings.level;
  report.started = iso_now();
  report.strict = options.strict;
  const auto planned = plan(options);
  report.results.resize(planned.size());

  // Two lanes: most cases run many at once; timing-sensitive ones with little company.
  std::vector<std::size_t> normal, timing;
  for (std::size_t i = 0; i < planned.size(); ++i)
    (planned[i].c->info.timing ? timing : normal).push_back(i);
  std::atomic<std::size_t> next_normal{0}, next_timing{0}, done{0};
  std::mutex mutex;
  const auto start = Clock::now();
  auto worker = [&](const std::vector<std::size_t>& lane, std::atomic<std::size_t>& next) {
    while (true) {
      const auto k = next.fetch_add(1);
      if (k >= lane.size()) return;
      auto result = run_one(planned[lane[k]], options.settings);
      std::lock_guard lock(mutex);
      report.results[lane[k]] = std::move(result);
      const auto count = ++done;
      if (options.progress) options.progress(count, planned.size(), report.results[lane[k]]);
    }
  };
  std::vector<std::thread> threads;
  const int normal_threads =
      std::max(1, std::min<int>(options.jobs, static_cast<int>(normal.size())));
  const int timing_threads =
      std::max(1, std::min<int>(options.timing_jobs, static_cast<int>(timing.size())));
  if (!normal.empty())
    for (int i = 0; i < normal_threads; ++i)
      threads.emplace_back(worker, std::cref(normal), std::ref(next_normal));
  if (!timing.empty())
    for (int i = 0; i < timing_threads; ++i)
      threads.emplace_back(worker, std::cref(timing), std::ref(next_timing));
  for (auto& t : threads)
    t.join();
  report.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();

  for (auto& r : report.results) {
    const bool failing =
        r.verdict == Verdict::fail || (options.strict && r.verdict == Verdict::non_strict);
    const Baseline::Entry* flaky =
        options.known_flaky ? options.known_flaky->match(r.c->info.id, r.name) : nullptr;
    const Baseline::Entry* known =
        options.known_failing ? options.known_failing->match(r.c->info.id, r.name) : nullptr;
    if (flaky) {
      r.baseline = CaseResult::Baseline::known_flaky;
      r.baseline_reason = flaky->reason;
    } else if (known && failing) {
      r.baseline = CaseResult::Baseline::known_failing;
      r.baseline_reason = known->reason;
    } else if (known && r.verdict == Verdict::pass) {
      r.baseline = CaseResult::Baseline::stale;
      r.baseline_reason = known->reason;
      r.regression = true;  // the list says it fails, and it passes: the list is out of date
    } else if (failing) {
      r.regression = true;
    }
  }
  return report;
}

}  // namespace conform
