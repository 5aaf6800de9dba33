// Opens a siocheck HTML report in headless Chromium, reads the counts the page shows, tries the
// filter, and saves a screenshot. Prints one JSON object. With --no-js, JavaScript is off (as in a
// CI viewer with a strict content policy): it prints the page's visible text instead.
//   node report_page.mjs REPORT.html SCREENSHOT.png [--no-js]
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const [report, screenshot, mode] = process.argv.slice(2);
const noJs = mode === "--no-js";
const require = createRequire(import.meta.url);
const playwrightVersion = require("playwright-core/package.json").version;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

// A fresh profile directory for every run.
let context;
try {
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "siocheck-chromium-")), {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled: !noJs,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
} catch (error) {
  console.log(JSON.stringify({ error: `cannot start ${executablePath} with playwright-core ${playwrightVersion}: ${error.message}` }));
  process.exit(1);
}
const browserVersion = context.browser()?.version() ?? "unknown";
const page = context.pages()[0] ?? (await context.newPage());
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
await page.goto(pathToFileURL(report).href);
if (noJs) {
  const text = await page.locator("body").innerText();
  const open = await page.locator("#cases details[open]").count();
  await page.screenshot({ path: screenshot, fullPage: false });
  await context.close();
  console.log(JSON.stringify({ browserVersion, playwrightVersion, text, open, errors }));
  process.exit(0);
}
const counts = await page.evaluate(() =>
  Object.fromEntries([...document.querySelectorAll("#totals [data-count]")].map((e) => [e.dataset.verdict, Number(e.dataset.count)])));
const matrix = await page.evaluate(() =>
  [...document.querySelectorAll("#matrix td[data-area]")].map((td) => ({ area: td.dataset.area, verdict: td.dataset.verdict, n: Number(td.textContent) })));
const cases = await page.locator("#cases details").count();
await page.fill("#filter", "FAIL");
const visibleAfterFilter = await page.locator("#cases details:visible").count();
await page.fill("#filter", "");
await page.screenshot({ path: screenshot, fullPage: false });
await context.close();
console.log(JSON.stringify({ browserVersion, playwrightVersion, counts, matrix, cases, visibleAfterFilter, errors }));
