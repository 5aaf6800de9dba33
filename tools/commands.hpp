// The siocheck command line: one registration function per subcommand. Each adds its options to
// the app (bound to typed values) and returns what runs when the subcommand is chosen; the work
// itself is done by the libraries (conformance/include/siocheck/..., reference/include/sio/...).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace siocheck::cli {

// Exit statuses shared by every command.
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;  // a regression, a finding, a counterexample
inline constexpr int kUsage = 2;   // a bad flag or file, or an unreachable target

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_serve(CLI::App& app);
Command add_conform(CLI::App& app);
Command add_scenario(CLI::App& app);
Command add_fuzz(CLI::App& app);
Command add_replay(CLI::App& app);
Command add_model(CLI::App& app);
Command add_decode(CLI::App& app);

}  // namespace siocheck::cli
