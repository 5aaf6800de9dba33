#!/usr/bin/env node
// The client adapter (conformance/CLIENT-ADAPTER.md, contract v1) for socket.io-client in a real
// browser: its browser bundle (socket.io-client/dist/socket.io.min.js) on a page of headless
// Chromium, driven with playwright-core. This Node process only relays; the adapter's logic is
// page.js, the same as conformance/adapters/node/adapter.js.
//
//   siocheck conform --client -- node conformance/adapters/browser/adapter.js
//   CHROMIUM=/path/to/chromium ... (default /usr/bin/chromium)
//   SIOCHECK_BROWSER_DEBUG=1 ...   (playwright's logs, the DevTools messages among them, to stderr)
//
// How it works:
// - playwright-core (from node_modules) launches Chromium (chromium.launch, its pipe transport)
//   and opens one page. The page is served by this process on 127.0.0.1 (an ephemeral port): `/`
//   loads socket.io.min.js and page.js. A loopback page may reach siocheck's scripted server
//   (another loopback origin, which answers `Access-Control-Allow-Origin: *`) under Chromium's
//   Local Network Access rules; an opaque origin (about:blank, data:) may not. Serving the page
//   with page.route instead would intercept every request of the page, socket.io's among them.
// - Events: page.js calls window.__siocheckOut(json), a function exposed with page.exposeFunction
//   before the page loads; this process adds `t` and prints the line. Playwright delivers the
//   calls in the order the page made them.
// - Commands: stdin lines go to window.__siocheck.command(line) with page.evaluate, one
//   evaluation at a time (the lines that came meanwhile go together in the next one), so the page
//   handles them in order. Lines that come before the page is ready wait. `ready` is printed once
//   the page has run both scripts, `io` exists and the exposed function is in place (hello()).
// - Disconnect reasons (page.js): socket.io-client's own, which are the canonical ones, except
//   "forced close" and "forced server close" (-> other).
// - Uncaught exceptions of the page go to stderr, one line each, and so do its console errors and
//   warnings. A page keeps running after an uncaught exception (a browser does not die of one,
//   unlike Node), so they end nothing; a page that crashes or closes, or a browser that goes away,
//   ends the adapter with status 1.
// - On `exit`, the end of stdin or SIGTERM: the page disconnects every socket, the browser is
//   closed (browser.close(); what is left of it after 200 ms is killed by playwright's exit hook,
//   SIGKILL to Chromium's process group), the profile directory is removed, exit 0, all within
//   siocheck's half second between `exit` and its SIGKILL of the adapter's process group.
// - Playwright starts Chromium in a process group of its own, which siocheck's kill of the
//   adapter's group does not reach. When the adapter is killed (SIGKILL), Chromium sees its end of
//   the DevTools pipe close and exits by itself, its helper processes with it. Chromium's profile
//   (playwright's temporary directories, put by TMPDIR in one directory of this adapter's,
//   /dev/shm/siocheck-browser-PID-XXXXXX) is then left behind; the next adapter removes it.
// - Cost, on an idle 2-core machine: `ready` about 0.6 s after the start, exit about 0.12 s after
//   `exit`; about 1.4 s of CPU in all, of which Chromium about 1.05 s and this process 0.33 s
//   (loading playwright-core alone 0.2 s).
// - No --fault here: the fault catalogue (../node/faults.js) patches socket.io-client's private
//   methods, whose names the minified browser bundle does not keep.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const readline = require("node:readline");

const started = Date.now();
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const READY_WITHIN_MS = 9000;  // siocheck waits 10 s for the ready line
const CLOSE_WITHIN_MS = 200;   // for browser.close(), before the kill
const PROFILE_PREFIX = "siocheck-browser-";
const DEBUG = !!process.env.SIOCHECK_BROWSER_DEBUG;

const FEATURES = [
  "polling", "websocket", "ws_only", "upgrade", "upgrade_option", "query", "binary", "acks_out", "acks_in",
  "ack_timeout", "retries", "offline_buffer", "volatile", "multiplex_implicit", "manager_api",
  "auto_connect_option", "reconnection", "reconnection_params", "reconnect_events", "disconnect_reasons",
  "connect_error_data", "auth_function", "csr", "numeric_event_names",
];

