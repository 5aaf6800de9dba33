#include "siocheck/fuzz/campaign.hpp"

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <thread>

#include "siocheck/codec/text.hpp"
#include "siocheck/fuzz/generator.hpp"

namespace conform::fuzz {

namespace fs = std::filesystem;

const char* const kLivenessRequirement =
    "The server survives any input: after every sequence a new client completes a handshake, a "
    "CONNECT to / and a message-with-ack round trip, and nothing the server sends breaks the "
    "protocol (no 5xx, no undecodable packet, no packet for a namespace or an ack id the client "
    "never asked for, attachments in place).";

namespace {

// Version 2 added the raw and pause steps.
constexpr int kFindingVersion = 2;

class Fuzzer {
 public:
  Fuzzer(host::TargetHost& host, const CampaignOptions& options, std::ostream& log)
      : host_(host), options_(options), log_(log) {}

  CampaignResult run() {
    target_ = host_.target();
    seed_ = options_.seed ? options_.seed
                          : std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
    log_ << "siocheck fuzz: seed " << seed_ << ", " << options_.jobs << " jobs, "
         << options_.duration_s << " s"
         << (options_.sequences ? ", at most " + std::to_string(*options_.sequences) + " sequences"
                                : "")
         << "; findings go to " << options_.findings_dir << "/\n";
    start_ = Clock::now();
    std::vector<std::thread> workers;
    for (int j = 0; j < options_.jobs; ++j)
      workers.emplace_back([this] { work(); });
    auto last_report = start_;
    while (!stop_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (elapsed() >= options_.duration_s || (options_.stop && options_.stop->load()))
        stop_ = true;
      if (!options_.quiet && Clock::now() - last_report >= std::chrono::seconds(5)) {
        last_report = Clock::now();
        log_ << progress() << "\n";
      }
    }
    for (auto& w : workers)
      w.join();
    CampaignResult result{seed_,        done_.load(),        elapsed(), restarts_.load(),
                          unconfirmed_, target_down_.load(), {}};
    for (auto& [signature, finding] : findings_)
      result.findings.push_back(std::move(finding));
    return result;
  }

 private:
  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  std::string progress() {
    char line[200];
    const double t = elapsed();
    std::snprintf(line, sizeof line, "[%6.1f s] %llu sequences (%.0f/s), %zu findings, %d restarts",
                  t, static_cast<unsigned long long>(done_.load()),
                  static_cast<double>(done_.load()) / std::max(t, 0.001), findings_.size(),
                  restarts_.load());
    return line;
  }

  Outcome play(const std::vector<Step>& steps) {
    return execute(target_, steps, host_, options_.probe_timeout);
  }

  void work() {
    while (!stop_) {
      const auto index = next_index_++;
      if (options_.sequences && index >= *options_.sequences) {
        stop_ = true;
        return;
      }
      auto steps = generate(seed_, index);
      Outcome outcome;
      while (pausers_ > 0 && !stop_)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      {
        std::shared_lock lock(gate_);
        if (stop_) return;
        outcome = play(steps);
      }
      ++done_;
      if (outcome.found()) candidate(std::move(steps), std::move(outcome), index);
    }
  }

  // A failure seen while other jobs ran: confirmed alone, minimised, written. Other jobs wait.
  void candidate(std::vector<Step> steps, Outcome outcome, std::uint64_t index) {
    // Jobs stop taking the gate while someone waits for it alone (readers would starve it).
    ++pausers_;
    std::unique_lock lock(gate_);
    struct Resume {
      std::atomic<int>& n;
      ~Resume() { --n; }
    } resume{pausers_};
    if (stop_ && target_down_) return;
    if (auto it = findings_.find(outcome.signature()); it != findings_.end()) {
      ++it->second.repeats;
      heal();
      return;
    }
    const double found_at = elapsed();
    if (!heal()) {
      // The target cannot be brought back: keep what was seen, as it was seen.
      record(Finding{outcome, steps, steps.size(), index, found_at, false, {}, 0});
      return;
    }
    auto again = play(steps);
    if (again.signature() != outcome.signature()) {
      ++unconfirmed_;
      heal();
      return;
    }
    log_ << "siocheck fuzz: " << outcome.signature() << " after " << static_cast<int>(found_at)
         << " s (sequence " << index << ", " << steps.size() << " steps); minimising\n";
    const auto original = steps.size();
    const bool minimised = minimise(steps, again, outcome.signature());
    heal();
    record(Finding{again, steps, original, index, found_at, minimised, {}, 0});
  }

