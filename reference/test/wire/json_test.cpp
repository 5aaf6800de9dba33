#include "sio/wire/json.hpp"

#include <cmath>
#include <limits>

#include "generators.hpp"

namespace sio::wire::json {
namespace {

// JSON.stringify(JSON.parse(input)) as Node 20 computes it.
void expect_canonical_form(std::string_view input, std::string_view node_output) {
  const auto inspection = inspect(input);
  ASSERT_TRUE(inspection.valid) << input;
  EXPECT_EQ(canonical(input), node_output) << input;
  EXPECT_EQ(inspection.canonical, input == node_output) << input;
  EXPECT_TRUE(inspect(node_output).canonical) << node_output;
}

TEST(Json, ValidUtf8RefusesWhatAStrictDecoderRefuses) {
  using namespace std::string_view_literals;
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain \x7f"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));
  EXPECT_TRUE(valid_utf8("a\0b"sv));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // a surrogate (U+D800)
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("ok \xe2\x82"));       // cut short
  EXPECT_FALSE(valid_utf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(valid_utf8("\xff"));
}

TEST(Json, CompactInputIsAlreadyCanonical) {
  for (std::string_view text :
       {R"({"3":[true]})", R"([1,"2",{"3":[true]}])", R"({"token":"123"})", "[]", "{}", "null",
        "true", "false", "0", "-1", "0.1", R"("")", R"({"b":1,"a":2})"}) {
    EXPECT_TRUE(inspect(text).canonical) << text;
    EXPECT_EQ(canonical(text), text);
  }
}

TEST(Json, WhitespaceIsDropped) {
  expect_canonical_form(" [ 1 , 2 ]\n", "[1,2]");
  expect_canonical_form("{ \"a\" :\t{ } }", R"({"a":{}})");
}

TEST(Json, NumbersAreWrittenAsJavaScriptWritesThem) {
  expect_canonical_form("1.0", "1");
  expect_canonical_form("1e2", "100");
  expect_canonical_form("1E+2", "100");
  expect_canonical_form("-0", "0");
  expect_canonical_form("-0.0", "0");
  expect_canonical_form("0.1e1", "1");
  expect_canonical_form("100e-2", "1");
  expect_canonical_form("1e21", "1e+21");
  expect_canonical_form("1e20", "100000000000000000000");
  expect_canonical_form("0.000001", "0.000001");
  expect_canonical_form("0.0000001", "1e-7");
  expect_canonical_form("1.5e300", "1.5e+300");
  expect_canonical_form("123e-20", "1.23e-18");
  expect_canonical_form("12345678901234567", "12345678901234568");
  expect_canonical_form("123456789012345678901", "123456789012345680000");
  expect_canonical_form("1e400", "null");  // Infinity, which JSON.stringify writes as null
  expect_canonical_form("-1e400", "null");
  expect_canonical_form("1e-400", "0");
  expect_canonical_form("5e-324", "5e-324");
  expect_canonical_form("[9007199254740993]", "[9007199254740992]");
}

TEST(Json, NumberFormatting) {
  EXPECT_EQ(number(0), "0");
  EXPECT_EQ(number(-0.0), "0");
  EXPECT_EQ(number(1), "1");
  EXPECT_EQ(number(-2.5e-7), "-2.5e-7");
  EXPECT_EQ(number(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(number(9007199254740992.0), "9007199254740992");
  EXPECT_EQ(number(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number(std::nan("")), "null");
}

TEST(Json, StringsKeepOnlyTheEscapesJsonStringifyWrites) {
  expect_canonical_form(R"("\/")", R"("/")");
  expect_canonical_form(R"("\u0041")", R"("A")");
  expect_canonical_form(R"("\u001F")", R"("\u001f")");
  expect_canonical_form(R"("\u0008\u000c")", R"("\b\f")");
  expect_canonical_form(R"("\b\f\n\r\t\"\\")", R"("\b\f\n\r\t\"\\")");
  expect_canonical_form(R"("\u00e9")", "\"\xc3\xa9\"");
  expect_canonical_form(R"("\u007f")", "\"\x7f\"");
  expect_canonical_form(R"("\u2028")", "\"\xe2\x80\xa8\"");  // written as is, not escaped
  expect_canonical_form(R"("\ud83d\ude00")", "\"\xf0\x9f\x98\x80\"");
}

TEST(Json, LoneSurrogateEscapesAreKeptAsEscapes) {
  // JSON.parse accepts them and JSON.stringify writes them back escaped, in lower case.
  expect_canonical_form(R"("\ud800")", R"("\ud800")");
  expect_canonical_form(R"("\uD800")", R"("\ud800")");
  expect_canonical_form(R"("\udc00x")", R"("\udc00x")");
  expect_canonical_form(R"("\ud800\u0041")", R"("\ud800A")");
  EXPECT_EQ(unquote(R"("a\ud800b")"),
            "a\xef\xbf\xbd"
            "b");  // as text, U+FFFD
}

TEST(Json, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  expect_canonical_form(
      "\"a\xff"
      "b\"",
      "\"a\xef\xbf\xbd"
      "b\"");
  expect_canonical_form("\"\xe2\x82\"", "\"\xef\xbf\xbd\"");  // a truncated sequence: one U+FFFD
  expect_canonical_form("\"\xed\xa0\x80\"",
                        "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");      // UTF-8 surrogate
  expect_canonical_form("\"\xc0\xaf\"", "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong
}

TEST(Json, ObjectsOrderIndexKeysFirstAndKeepTheLastOfRepeatedKeys) {
  expect_canonical_form(R"({"a":1,"a":2})", R"({"a":2})");
  expect_canonical_form(R"({"a":1,"b":2,"a":3})", R"({"a":3,"b":2})");
  expect_canonical_form(R"({"b":1,"2":2,"1":3})", R"({"1":3,"2":2,"b":1})");
  expect_canonical_form(R"({"01":1,"1":2})", R"({"1":2,"01":1})");
  expect_canonical_form(R"({"-1":1,"0":2})", R"({"0":2,"-1":1})");
  expect_canonical_form(R"({"4294967295":1,"4294967294":2})", R"({"4294967294":2,"4294967295":1})");
  expect_canonical_form(R"({"\u0061":1,"a":2})", R"({"a":2})");
  expect_canonical_form(R"({"__proto__":1})", R"({"__proto__":1})");
  // Keys are JavaScript strings: lone surrogates that differ make different keys (found by the
  // json fuzzer, which saw them merged while inspect() called the text canonical).
  expect_canonical_form(R"({"\ud800\ud801":1,"\ud800\ud800":2})",
                        R"({"\ud800\ud801":1,"\ud800\ud800":2})");
  expect_canonical_form(R"({"\ud800":1,"\udc00":2,"\ud800":3})", R"({"\ud800":3,"\udc00":2})");
}

TEST(Json, InvalidTextIsRejected) {
  for (std::string_view text : {"",
                                " ",
                                "[1,]",
                                R"({"a":1,})",
                                "01",
                                "1.",
                                ".5",
                                "+1",
                                "-",
                                "1e",
                                "1e+",
                                "\"\x01\"",
                                R"("\u12")",
                                R"("\a")",
                                "'a'",
                                "[",
                                "tru",
                                "NaN",
                                "Infinity",
                                R"("a" "b")",
                                R"({"a"})",
                                "{1:2}",
                                "[1 2]",
                                R"({"a":1 "b":2})",
                                "\"unterminated",
                                "nul",
                                "[]]",
                                "\"\\"}) {
    EXPECT_FALSE(inspect(text).valid) << text;
  }
}

TEST(Json, NestingIsLimited) {
  const std::string deep_ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_TRUE(inspect(deep_ok).valid);
  const std::string too_deep = std::string(kMaxDepth + 1, '[') + std::string(kMaxDepth + 1, ']');
  EXPECT_FALSE(inspect(too_deep).valid);
  EXPECT_FALSE(inspect(std::string(100000, '[')).valid);  // no stack overflow either
}

TEST(Json, ElementsAndMembersAreSlicesOfTheText) {
  const std::string_view array = R"([1,"a,b]",{"c":[2,3]},[],null,"q\"]"])";
  EXPECT_EQ(elements(array), (std::vector<std::string_view>{"1", R"("a,b]")", R"({"c":[2,3]})",
                                                            "[]", "null", R"("q\"]")"}));
  EXPECT_TRUE(elements("[]").empty());
  const auto fields = members(R"({"a":[1,{"b":2}],"c,d":"e:f"})");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].first, R"("a")");
  EXPECT_EQ(fields[0].second, R"([1,{"b":2}])");
  EXPECT_EQ(fields[1].first, R"("c,d")");
  EXPECT_EQ(fields[1].second, R"("e:f")");
}

TEST(Json, QuoteWritesAsJsonStringify) {
  EXPECT_EQ(quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(quote("\xc3\xa9/"), "\"\xc3\xa9/\"");
  EXPECT_EQ(quote("\xff"), "\"\xef\xbf\xbd\"");
  EXPECT_EQ(unquote(R"("a\nb")"), "a\nb");
  EXPECT_FALSE(unquote("abc"));
  EXPECT_FALSE(unquote(R"("abc)"));
}

TEST(Json, ValueGivesAccessToParsedData) {
  const auto v =
      Value::parse(R"( {"event":"news","args":[1,"x",{"$bin":"AQID"}],"flag":true,"n":null} )");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->is_object());
  EXPECT_EQ(v->find("event")->string(), "news");
  EXPECT_EQ(v->find("args")->items().size(), 3u);
  EXPECT_EQ(v->find("args")->items()[0].number(), 1);
  EXPECT_EQ(v->find("args")->json(), R"([1,"x",{"$bin":"AQID"}])");
  EXPECT_TRUE(v->find("flag")->boolean());
  EXPECT_TRUE(v->find("n")->is_null());
  EXPECT_FALSE(v->find("missing"));
  EXPECT_FALSE(Value::parse("[1,"));
}

TEST(Json, BinaryPlaceholdersAreRenumberedDepthFirst) {
  std::string out;
  std::vector<std::size_t> order;
  ASSERT_TRUE(canonicalize_binary(
      R"(["a",{"num":1,"_placeholder":true,"x":2},{"_placeholder":true,"num":0}])", 2, out, order));
  EXPECT_EQ(out, R"(["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 0}));
}

TEST(Json, PlaceholdersFollowTheCanonicalKeyOrder) {
  std::string out;
  std::vector<std::size_t> order;
  ASSERT_TRUE(canonicalize_binary(
      R"({"b":{"_placeholder":true,"num":0},"1":{"_placeholder":true,"num":1}})", 2, out, order));
  EXPECT_EQ(out, R"({"1":{"_placeholder":true,"num":0},"b":{"_placeholder":true,"num":1}})");
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 0}));
}

