#include "model.hpp"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>

#include "../conformance/src/model.hpp"

namespace siocheck {

namespace {

constexpr int kPassed = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

int usage(const std::string& flag, const std::string& what) {
  std::cerr << "siocheck model: " << flag << ": " << what << "\n";
  return kUsage;
}

}  // namespace

int run_model(const ModelOptions& options) {
  if (options.runs < 1) return usage("--runs", "must be at least 1");
  if (options.max_clients < 1 || options.max_clients > 8)
    return usage("--max-clients", std::to_string(options.max_clients) + " is not from 1 to 8");
  if (options.max_steps < 1) return usage("--max-steps", "must be at least 1");
  conform::model::Options model;
  if (options.transport == "websocket") {
    model.transports = conform::model::Transports::websocket;
  } else if (options.transport == "polling") {
    model.transports = conform::model::Transports::polling;
  } else if (options.transport == "mixed") {
    model.transports = conform::model::Transports::mixed;
  } else {
    return usage("--transport", "'" + options.transport + "' is not websocket, polling or mixed");
  }
  auto where = options.where;
  if (!options.faults.empty() && (where.target || where.launch))
    return usage("--fault",
                 "faults exist only in the embedded reference server; leave out --target and "
                 "--launch (or start `siocheck serve --fault NAME` yourself and give --target)");
  for (const auto& name : options.faults) {
    const auto fault = sio::fault_named(name);
    if (!fault) {
      return usage("--fault",
                   "unknown fault '" + name + "'; the catalogue has: " + sio::fault_names());
    }
    where.embedded_faults.add(*fault);
  }

  TargetHost host;
  where.embedded_heartbeat_ms = std::make_pair(25000, 20000);
  std::string error;
  if (!host.open(where, "model", error)) {
    std::cerr << "siocheck model: " << error << "\n";
    return kUsage;
  }
  for (const auto& name : options.faults)
    std::cerr << "siocheck model: FAULT ON: " << name << " (the server is broken on purpose)\n";
  const auto level = options.level.value_or(discover_level(host.target(), conform::Ms(1000)));
  if (level != "extended") {
    std::cerr << "siocheck model: " << host.target().url()
              << " serves the fixture at level official; the model needs level extended (the "
                 "ctl:* control events and /dyn-N namespaces of conformance/FIXTURE.md)\n";
    return kUsage;
  }

  model.target = host.target();
  model.runs = options.runs;
  model.seed =
      options.seed.value_or(std::random_device{}() * 4294967296ULL + std::random_device{}());
  model.max_clients = options.max_clients;
  model.max_steps = options.max_steps;
  model.timeout = conform::Ms(options.timeout_ms);
  std::cout << "siocheck model: " << options.runs << " runs of up to " << options.max_steps
            << " steps, " << options.max_clients << " clients (" << options.transport
            << ") against " << host.target().url() << "\n"
            << "seed " << model.seed << " (repeat this check with --seed " << model.seed << ")\n"
            << std::flush;

  const auto started = std::chrono::steady_clock::now();
  int next_mark = 1;
  int shrinks_shown = 0;
  auto progress = [&](const conform::model::Progress& p) {
    if (!p.shrinking && p.runs * 10 >= next_mark * options.runs && p.runs < options.runs) {
      while (p.runs * 10 >= next_mark * options.runs)
        ++next_mark;
      std::cerr << "  " << p.runs << "/" << options.runs << " runs\n";
    }
    if (p.shrinking && p.shrinks > shrinks_shown) {
      shrinks_shown = p.shrinks;
      std::cerr << "  shrinking: " << p.shrinks << " smaller failures found (" << p.tried
                << " tried)\n";
    }
  };
  const auto outcome = conform::model::check(model, progress);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  host.stop();

  if (!outcome.error.empty()) {
    std::cerr << "siocheck model: " << outcome.error << "\n";
    return kUsage;
  }
  std::cout << std::fixed << std::setprecision(1);
  if (outcome.passed) {
    std::cout << "OK: " << outcome.runs << " runs (" << outcome.steps << " steps) passed in "
              << seconds << " s, " << outcome.runs / std::max(seconds, 1e-3) << " runs/s\n";
    return kPassed;
  }
  std::cout << "FAILED after " << outcome.runs << " passing runs; shrunk (" << outcome.shrinks
            << " shrinks) to " << outcome.sequence.size() << " steps:\n";
  for (std::size_t i = 0; i < outcome.sequence.size(); ++i)
    std::cout << "  " << std::setw(2) << i + 1 << ". " << outcome.sequence[i]
              << (i + 1 == outcome.sequence.size() ? "   <- fails" : "") << "\n";
  std::cout << "step " << outcome.sequence.size() << ": " << outcome.failure << "\n";
  std::cout << "wire trace of that run (ms, -> sent, <- received), its last lines:\n"
            << outcome.trace;
  const auto file =
      options.scenario_out.value_or("siocheck-model-" + std::to_string(model.seed) + ".yaml");
  std::ofstream out(file, std::ios::binary);
  if (!(out << outcome.scenario)) {
    std::cerr << "siocheck model: --scenario-out: cannot write '" << file << "'\n";
    return kFailed;
  }
  std::cout << "the counterexample as a scenario: " << file
            << "\n  replay it with: siocheck scenario " << file << " (plus the same --target or "
            << "--launch)\n"
            << "(" << seconds << " s)\n";
  return kFailed;
}

}  // namespace siocheck
