// What an echo costs the Socket.IO layer: decode an incoming EVENT and encode the reply with the
// same arguments ("message" -> "message-back"). Two ways side by side:
// - slices (what the server does): validate once, keep the canonical text, slice the arguments;
// - DOM (the usual way): parse every argument into a tree, then serialize the tree again.
// Run: build/release/reference/bench/siocheck_sio_echo_bench
#include <benchmark/benchmark.h>

#include <string>

#include "sio/server/args.hpp"
#include "sio/wire/json.hpp"
#include "sio/wire/sio_packet.hpp"

namespace {

using sio::server::Args;
namespace json = sio::wire::json;
namespace wire = sio::wire::sio;

std::string event_with(const std::string& arguments) {
  return R"(2["message",)" + arguments + "]";
}

std::string payload(int size) {
  switch (size) {
    case 0:
      return R"(1,"2",{"3":[true]})";  // the official suite's message
    case 1: {
      std::string object = R"({"user":"alice","room":"lobby","tags":["a","b","c"],"text":")";
      object += std::string(900, 'x') + R"(","n":12.5})";
      return object;  // about 1 KB
    }
    default: {
      std::string array = "[";
      for (int i = 0; i < 2000; ++i)
        array += (i ? "," : "") + std::string(R"({"i":)") + std::to_string(i) + R"(,"v":"item"})";
      return array + "]";  // about 40 KB
    }
  }
}

void BM_EchoBySlices(benchmark::State& state) {
  const auto text = event_with(payload(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    wire::Decoder decoder;
    wire::Packet packet;
    bool complete = false;
    decoder.feed_text(text, packet, complete);
    const auto args = Args::from_wire(std::move(packet.data)).tail(1);
    std::string reply = R"(2["message-back",)";
    reply.append(args.array_json(), 1, args.array_json().size() - 1);
    benchmark::DoNotOptimize(reply);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_EchoByDom(benchmark::State& state) {
  const auto text = event_with(payload(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    wire::Decoder decoder;
    wire::Packet packet;
    bool complete = false;
    decoder.feed_text(text, packet, complete);
    const auto tree = json::Value::parse(packet.data);
    std::string reply = R"(2["message-back")";
    for (std::size_t i = 1; i < tree->items().size(); ++i)
      reply += "," + tree->items()[i].json();
    reply += "]";
    benchmark::DoNotOptimize(reply);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

BENCHMARK(BM_EchoBySlices)->Arg(0)->Arg(1)->Arg(2);
BENCHMARK(BM_EchoByDom)->Arg(0)->Arg(1)->Arg(2);

}  // namespace

BENCHMARK_MAIN();