TEST(Json, AnAttachmentUsedTwiceIsCountedTwice) {
  std::string out;
  std::vector<std::size_t> order;
  ASSERT_TRUE(canonicalize_binary(
      R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])", 1, out, order));
  EXPECT_EQ(out, R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 0}));
}

TEST(Json, NotAPlaceholderUnlessPlaceholderIsTrue) {
  std::string out;
  std::vector<std::size_t> order;
  ASSERT_TRUE(
      canonicalize_binary(R"([{"_placeholder":false,"num":9},{"_placeholder":1}])", 0, out, order));
  EXPECT_EQ(out, R"([{"_placeholder":false,"num":9},{"_placeholder":1}])");
  EXPECT_TRUE(order.empty());
}

TEST(Json, PlaceholderNumbersMustIndexTheAttachments) {
  std::string out;
  std::vector<std::size_t> order;
  // CVE-2022-2421: a num that is not an integer index must never reach the application.
  for (std::string_view bad :
       {R"([{"_placeholder":true,"num":1}])", R"([{"_placeholder":true,"num":-1}])",
        R"([{"_placeholder":true,"num":0.5}])", R"([{"_placeholder":true,"num":"0"}])",
        R"([{"_placeholder":true,"num":"splice"}])", R"([{"_placeholder":true}])",
        R"([{"_placeholder":true,"num":1e400}])"}) {
    out.clear();
    EXPECT_FALSE(canonicalize_binary(bad, 1, out, order)) << bad;
  }
}