  // Removes ever smaller runs of steps while the same finding still comes out. False when the
  // target could not be brought back in between.
  bool minimise(std::vector<Step>& steps, Outcome& last, const std::string& signature) {
    int tries = 0;
    for (std::size_t chunk = std::max<std::size_t>(steps.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (std::size_t at = 0; at + chunk <= steps.size() && tries < 80;) {
        if (!heal()) return false;
        auto trial = steps;
        trial.erase(trial.begin() + static_cast<std::ptrdiff_t>(at),
                    trial.begin() + static_cast<std::ptrdiff_t>(at + chunk));
        ++tries;
        auto result = play(trial);
        if (result.signature() == signature) {
          steps = std::move(trial);
          last = std::move(result);
        } else {
          at += chunk;
        }
      }
      if (chunk == 1) break;
    }
    return true;
  }

  // Brings the target back after a crash or hang. False when it cannot be (not launched).
  bool heal() {
    if (target_down_) return false;
    Loop loop(target_);
    SioClient client(loop, Transport::websocket);
    if (client.open(options_.probe_timeout) && client.connect("/", "", options_.probe_timeout))
      return true;
    if (!host_.launched()) {
      log_ << "siocheck fuzz: the target is down and was not started by siocheck "
              "(use --launch to have it restarted); stopping\n";
      target_down_ = true;
      stop_ = true;
      if (host_.embedded()) host_.abandon();
      return false;
    }
    std::string error;
    if (!host_.restart(error)) {
      log_ << "siocheck fuzz: cannot restart the target: " << error << "\n";
      target_down_ = true;
      stop_ = true;
      return false;
    }
    ++restarts_;
    target_ = host_.target();
    return true;
  }

  void record(Finding finding) {
    std::error_code ec;
    fs::create_directories(options_.findings_dir, ec);
    std::string name = std::string(to_string(finding.outcome.kind)) + "-";
    for (const char ch : finding.outcome.code)
      name +=
          std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '-';
    name += "-" + std::to_string(seed_) + "-" + std::to_string(finding.index) + ".json";
    finding.file = (fs::path(options_.findings_dir) / name).string();
    auto steps = Json::array();
    for (const auto& s : finding.steps)
      steps.push_back(to_json(s));
    auto trace = Json::array();
    for (const auto& t : finding.outcome.trace) {
      char at[32];
      std::snprintf(at, sizeof at, "%.1f ms ", t.at_ms);
      trace.push_back(bytes_json(at + (t.conn.empty() ? "" : t.conn + " ") + t.what + " " +
                                 t.text.substr(0, 2000)));
    }
    Json j{{"siocheck", "fuzz finding"},
           {"version", kFindingVersion},
           {"kind", std::string(to_string(finding.outcome.kind))},
           {"code", finding.outcome.code},
           {"detail", bytes_json(finding.outcome.detail)},
           {"seed", seed_},
           {"sequence", finding.index},
           {"found_after_s", finding.after_s},
           {"minimised", finding.minimised},
           {"steps_before_minimising", finding.original_steps},
           {"steps", steps},
           {"trace", trace}};
    std::ofstream(finding.file) << j.dump(2) << "\n";
    log_ << "siocheck fuzz: FINDING " << finding.outcome.signature() << "\n    "
         << text::printable(finding.outcome.detail, {.max = 600, .newlines = true})
         << "\n    written to " << finding.file << " (" << finding.steps.size() << " steps)\n";
    findings_.emplace(finding.outcome.signature(), std::move(finding));
    if (static_cast<int>(findings_.size()) >= options_.max_findings) stop_ = true;
  }

  host::TargetHost& host_;
  CampaignOptions options_;
  std::ostream& log_;
  Target target_;
  std::uint64_t seed_ = 0;
  Clock::time_point start_;
  std::shared_mutex gate_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> target_down_{false};
  std::atomic<std::uint64_t> next_index_{0};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<int> restarts_{0};
  std::atomic<int> pausers_{0};
  int unconfirmed_ = 0;
  std::map<std::string, Finding> findings_;
};

std::string slug(std::string_view text) {
  std::string out;
  for (const char ch : text)
    out += std::isalnum(static_cast<unsigned char>(ch)) ? static_cast<char>(std::tolower(ch)) : '-';
  return out;
}

std::vector<run::TraceLine> trace_lines(const std::vector<TraceEntry>& trace) {
  std::vector<run::TraceLine> out;
  for (const auto& t : trace)
    out.push_back({t.at_ms, t.what, t.text, t.conn});
  return out;
}

std::string steps_text(const std::vector<Step>& steps) {
  std::string out = "steps:\n";
  for (const auto& s : steps)
    out += "  " + describe(s) + "\n";
  return out;
}

}  // namespace

CampaignResult run_campaign(host::TargetHost& host, const CampaignOptions& options,
                            std::ostream& log) {
  return Fuzzer(host, options, log).run();
}

std::optional<FindingFile> load_finding(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  Json j;
  try {
    j = Json::parse(in);
  } catch (const std::exception& e) {
    error = path + " is not JSON: " + e.what();
    return std::nullopt;
  }
  if (!j.is_object() || j.value("siocheck", "") != "fuzz finding" || !j.contains("steps") ||
      !j["steps"].is_array()) {
    error = path +
            " is not a finding of siocheck fuzz (expected \"siocheck\": \"fuzz finding\" and "
            "\"steps\")";
    return std::nullopt;
  }
  if (j.contains("version") &&
      (!j["version"].is_number_integer() || j["version"].get<int>() > kFindingVersion)) {
    error = path + " is a finding of version " + j["version"].dump() +
            ", newer than this siocheck reads (" + std::to_string(kFindingVersion) + ")";
    return std::nullopt;
  }
  FindingFile file{
      path, kind_named(j.value("kind", "")).value_or(Kind::none), j.value("code", ""), {}};
  std::size_t n = 0;
  for (const auto& s : j["steps"]) {
    Step step;
    if (!from_json(s, step, error)) {
      error = path + ": step " + std::to_string(n) + ": " + error;
      return std::nullopt;
    }
    file.steps.push_back(std::move(step));
    ++n;
  }
  return file;
}

run::Result finding_result(const Finding& f) {
  run::Result r;
  const std::string kind(to_string(f.outcome.kind));
  r.info = {.id = "fuzz/" + kind + "/" + slug(f.outcome.code),
            .name = "fuzz/" + kind + "/" + slug(f.outcome.code),
            .group = "fuzz/" + kind,
            .title = f.outcome.signature(),
            .requirement = kLivenessRequirement,
            .level = "MUST",
            .source = "siocheck fuzz, sequence " + std::to_string(f.index)};
  r.outcome.verdict = run::Verdict::fail;
  r.outcome.reason = f.outcome.signature();
  r.outcome.checks.push_back({kind, "the server survives and keeps to the protocol",
                              text::printable(f.outcome.detail, {.max = 2000}), false});
  r.outcome.trace = trace_lines(f.outcome.trace);
  r.outcome.details =
      steps_text(f.steps) + "found after " + std::to_string(static_cast<int>(f.after_s)) +
      " s, seen " + std::to_string(f.repeats + 1) + "x" +
      (f.minimised ? ", minimised from " + std::to_string(f.original_steps) + " steps" : "") +
      "\nreplay: siocheck replay " + f.file + " [--target URL | --launch CMD]";
  return r;
}

run::Result clean_campaign_result(const CampaignResult& result) {
  run::Result r;
  r.info = {.id = "fuzz/campaign",
            .name = "fuzz/campaign",
            .group = "fuzz",
            .title = "No finding in " + std::to_string(result.sequences) + " sequences",
            .requirement = kLivenessRequirement,
            .level = "MUST",
            .source = "siocheck fuzz, seed " + std::to_string(result.seed)};
  r.outcome.details = std::to_string(result.sequences) + " sequences in " +
                      std::to_string(static_cast<int>(result.seconds)) + " s";
  if (result.unconfirmed)
    r.outcome.details +=
        ", " + std::to_string(result.unconfirmed) + " failures that did not reproduce alone";
  r.duration_ms = result.seconds * 1000;
  return r;
}

run::UnitInfo replay_info(const FindingFile& file) {
  const auto stem = fs::path(file.file).stem().string();
  return {.id = "replay/" + stem,
          .name = file.file,
          .group = "replay",
          .title = "expects " + std::string(to_string(file.kind)) + ": " + file.code,
          .requirement = kLivenessRequirement,
          .level = "MUST",
          .source = file.file};
}

run::Outcome replay_outcome(const FindingFile& file, const Outcome& got) {
  run::Outcome out;
  out.trace = trace_lines(got.trace);
  out.details = steps_text(file.steps);
  const std::string expected = std::string(to_string(file.kind)) + ": " + file.code;
  if (!got.found()) {
    out.reason = "not reproduced: the target passed the liveness probe and no violation was seen";
    out.checks.push_back({"the finding", expected, "not reproduced", true});
    return out;
  }
  const bool same = got.kind == file.kind && got.code == file.code;
  out.verdict = run::Verdict::fail;
  out.reason = (same ? "REPRODUCED " : "a different finding: ") + got.signature();
  out.checks.push_back({same ? "the finding is still there" : "another finding came out", expected,
                        got.signature() + ": " + text::printable(got.detail, {.max = 2000}),
                        false});
  return out;
}

}  // namespace conform::fuzz