for (const arg of process.argv.slice(2)) {
  process.stderr.write(`browser adapter: unknown argument ${arg} (usage: adapter.js)\n`);
  process.exit(2);
}

const log = (line) => process.stderr.write(`browser adapter: ${DEBUG ? `${Date.now() - started} ms ` : ""}${line}\n`);
const out = (event) => process.stdout.write(JSON.stringify({ ...event, t: Date.now() - started }) + "\n");

const clientDir = path.dirname(require.resolve("socket.io-client/package.json"));
const version = require(path.join(clientDir, "package.json")).version;
const files = {
  "/": ["text/html", "<!doctype html><meta charset=utf-8><link rel=icon href=data:,><title>siocheck</title>" +
    "<script src=/socket.io.min.js></script><script src=/page.js></script>"],
  "/socket.io.min.js": ["text/javascript", fs.readFileSync(path.join(clientDir, "dist", "socket.io.min.js"))],
  "/page.js": ["text/javascript", fs.readFileSync(path.join(__dirname, "page.js"))],
};

// ---- the profile directory ---------------------------------------------------------------------

// In memory where there is a tmpfs: Chromium writes some 150 files there at start-up, which cost
// less to write and to remove than on a busy disk.
const profileBase = (() => {
  try {
    fs.accessSync("/dev/shm", fs.constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
})();

// Directories whose adapter is gone (killed before it could clean up): <prefix><pid>-XXXXXX.
function sweepProfiles() {
  let names = [];
  try {
    names = fs.readdirSync(profileBase);
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(PROFILE_PREFIX) && /^(\d+)-/.exec(name.slice(PROFILE_PREFIX.length));
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue;  // its adapter lives
    } catch (error) {
      if (error.code !== "ESRCH") continue;
    }
    try {
      fs.rmSync(path.join(profileBase, name), { recursive: true, force: true });
    } catch {}
  }
}
sweepProfiles();
// Playwright makes its temporary directories (the profile, its artifacts) in os.tmpdir(), and
// Chromium its own temporary files in $TMPDIR: all of them here.
const profile = fs.mkdtempSync(path.join(profileBase, `${PROFILE_PREFIX}${process.pid}-`));
process.env.TMPDIR = profile;

function removeProfile() {
  try {
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 2, retryDelay: 20 });
  } catch (error) {
    log(`cannot remove ${profile}: ${error.message}`);
  }
}

// ---- the end -----------------------------------------------------------------------------------

let browser = null;
let page = null;
let pageReady = false;
let ending = false;

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Closes the page's sockets (when `polite`), the browser and the profile, and exits.
async function finish(code, polite) {
  if (ending) return;
  ending = true;
  const t0 = Date.now();
  if (polite && pageReady)
    await Promise.race([page.evaluate(() => window.__siocheck.finish()).catch(() => {}), delay(60)]);
  const t1 = Date.now();
  if (browser) await Promise.race([browser.close().catch(() => {}), delay(CLOSE_WITHIN_MS)]);
  if (DEBUG) log(`finish: page ${t1 - t0} ms, browser.close() ${Date.now() - t1} ms`);
  server.closeAllConnections?.();
  server.close();
  // After playwright's own exit hook (installed when it launched Chromium), which kills whatever
  // is left of Chromium's process group: nothing writes to the profile any more.
  process.once("exit", removeProfile);
  process.exit(code);
}
const fatal = (why) => {
  log(why);
  finish(1, false);
};
process.on("SIGTERM", () => finish(0, true));
process.on("SIGINT", () => finish(130, true));
process.on("uncaughtException", (error) => fatal(`internal error: ${error && error.stack}`));
process.on("unhandledRejection", (error) => fatal(`internal error: ${error && error.stack}`));
const readyTimer = setTimeout(() => fatal(`the page was not ready within ${READY_WITHIN_MS} ms`), READY_WITHIN_MS);

// ---- the page's server -------------------------------------------------------------------------

const server = http.createServer((req, res) => {
  const file = files[new URL(req.url, "http://x").pathname];
  if (!file) {
    res.writeHead(404, { "Content-Type": "text/plain" });
    return res.end("not found");
  }
  res.writeHead(200, { "Content-Type": `${file[0]}; charset=utf-8`, "Cache-Control": "no-store" });
  res.end(file[1]);
});