TEST(Json, RenumberPlaceholdersOffsetsThem) {
  std::string out;
  std::vector<std::size_t> order;
  EXPECT_EQ(
      renumber_placeholders(R"([{"_placeholder":true,"num":1},"x",{"_placeholder":true,"num":0}])",
                            3, out, order),
      2u);
  EXPECT_EQ(out, R"([{"_placeholder":true,"num":3},"x",{"_placeholder":true,"num":4}])");
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 0}));
}

// ---- properties ------------------------------------------------------------------------------

// A JSON value as a tree, printed compactly or with random whitespace and escapes.
struct Tree {
  Kind kind = Kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Tree> items;
  std::vector<std::pair<std::string, Tree>> members;
};

rc::Gen<Tree> gen_tree(int depth) {
  auto scalar =
      rc::gen::oneOf(rc::gen::just(Tree{}),
                     rc::gen::map(rc::gen::arbitrary<bool>(),
                                  [](bool b) {
                                    Tree t;
                                    t.kind = Kind::boolean;
                                    t.boolean = b;
                                    return t;
                                  }),
                     rc::gen::map(rc::gen::arbitrary<double>(),
                                  [](double d) {
                                    Tree t;
                                    t.kind = Kind::number;
                                    t.number = std::isfinite(d) ? d : 0;
                                    return t;
                                  }),
                     rc::gen::map(rc::gen::inRange(-1000, 1000),
                                  [](int i) {
                                    Tree t;
                                    t.kind = Kind::number;
                                    t.number = i;
                                    return t;
                                  }),
                     rc::gen::map(rc::gen::arbitrary<std::string>(), [](std::string s) {
                       Tree t;
                       t.kind = Kind::string;
                       for (char& c : s)
                         c = static_cast<char>(static_cast<unsigned char>(c) % 0x80);  // ASCII
                       t.text = s;
                       return t;
                     }));
  if (depth <= 0) return scalar;
  return rc::gen::oneOf(
      scalar,
      rc::gen::map(rc::gen::resize(4, rc::gen::container<std::vector<Tree>>(gen_tree(depth - 1))),
                   [](std::vector<Tree> items) {
                     Tree t;
                     t.kind = Kind::array;
                     t.items = std::move(items);
                     return t;
                   }),
      rc::gen::map(rc::gen::resize(4, rc::gen::container<std::vector<std::pair<std::string, Tree>>>(
                                          rc::gen::pair(rc::gen::element<std::string>(
                                                            "a", "b", "0", "1", "10", "x y"),
                                                        gen_tree(depth - 1)))),
                   [](std::vector<std::pair<std::string, Tree>> members) {
                     Tree t;
                     t.kind = Kind::object;
                     t.members = std::move(members);
                     return t;
                   }));
}

