// The HTML report: one self-contained page (no network, no files beside it), the same for every
// checker. The run's JSON is embedded; a small script renders the matrix of areas and verdicts, the
// filter, and every unit with its requirement, expected versus observed, and wire trace.
#include "siocheck/run/report.hpp"

namespace conform::run {

namespace {

constexpr const char* kPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>siocheck @@TOOL@@ report</title>
<style>
  :root { --pass:#1a7f37; --fail:#cf222e; --ns:#9a6700; --info:#0969da; --unimpl:#6e7781; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .meta { color: #57606a; margin-bottom: 16px; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
  .PASS { background: var(--pass); } .FAIL { background: var(--fail); } .NON-STRICT { background: var(--ns); }
  .INFORMATIONAL { background: var(--info); } .UNIMPLEMENTED { background: var(--unimpl); }
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
</style>
</head>
<body>
<h1>siocheck @@TOOL@@</h1>
<div class="meta" id="meta"></div>
<div id="totals"></div>
<table class="matrix" id="matrix"></table>
<input id="filter" type="search" placeholder="Filter: id, title, area or verdict (e.g. FAIL, eio/polling)">
<span id="shown" class="tag"></span>
<div id="cases"></div>
<script id="report-data" type="application/json">@@DATA@@</script>
<script>
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const verdicts = ["PASS", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAIL"];
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  };
  document.getElementById("meta").textContent =
    `${data.target} · fixture level ${data.level} · ${data.started} · ${(data.wall_ms / 1000).toFixed(1)} s` +
    (data.strict ? " · strict" : "") + (data.regressed ? " · REGRESSED" : " · no regression");
  const totals = document.getElementById("totals");
  for (const v of verdicts) {
    const n = data.cases.filter((c) => c.verdict === v).length;
    totals.append(el("span", { class: "badge " + v, id: "count-" + v, "data-count": String(n) }, `${v} ${n}`), " ");
  }
  const areas = [...new Set(data.cases.map((c) => c.area))].sort();
  const matrix = document.getElementById("matrix");
  matrix.append(el("tr", {}, el("th", {}, "area"), ...verdicts.map((v) => el("th", {}, v))));
  const filter = document.getElementById("filter");
  const cell = (area, v, n) => {
    const td = el("td", { class: n ? "nonzero" : "zero", "data-area": area, "data-verdict": v }, String(n));
    if (n) td.addEventListener("click", () => { filter.value = area === "total" ? v : `${area} ${v}`; apply(); });
    return td;
  };
  for (const area of areas) {
    const row = el("tr", { "data-area": area }, el("td", {}, area));
    for (const v of verdicts) row.append(cell(area, v, data.cases.filter((c) => c.area === area && c.verdict === v).length));
    matrix.append(row);
  }
  const total = el("tr", { class: "total" }, el("td", {}, "total"));
  for (const v of verdicts) total.append(cell("total", v, data.cases.filter((c) => c.verdict === v).length));
  matrix.append(total);

  const list = document.getElementById("cases");
  const order = { FAIL: 0, "NON-STRICT": 1, UNIMPLEMENTED: 2, INFORMATIONAL: 3, PASS: 4 };
  const sorted = [...data.cases].sort((a, b) => order[a.verdict] - order[b.verdict] || a.name.localeCompare(b.name));
  for (const c of sorted) {
    const summary = el("summary", {}, el("span", { class: "badge " + c.verdict }, c.verdict),
      el("span", { class: "name" }, c.name), el("span", { class: "title" }, c.title));
    if (c.baseline) summary.append(el("span", { class: "tag" }, `[${c.baseline}: ${c.baseline_reason}]`));
    const body = el("div", { class: "body" },
      el("div", { class: "req" }, el("span", { class: "level" }, c.level + " "), c.requirement),
      el("div", { class: "tag" }, "source: " + c.source + (c.reason ? " · " + c.reason : "") + ` · ${c.duration_ms} ms`));
    for (const k of c.checks)
      body.append(el("div", { class: "check" + (k.ok ? "" : " bad") },
        `${k.ok ? "ok  " : "FAIL"} ${k.what}\n     expected: ${k.expected}\n     observed: ${k.observed}`));
    if (c.details) body.append(el("pre", { class: "trace" }, c.details));
    if (c.trace.length)
      body.append(el("pre", { class: "trace" },
        c.trace.map((t) => `${t.at_ms.toFixed(1).padStart(8)} ms ${t.dir} ${t.text}`).join("\n")));
    const details = el("details", { class: "case" + (c.regression ? " regression" : ""), "data-verdict": c.verdict,
      "data-search": `${c.name} ${c.title} ${c.area} ${c.verdict} ${c.baseline}`.toLowerCase() }, summary, body);
    list.append(details);
  }
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
  filter.addEventListener("input", apply);
  apply();
})();
</script>
</body>
</html>
)HTML";

}  // namespace

std::string to_html(const Report& report) {
  std::string json = to_json(report);
  // Inside <script>, "</" would end the element: write it so the parser cannot see a closing tag.
  std::string safe;
  safe.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      safe += "<\\/";
      ++i;
    } else {
      safe.push_back(json[i]);
    }
  }
  std::string page = kPage;
  for (std::size_t at; (at = page.find("@@TOOL@@")) != std::string::npos;)
    page.replace(at, 8, xml_escape(report.tool));
  const auto at = page.find("@@DATA@@");
  page.replace(at, 8, safe);
  return page;
}

}  // namespace conform::run