// ---- commands ----------------------------------------------------------------------------------

const EXIT = Symbol("exit");  // `exit`, or the end of stdin
const pending = [];           // lines not yet handed to the page
let pumping = false;

function command(line) {
  if (line !== EXIT) {
    if (!line.trim()) return;
    try {
      if (JSON.parse(line).cmd === "exit") line = EXIT;
    } catch {}  // page.js answers it
  }
  if (line === EXIT && !pageReady) return void finish(0, false);  // nothing ran yet
  pending.push(line);
  pump();
}

// Hands the pending lines to the page, in order, one evaluation at a time.
async function pump() {
  if (pumping || !pageReady) return;
  pumping = true;
  while (pending.length && !ending) {
    if (pending[0] === EXIT) return void finish(0, true);
    const end = pending.indexOf(EXIT);
    const lines = pending.splice(0, end < 0 ? pending.length : end);
    try {
      await page.evaluate((lines) => {
        for (const line of lines) window.__siocheck.command(line);
      }, lines);
    } catch (error) {
      if (!ending) out({ ev: "adapter_error", message: `page.evaluate: ${String(error && error.message).split("\n")[0]}` });
    }
  }
  pumping = false;
}
readline.createInterface({ input: process.stdin }).on("line", command).on("close", () => command(EXIT));

// ---- start -------------------------------------------------------------------------------------

// One line for siocheck's stderr tail: the message and the first frames.
const oneLine = (text) => String(text).split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 5).join(" | ");

async function start() {
  await new Promise((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  const pageUrl = `http://127.0.0.1:${server.address().port}/`;
  const { chromium } = require("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--log-level=3"],
    // This process ends Chromium itself (finish()); playwright's handlers would close it without
    // exiting.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    timeout: READY_WITHIN_MS,
    logger: {
      isEnabled: (name) => DEBUG || name === "browser",
      log: (name, severity, message) => {
        // Chromium's stderr; the Debian wrapper's `[` complaint about /dev/shm's size is noise.
        if (DEBUG) log(`${name}: ${message}`);
        else if (/\]\[err\] /.test(message) && !/unexpected operator$/.test(message)) log(`chromium: ${message}`);
      },
    },
  });
  browser.on("disconnected", () => { if (!ending) fatal("the browser went away"); });
  page = await browser.newPage();
  page.on("pageerror", (error) => { if (!ending) log(`page error (uncaught): ${oneLine(error.stack || error.message)}`); });
  page.on("console", (message) => {
    if (["error", "warning", "assert"].includes(message.type()) && !ending)
      log(`page console.${message.type()}: ${oneLine(message.text())}`);
  });
  page.on("crash", () => { if (!ending) fatal("the page crashed"); });
  // When the browser goes, its page closes first: a moment later, "disconnected" has told why.
  page.on("close", () => setTimeout(() => { if (!ending) fatal("the page closed"); }, 20));
  await page.exposeFunction("__siocheckOut", (payload) => {
    let event;
    try {
      event = JSON.parse(payload);
    } catch {
      return out({ ev: "adapter_error", message: `the page sent ${String(payload).slice(0, 200)}` });
    }
    out(event);
  });
  await page.goto(pageUrl, { waitUntil: "domcontentloaded", timeout: READY_WITHIN_MS });
  const hello = await page.evaluate(() => window.__siocheck &&
    { ...window.__siocheck.hello(), binding: typeof window.__siocheckOut === "function" });
  if (!hello) return fatal("page.js did not run");
  if (!hello.io) return fatal("socket.io.min.js did not define io");
  if (!hello.binding) return fatal("the page has no function __siocheckOut");
  if (hello.visibility !== "visible") log(`the page is ${hello.visibility}: its timers may be throttled`);
  pageReady = true;
  clearTimeout(readyTimer);
  out({ ev: "ready", impl: `socket.io-client (Chromium ${browser.version()})`, version, features: FEATURES });
  pump();
}
start().catch((error) => { if (!ending) fatal(`cannot start the page: ${oneLine(error && error.message)}`); });