// Prints `tree`; with `noisy`, adds whitespace, needless escapes and other number spellings.
void print(const Tree& tree, bool noisy, std::string& out) {
  const auto ws = [&] {
    if (noisy && *rc::gen::arbitrary<bool>())
      out += *rc::gen::element<std::string>(" ", "\n", "\t ", "\r\n");
  };
  const auto string = [&](const std::string& s) {
    if (!noisy) return quote_append(s, out);
    out.push_back('"');
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x80 && *rc::gen::arbitrary<bool>()) {
        char buf[8];
        std::snprintf(buf, sizeof buf, *rc::gen::arbitrary<bool>() ? "\\u%04x" : "\\u%04X", u);
        out += buf;
      } else if (c == '/' && *rc::gen::arbitrary<bool>()) {
        out += "\\/";
      } else {
        std::string one;
        quote_append(std::string(1, c), one);
        out += one.substr(1, one.size() - 2);
      }
    }
    out.push_back('"');
  };
  ws();
  switch (tree.kind) {
    case Kind::null:
      out += "null";
      break;
    case Kind::boolean:
      out += tree.boolean ? "true" : "false";
      break;
    case Kind::number: {
      std::string n = number(tree.number);
      if (noisy && n.find_first_of(".e") == std::string::npos && *rc::gen::arbitrary<bool>())
        n += ".0";
      if (noisy && n.find('e') == std::string::npos && *rc::gen::arbitrary<bool>()) n += "e0";
      out += n;
      break;
    }
    case Kind::string:
      string(tree.text);
      break;
    case Kind::array:
      out.push_back('[');
      for (std::size_t i = 0; i < tree.items.size(); ++i) {
        if (i) out.push_back(',');
        print(tree.items[i], noisy, out);
      }
      ws();
      out.push_back(']');
      break;
    case Kind::object:
      out.push_back('{');
      for (std::size_t i = 0; i < tree.members.size(); ++i) {
        if (i) out.push_back(',');
        ws();
        string(tree.members[i].first);
        ws();
        out.push_back(':');
        print(tree.members[i].second, noisy, out);
      }
      ws();
      out.push_back('}');
      break;
  }
  ws();
}

