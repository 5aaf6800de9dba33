// The report writers (siocheck/run/report.hpp): console summary, JSON, JUnit, HTML.
#include "siocheck/run/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "siocheck/run/runner.hpp"

namespace conform::run {
namespace {

Report sample() {
  Report report;
  report.tool = "scenario";
  report.target = "http://127.0.0.1:3000";
  report.level = "extended";
  report.started = "2026-12-04T00:00:00Z";
  report.wall_ms = 1500;
  report.facts = {{"app", "fixture"}};
  Result pass;
  pass.info = {.id = "echo", .name = "scenarios/echo.yaml", .group = "scenario", .title = "Echo"};
  pass.outcome.details = "4 steps";
  Result fail;
  fail.info = {.id = "chat",
               .name = "scenarios/chat.yaml",
               .group = "scenario",
               .title = "Chat <room>",
               .requirement = "Alice talks & Bob hears"};
  fail.outcome.verdict = Verdict::fail;
  fail.outcome.reason = "chat.yaml:3:5: expect (client bob)";
  fail.outcome.checks = {{"chat.yaml:3:5: expect (client bob)", "event news", "nothing", false}};
  // What a target may send: a WebSocket frame header, a control byte, bytes past "</".
  fail.outcome.trace = {{1.5, "<-", "raw \x81\x05 hello \x01 </script>"}};
  Result skipped;
  skipped.info = {.id = "sig", .name = "scenarios/sig.yaml", .group = "scenario", .title = "Sig"};
  skipped.outcome.verdict = Verdict::unimplemented;
  skipped.outcome.reason = "needs app signaling";
  report.results = {pass, fail, skipped};
  grade(report.results, {});
  return report;
}

TEST(Report, TheJsonCarriesTheSchemaCountsAndEveryResult) {
  const auto json = nlohmann::json::parse(to_json(sample()));
  EXPECT_EQ(json["schema"], "siocheck.scenario/1");
  EXPECT_EQ(json["tool"], "scenario");
  EXPECT_EQ(json["regressed"], true);
  EXPECT_EQ(json["facts"]["app"], "fixture");
  EXPECT_EQ(json["counts"]["PASS"], 1);
  EXPECT_EQ(json["counts"]["FAIL"], 1);
  EXPECT_EQ(json["counts"]["UNIMPLEMENTED"], 1);
  ASSERT_EQ(json["cases"].size(), 3u);
  const auto& fail = json["cases"][1];
  EXPECT_EQ(fail["name"], "scenarios/chat.yaml");
  EXPECT_EQ(fail["area"], "scenario");
  EXPECT_EQ(fail["verdict"], "FAIL");
  EXPECT_EQ(fail["regression"], true);
  EXPECT_EQ(fail["checks"][0]["expected"], "event news");
  EXPECT_EQ(json["cases"][0]["details"], "4 steps");
}

TEST(Report, JunitHasAFailureForARegressionAndSkipsForTheRest) {
  auto report = sample();
  std::string error;
  const auto known = *Baseline::parse("sig # not this one\n", "k", error);
  const auto xml = to_junit(report);
  EXPECT_NE(xml.find("<testsuites name=\"siocheck scenario\" tests=\"3\""), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"scenario\" tests=\"3\" failures=\"1\" errors=\"0\" "
                     "skipped=\"1\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"FAIL: chat.yaml:3:5: expect (client bob)\">"),
            std::string::npos);
  EXPECT_NE(xml.find("Alice talks &amp; Bob hears"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"UNIMPLEMENTED: needs app signaling\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("name=\"scenarios/chat.yaml\""), std::string::npos);
  // Control bytes cannot be in XML 1.0 even escaped: they are written \xHH.
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("\\x01"), std::string::npos);
  EXPECT_NE(xml.find("&lt;/script&gt;"), std::string::npos);
}

TEST(Report, JunitSkipsAKnownFailingUnitWithItsReason) {
  auto report = sample();
  std::string error;
  const auto known = *Baseline::parse("chat # broken since 1.2\n", "k", error);
  grade(report.results, {.known_failing = &known});
  const auto xml = to_junit(report);
  EXPECT_EQ(xml.find("<failure"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"known failing (broken since 1.2): FAIL: chat.yaml:3:5: "
                     "expect (client bob)\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("failures=\"0\" errors=\"0\" skipped=\"2\""), std::string::npos);
}

