// The siocheck command line: one binary, one subcommand per product.
#include <array>
#include <string_view>

#include "commands.hpp"
#include "flags.hpp"
#include "version.hpp"

#ifndef SIOCHECK_VERSION
#define SIOCHECK_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  siocheck::cli::set_command_line(argc, argv);
  CLI::App app{"siocheck " SIOCHECK_VERSION
               ": a Socket.IO compatibility kit.\n"
               "A reference Engine.IO v4 / Socket.IO v5 server and the tools that check other "
               "servers over the wire."};
  app.set_version_flag("--version", siocheck::cli::version_line());
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  siocheck serve --port 3000                 the reference server, fixture settings\n"
      "  siocheck conform --target http://127.0.0.1:3000   grade a Socket.IO server\n"
      "  siocheck model --runs 1000                 rooms and broadcasts against a model\n"
      "  siocheck decode '4hello\\x1e2' --escapes    what a polling payload holds\n"
      "Run 'siocheck COMMAND --help' for the options of each command.");
  using namespace siocheck::cli;
  const std::array commands{add_serve(app),  add_conform(app), add_scenario(app), add_fuzz(app),
                            add_replay(app), add_model(app),   add_decode(app)};
  try {
    // conform's adapter command (after --) is not for the parser: its flags are its own.
    const bool conform = argc > 1 && std::string_view(argv[1]) == "conform";
    app.parse(conform ? static_cast<int>(split_at_dashes(argc, argv)) : argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  }
  for (const auto& command : commands)
    if (command.app->parsed()) return command.run();
  return kUsage;
}