RC_GTEST_PROP(Json, NoisyAndCompactPrintsHaveTheSameCanonicalForm, ()) {
  const auto tree = *gen_tree(3);
  std::string compact, noisy;
  print(tree, false, compact);
  print(tree, true, noisy);
  RC_ASSERT(inspect(noisy).valid);
  RC_ASSERT(canonical(noisy) == canonical(compact));
}

RC_GTEST_PROP(Json, CanonicalFormIsStableAndRecognised, ()) {
  const auto tree = *gen_tree(3);
  std::string text;
  print(tree, true, text);
  const auto once = canonical(text);
  RC_ASSERT(inspect(once).canonical);
  RC_ASSERT(canonical(once) == once);
  RC_ASSERT(inspect(text).canonical == (once == text));
}

RC_GTEST_PROP(Json, ArbitraryBytesNeverCrashAndCanonicalizeWhenValid, (const std::string& text)) {
  const auto inspection = inspect(text);
  if (inspection.valid) {
    const auto once = canonical(text);
    RC_ASSERT(inspect(once).canonical);
    const bool infinity = inspection.kind == Kind::number && once == "null";
    RC_ASSERT(inspect(once).kind == inspection.kind || infinity);
  }
}

RC_GTEST_PROP(Json, NumbersRoundTrip, (double value)) {
  RC_PRE(std::isfinite(value));
  const auto text = number(value);
  RC_ASSERT(inspect(text).canonical);
  const auto back = parse_number(text);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == value);
}

RC_GTEST_PROP(Json, QuotedTextReadsBack, (const std::string& raw)) {
  std::string text = raw;
  for (char& c : text)
    c = static_cast<char>(static_cast<unsigned char>(c) % 0x80);
  const auto literal = quote(text);
  RC_ASSERT(inspect(literal).canonical);
  RC_ASSERT(unquote(literal) == text);
}

RC_GTEST_PROP(Json, ElementsSplitWhatWasJoined, ()) {
  const auto trees = *rc::gen::resize(6, rc::gen::container<std::vector<Tree>>(gen_tree(2)));
  std::string array = "[";
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < trees.size(); ++i) {
    std::string one;
    print(trees[i], false, one);
    parts.push_back(canonical(one));
    array += (i ? "," : "") + parts.back();
  }
  array += "]";
  const auto got = elements(array);
  RC_ASSERT(got.size() == parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i)
    RC_ASSERT(got[i] == parts[i]);
}

}  // namespace
}  // namespace sio::wire::json
