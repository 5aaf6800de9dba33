// Scenarios: YAML scripts in which several Socket.IO clients tell a story against one server
// (scenarios/README.md is the format). This header is the script as parsed: a script is read whole
// before it runs, so a bad script is refused with file:line:col and nothing sent (run_script.hpp
// runs it).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "siocheck/codec/codec.hpp"
#include "siocheck/driver/clients.hpp"
#include "siocheck/driver/fixture.hpp"

namespace conform::scenario {

// What the target serves on its Socket.IO path.
enum class App { fixture, signaling };
std::string_view to_string(App app) noexcept;  // "fixture", "signaling"
std::optional<App> app_named(std::string_view name) noexcept;

struct Position {
  int line = 0;  // 1-based
  int column = 0;
};

enum class Match { exact, unordered, subset, regex, any };

struct ClientSpec {
  std::string name;
  std::string nsp = "/";
  std::optional<codec::Json> auth;
  Transport transport = Transport::websocket;
  int count = 0;  // while parsing: `count: N` makes clients name1..nameN
  Position at;
};

struct Step {
  enum class Kind {
    connect,
    connect_error,
    emit,
    expect,
    expect_nothing,
    expect_disconnect,
    disconnect,
    join,
    leave,
    pause,
    resume,
    parallel
  };
  Kind kind = Kind::connect;
  Position at;
  std::string client;
  std::optional<std::string> nsp;   // the client's own namespace when absent
  std::optional<codec::Json> auth;  // connect, connect_error
  std::string event;                // emit, expect
  codec::Json args = codec::Json::array();
  bool has_args = false;                       // expect: args given (otherwise any)
  Match match = Match::exact;                  // expect: how args match; emit: how the ack matches
  std::optional<codec::Json> ack;              // emit: the ack's expected arguments
  bool wants_ack = false;                      // emit: carries an ack id
  std::optional<codec::Json> reply;            // expect: answer the event's ack with these
  std::map<std::string, std::string> capture;  // variable -> path
  std::optional<int> within_ms;
  int quiet_ms = 300;                  // expect_nothing
  std::vector<std::string> events;     // expect_nothing: only these count
  std::optional<std::string> message;  // connect_error
  std::optional<codec::Json> data;     // connect_error
  std::optional<std::string> reason;   // expect_disconnect
  bool close = false;                  // disconnect
  codec::Json room;                    // join, leave: a string or a list
  std::vector<Step> steps;             // parallel
};

struct Script {
  std::string file;
  std::string name;
  std::string description;
  FixtureLevel level = FixtureLevel::official;  // the fixture level it needs
  App app = App::fixture;                       // the app it needs
  std::vector<std::string> features;            // what else the target must have (see --feature)
  std::vector<ClientSpec> clients;
  std::vector<Step> steps;
};

// Reads and checks a script. On error: nullopt and `error` = "file:line:col: what".
std::optional<Script> load(const std::string& path, std::string& error);
std::optional<Script> parse(const std::string& text, const std::string& file, std::string& error);

std::string_view to_string(Step::Kind kind);

}  // namespace conform::scenario
