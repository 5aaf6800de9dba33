#include "serve.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

namespace siocheck {

int run_serve(ServeOptions options) {
  FixtureServer server(std::move(options));
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