TEST(Report, TheSummaryListsUnitsRegressionsAndTheCounts) {
  std::ostringstream out;
  print_summary(sample(), out,
                {.noun = "script", .matrix = false, .unit_lines = true, .trace_lines = 30});
  const auto text = out.str();
  EXPECT_NE(text.find("PASS  scenarios/echo.yaml  Echo  (4 steps, 0 ms)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("UNIMPLEMENTED  scenarios/sig.yaml  Sig  (needs app signaling)\n"),
            std::string::npos);
  EXPECT_NE(text.find("FAIL scenarios/chat.yaml  Chat <room>\n"), std::string::npos);
  EXPECT_NE(text.find("     FAIL chat.yaml:3:5: expect (client bob)\n"
                      "          expected: event news\n"
                      "          observed: nothing\n"),
            std::string::npos);
  EXPECT_NE(text.find("     trace:\n"), std::string::npos);
  EXPECT_NE(text.find("3 scripts against http://127.0.0.1:3000 (fixture level extended, app "
                      "fixture) in 1.5 s: 1 passed, 1 failed, 1 unimplemented; 1 regression\n"),
            std::string::npos)
      << text;
}

TEST(Report, TheSummarySaysWhichBaselineEntriesAreStale) {
  auto report = sample();
  std::string error;
  const auto known = *Baseline::parse("echo # pretend\n", "k", error);
  grade(report.results, {.known_failing = &known});
  std::ostringstream out;
  print_summary(report, out, {.matrix = true});
  EXPECT_NE(
      out.str().find("STALE scenarios/echo.yaml  Echo\n     listed as known failing (pretend), "
                     "but it passes: remove it from the list\n"),
      std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("2 regressions, 1 stale baseline entry"), std::string::npos);
}

TEST(Report, TheHtmlPageShowsEverythingWithoutScript) {
  const auto html = to_html(sample());
  EXPECT_NE(html.find("<title>siocheck scenario report</title>"), std::string::npos);
  // The regression is rendered open, with its check; the counts are in the page.
  const auto chat = html.find("<span class=\"name\">scenarios/chat.yaml</span>");
  ASSERT_NE(chat, std::string::npos);
  const auto details = html.rfind("<details", chat);
  EXPECT_NE(html.substr(details, chat - details).find(" open>"), std::string::npos);
  EXPECT_NE(html.find("expected: event news"), std::string::npos);
  EXPECT_NE(html.find("data-verdict=\"FAIL\" data-count=\"1\""), std::string::npos);
  EXPECT_NE(html.find("data-verdict=\"NOT RUN\" data-count=\"0\""), std::string::npos);
  // What the target sent cannot end the script element or write markup.
  EXPECT_EQ(html.find("</script> hello"), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("\x81"), std::string::npos);
}

TEST(Report, CrashAndNotRunAreJunitErrors) {
  auto report = sample();
  report.results[0].outcome.verdict = Verdict::crash;
  report.results[0].outcome.reason = "the target killed by signal 6";
  report.results[2].outcome = not_run("not run: the target is gone");
  grade(report.results, {});
  const auto xml = to_junit(report);
  EXPECT_NE(xml.find("failures=\"1\" errors=\"2\" skipped=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<error message=\"CRASH: the target killed by signal 6\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<error message=\"NOT RUN: not run: the target is gone\">"),
            std::string::npos);
}

TEST(Report, XmlEscapeKeepsEveryByteAsWellFormedText) {
  EXPECT_EQ(xml_escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
  EXPECT_EQ(xml_escape("\x81\x05\x01"), "\\x81\\x05\\x01");
  EXPECT_EQ(xml_escape("line\nnext\ttab"), "line\nnext\\ttab");
  EXPECT_EQ(xml_escape("caf\xc3\xa9 \xef\xbf\xbf"), "caf\xc3\xa9 \\uFFFF");
}

TEST(Report, JsonCarriesTheRunsFacts) {
  auto report = sample();
  report.version = "0.1.0";
  report.command_line = "siocheck scenario scenarios/";
  report.baselines = {{"--known-failing", "k.txt", 3}};
  report.handshake = {{"pingInterval", "300"}};
  report.incomplete = "interrupted by SIGTERM: not run";
  report.results[1].rerun = "siocheck scenario scenarios/chat.yaml --trace";
  const auto json = nlohmann::json::parse(to_json(report));
  EXPECT_EQ(json["version"], "0.1.0");
  EXPECT_EQ(json["command_line"], "siocheck scenario scenarios/");
  EXPECT_EQ(json["baselines"][0]["file"], "k.txt");
  EXPECT_EQ(json["handshake"]["pingInterval"], "300");
  EXPECT_EQ(json["complete"], false);
  EXPECT_EQ(json["incomplete"], "interrupted by SIGTERM: not run");
  EXPECT_EQ(json["cases"][1]["rerun"], "siocheck scenario scenarios/chat.yaml --trace");
}

}  // namespace
}  // namespace conform::run
