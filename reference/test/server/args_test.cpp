#include "sio/server/args.hpp"

#include "generators.hpp"

namespace sio::server {
namespace {

TEST(Args, BuildsCanonicalJson) {
  const auto args = Args::of("hi", 1, 2.5, true, nullptr, Json{R"({ "a" : [1.0] })"});
  EXPECT_EQ(args.array_json(), R"(["hi",1,2.5,true,null,{"a":[1]}])");
  EXPECT_EQ(args.size(), 6u);
  EXPECT_EQ(args.json(5), R"({"a":[1]})");
  EXPECT_EQ(args.string(0), "hi");
  EXPECT_EQ(args.number(1), 1);
  EXPECT_FALSE(args.string(1));
  EXPECT_FALSE(args.number(0));
  EXPECT_TRUE(Args().empty());
  EXPECT_EQ(Args().array_json(), "[]");
}

TEST(Args, BinaryValuesArePlaceholdersWithAttachments) {
  const auto args = Args::of("a", Binary{"\x01\x02"}, Binary{"\x03"});
  EXPECT_EQ(args.array_json(),
            R"(["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_TRUE(args.is_binary(1));
  EXPECT_FALSE(args.is_binary(0));
  EXPECT_EQ(args.bytes(1), "\x01\x02");
  EXPECT_EQ(args.bytes(2), "\x03");
  EXPECT_TRUE(args.has_binary());
}

TEST(Args, InvalidJsonIsRefused) {
  Args args;
  EXPECT_FALSE(args.push_json("{oops"));
  EXPECT_TRUE(args.empty());
  EXPECT_TRUE(args.push_json(R"("\ud800")"));
  EXPECT_EQ(args.array_json(), R"(["\ud800"])");
}

TEST(Args, TailDropsLeadingArgumentsAndKeepsBinaryNumbering) {
  const auto wire = Args::from_wire(
      R"(["ev",{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])", {"A", "B"});
  const auto rest = wire.tail(1);
  EXPECT_EQ(rest.array_json(),
            R"([{"_placeholder":true,"num":0},{"n":[{"_placeholder":true,"num":1}]}])");
  EXPECT_EQ(rest.attachments(), (std::vector<std::string>{"A", "B"}));
  const auto plain = Args::from_wire(R"(["ev",1,"x"])").tail(1);
  EXPECT_EQ(plain.array_json(), R"([1,"x"])");
  EXPECT_EQ(plain.json(1), R"("x")");
  EXPECT_TRUE(Args::from_wire(R"(["ev"])").tail(1).empty());
}

TEST(Args, PushFromRenumbersPlaceholders) {
  const auto source = Args::of(Binary{"A"}, Binary{"B"});
  Args target = Args::of(Binary{"Z"});
  target.push_from(source, 1);
  EXPECT_EQ(target.array_json(),
            R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(target.attachments(), (std::vector<std::string>{"Z", "B"}));
  target.append(source);
  EXPECT_EQ(target.attachments(), (std::vector<std::string>{"Z", "B", "A", "B"}));
  EXPECT_EQ(target.bytes(2), "A");
}

TEST(Args, ValueParsesOneArgument) {
  const auto args = Args::of(Json{R"({"room":"r1"})"});
  const auto v = args.value(0);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->find("room")->string(), "r1");
  EXPECT_FALSE(args.value(1));
}

RC_GTEST_PROP(Args, FromWireReadsBackWhatWasBuilt, (const std::vector<std::string>& texts)) {
  Args args;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i % 2) {
      args.push(Binary{texts[i]});
    } else {
      args.push(texts[i]);
    }
  }
  const auto back = Args::from_wire(args.array_json(), args.attachments());
  RC_ASSERT(back == args);
  RC_ASSERT(back.size() == texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i % 2) {
      RC_ASSERT(back.bytes(i) == texts[i]);
    } else {
      RC_ASSERT(wire::json::unquote(back.json(i)) ==
                wire::json::unquote(wire::json::quote(texts[i])));
    }
  }
}

}  // namespace
}  // namespace sio::server
