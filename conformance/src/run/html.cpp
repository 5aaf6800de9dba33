// The HTML report: one self-contained page (no network, no files beside it), the same for every
// checker. Everything is rendered into the page, so that it reads with JavaScript off (a CI viewer
// with a strict content policy): the run's facts, the counts, the matrix of areas and verdicts,
// and every unit with its requirement, expected versus observed, and wire trace, the regressions
// open. A small script only filters.
#include <map>
#include <sstream>

#include "siocheck/run/report.hpp"

namespace conform::run {

namespace {

constexpr const char* kStyle = R"CSS(
  :root { --pass:#1a7f37; --fail:#cf222e; --ns:#9a6700; --info:#0969da; --unimpl:#6e7781; --crash:#8250df; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .meta { color: #57606a; margin-bottom: 16px; }
  .meta div { margin: 2px 0; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
  .PASS { background: var(--pass); } .FAIL { background: var(--fail); } .NON-STRICT { background: var(--ns); }
  .INFORMATIONAL { background: var(--info); } .UNIMPLEMENTED { background: var(--unimpl); }
  .CRASH { background: var(--crash); } .NOT-RUN { background: #24292f; }
  table.matrix { border-collapse: collapse; margin: 12px 0 20px; }
  .matrix th, .matrix td { border: 1px solid #d0d7de; padding: 4px 10px; text-align: right; }
  .matrix th:first-child, .matrix td:first-child { text-align: left; }
  .matrix td.nonzero { cursor: pointer; font-weight: 600; }
  .matrix td.zero { color: #afb8c1; }
  .matrix tr.total td { font-weight: 700; background: #f6f8fa; }
  #filter { width: 420px; padding: 6px 8px; font-size: 14px; }
  .case { border: 1px solid #d0d7de; border-radius: 6px; margin: 6px 0; }
  .case > summary { padding: 6px 10px; cursor: pointer; list-style: none; }
  .case > summary .name { font-family: ui-monospace, monospace; margin: 0 8px; }
  .case > summary .title { color: #57606a; }
  .case .body { padding: 4px 12px 10px; border-top: 1px solid #d0d7de; }
  .req { margin: 6px 0; } .req .level { font-weight: 700; }
  .check { font-family: ui-monospace, monospace; font-size: 12px; margin: 4px 0; white-space: pre-wrap; }
  .check.bad { color: var(--fail); }
  pre.trace { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; max-height: 360px; }
  .regression { outline: 2px solid var(--fail); }
  .tag { font-size: 11px; color: #57606a; margin-left: 6px; }
  .incomplete { color: var(--fail); font-weight: 700; }
)CSS";

constexpr const char* kScript = R"JS(
(function () {
  const filter = document.getElementById("filter");
  const list = document.getElementById("cases");
  function apply() {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const node of list.children) {
      const visible = words.every((w) => node.dataset.search.includes(w));
      node.style.display = visible ? "" : "none";
      if (visible) shown++;
    }
    document.getElementById("shown").textContent = `${shown} of ${list.children.length} shown`;
  }
  for (const td of document.querySelectorAll("#matrix td.nonzero")) {
    td.addEventListener("click", () => {
      const area = td.dataset.area, v = td.dataset.verdict;
      filter.value = area === "total" ? v : `${area} ${v}`;
      apply();
    });
  }
  filter.addEventListener("input", apply);
  apply();
})();
)JS";

std::string esc(std::string_view text) {
  return xml_escape(text);
}

// "NOT RUN" -> "NOT-RUN": a CSS class.
std::string css(Verdict v) {
  std::string out(to_string(v));
  for (auto& c : out)
    if (c == ' ') c = '-';
  return out;
}

int rank(Verdict v) {
  switch (v) {
    case Verdict::crash:
      return 0;
    case Verdict::fail:
      return 1;
    case Verdict::not_run:
      return 2;
    case Verdict::non_strict:
      return 3;
    case Verdict::unimplemented:
      return 4;
    case Verdict::informational:
      return 5;
    case Verdict::pass:
      return 6;
  }
  return 7;
}

void write_meta(const Report& r, std::ostream& out) {
  out << "<div class=\"meta\" id=\"meta\">\n<div>" << esc(r.target)
      << (r.level.empty() ? "" : " &middot; fixture level " + esc(r.level)) << " &middot; "
      << esc(r.started) << " &middot; " << r.wall_ms / 1000.0 << " s"
      << (r.strict ? " &middot; strict" : "")
      << (r.regressed() ? " &middot; REGRESSED" : " &middot; no regression") << "</div>\n";
  if (!r.incomplete.empty())
    out << "<div class=\"incomplete\">INCOMPLETE: " << esc(r.incomplete) << "</div>\n";
  if (!r.version.empty()) out << "<div>siocheck " << esc(r.version) << "</div>\n";
  if (!r.command_line.empty()) out << "<div><code>" << esc(r.command_line) << "</code></div>\n";
  for (const auto& b : r.baselines)
    out << "<div>" << esc(b.flag) << " " << esc(b.file) << " (" << b.entries << " entries)</div>\n";
  for (const auto* facts : {&r.facts, &r.handshake}) {
    if (facts->empty()) continue;
    out << "<div>" << (facts == &r.handshake ? "handshake: " : "");
    for (std::size_t i = 0; i < facts->size(); ++i)
      out << (i ? " &middot; " : "") << esc((*facts)[i].first) << " " << esc((*facts)[i].second);
    out << "</div>\n";
  }
  out << "</div>\n";
}

void write_counts(const Report& r, std::ostream& out) {
  const auto counts = r.counts();
  out << "<div id=\"totals\">";
  for (std::size_t v = 0; v < kVerdicts.size(); ++v)
    out << "<span class=\"badge " << css(kVerdicts[v]) << "\" data-verdict=\""
        << to_string(kVerdicts[v]) << "\" data-count=\"" << counts[v] << "\">"
        << to_string(kVerdicts[v]) << " " << counts[v] << "</span> ";
  out << "</div>\n";
}

void write_matrix(const Report& r, std::ostream& out) {
  const auto table = r.counts_by_group();
  const auto cell = [&out](std::string_view area, Verdict v, int n) {
    out << "<td class=\"" << (n ? "nonzero" : "zero") << "\" data-area=\"" << esc(area)
        << "\" data-verdict=\"" << to_string(v) << "\">" << n << "</td>";
  };
  out << "<table class=\"matrix\" id=\"matrix\">\n<tr><th>area</th>";
  for (const auto v : kVerdicts)
    out << "<th>" << to_string(v) << "</th>";
  out << "</tr>\n";
  for (const auto& [group, row] : table) {
    out << "<tr data-area=\"" << esc(group) << "\"><td>" << esc(group) << "</td>";
    for (std::size_t v = 0; v < kVerdicts.size(); ++v)
      cell(group, kVerdicts[v], row[v]);
    out << "</tr>\n";
  }
  out << "<tr class=\"total\"><td>total</td>";
  const auto counts = r.counts();
  for (std::size_t v = 0; v < kVerdicts.size(); ++v)
    cell("total", kVerdicts[v], counts[v]);
  out << "</tr>\n</table>\n";
}

void write_case(const Result& c, std::ostream& out) {
  const std::string verdict(to_string(c.outcome.verdict));
  std::string search = c.info.name + " " + c.info.title + " " + c.info.group + " " + verdict + " " +
                       std::string(to_string(c.mark));
  for (auto& ch : search)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  out << "<details class=\"case" << (c.regression ? " regression" : "") << "\" data-verdict=\""
      << verdict << "\" data-search=\"" << esc(search) << "\"" << (c.regression ? " open" : "")
      << ">\n<summary><span class=\"badge " << css(c.outcome.verdict) << "\">" << verdict
      << "</span><span class=\"name\">" << esc(c.info.name) << "</span><span class=\"title\">"
      << esc(c.info.title) << "</span>";
  if (c.mark != Mark::none)
    out << "<span class=\"tag\">[" << to_string(c.mark) << ": " << esc(c.mark_reason) << "]</span>";
  out << "</summary>\n<div class=\"body\">\n<div class=\"req\"><span class=\"level\">"
      << esc(c.info.level) << " </span>" << esc(c.info.requirement) << "</div>\n"
      << "<div class=\"tag\">source: " << esc(c.info.source)
      << (c.outcome.reason.empty() ? "" : " &middot; " + esc(c.outcome.reason)) << " &middot; "
      << static_cast<long>(c.duration_ms) << " ms"
      << (c.attempts > 1 ? " &middot; " + std::to_string(c.attempts) + " attempts" : "")
      << "</div>\n";
  for (const auto& k : c.outcome.checks)
    out << "<div class=\"check" << (k.ok ? "" : " bad") << "\">" << (k.ok ? "ok  " : "FAIL") << " "
        << esc(k.what) << "\n     expected: " << esc(k.expected)
        << "\n     observed: " << esc(k.observed) << "</div>\n";
  if (!c.outcome.details.empty())
    out << "<pre class=\"trace\">" << esc(c.outcome.details) << "</pre>\n";
  if (!c.outcome.trace.empty())
    out << "<pre class=\"trace\">" << esc(trace_text(c.outcome.trace)) << "</pre>\n";
  if (!c.rerun.empty())
    out << "<div class=\"tag\">rerun: <code>" << esc(c.rerun) << "</code></div>\n";
  out << "</div>\n</details>\n";
}

}  // namespace

std::string to_html(const Report& report) {
  std::ostringstream out;
  out << "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>siocheck " << esc(report.tool) << " report</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n<h1>siocheck " << esc(report.tool) << "</h1>\n";
  write_meta(report, out);
  write_counts(report, out);
  write_matrix(report, out);
  out << "<input id=\"filter\" type=\"search\" placeholder=\"Filter: id, title, area or verdict "
         "(e.g. FAIL, eio/polling)\">\n<span id=\"shown\" class=\"tag\"></span>\n<div "
         "id=\"cases\">\n";
  std::vector<const Result*> sorted;
  for (const auto& r : report.results)
    sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Result* a, const Result* b) {
    const int ra = rank(a->outcome.verdict), rb = rank(b->outcome.verdict);
    return ra != rb ? ra < rb : a->info.name < b->info.name;
  });
  for (const auto* r : sorted)
    write_case(*r, out);
  out << "</div>\n<script>" << kScript << "</script>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace conform::run
