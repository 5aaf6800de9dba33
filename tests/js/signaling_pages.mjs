// The signaling demo (scenarios/SIGNALING.md) in headless Chromium: two tabs meet in a room, open a
// WebRTC data channel through the server's signaling and say hello both ways; a third tab finds
// the room full; when the second tab closes the first hears `bye`. Saves a screenshot of each of
// the two tabs and prints one JSON object (with an "error" field when something did not happen).
//   node signaling_pages.mjs URL ROOM SCREENSHOT_PREFIX     (writes PREFIX-creator.png, PREFIX-joiner.png)
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const [url, room, screenshotPrefix] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const playwrightVersion = require("playwright-core/package.json").version;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const WAIT_MS = 15000; // the longest any single step may take on a busy machine

const result = { playwrightVersion, executablePath, browserVersion: null, pages: {}, pageErrors: [] };
const finish = (error) => {
  if (error) result.error = error;
  console.log(JSON.stringify(result));
};

const profile = mkdtempSync(join(tmpdir(), "siocheck-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 900, height: 720 },
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync",
           // ICE between two tabs of one machine: loopback allowed, host addresses not hidden
           // behind mDNS names (see scenarios/SIGNALING.md, "The demo page").
           "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns"],
  });
} catch (error) {
  finish(`cannot start ${executablePath} with playwright-core ${playwrightVersion}: ${error.message}`);
  rmSync(profile, { recursive: true, force: true });
  process.exit(0);
}
result.browserVersion = context.browser()?.version() ?? "unknown";
// Without camera or microphone permission a page's ICE agent sees only the address of the default
// route, and none at all on a machine with loopback only (a container without a network); with
// it, every interface, loopback included (the flag above). The page never captures anything.
await context.grantPermissions(["camera", "microphone"], { origin: new URL(url).origin });

const pages = {};
const stateOf = async (name) => pages[name].evaluate(() => window.signalingState);
async function open(name) {
  const page = name === "creator" ? (context.pages()[0] ?? (await context.newPage())) : await context.newPage();
  pages[name] = page;
  page.on("pageerror", (e) => result.pageErrors.push(`${name}: ${e}`));
  page.on("console", (m) => { if (m.type() === "error") result.pageErrors.push(`${name} console: ${m.text()}`); });
  await page.goto(`${url}/?room=${encodeURIComponent(room)}`);
  return page;
}
// Waits until `predicate(window.signalingState)` holds on the page, or fails naming `what`.
async function until(name, what, predicate) {
  try {
    await pages[name].waitForFunction(predicate, null, { timeout: WAIT_MS, polling: 20 });
  } catch {
    throw new Error(`${name}: ${what} did not happen within ${WAIT_MS} ms`);
  }
}

// What the page's RTCPeerConnection (the page script's global `pc`) says about its data channel and
// its candidate pairs: for the report of a failure.
async function webrtcStats() {
  if (typeof pc === "undefined" || !pc) return null;
  const keep = ["type", "state", "label", "messagesSent", "messagesReceived", "bytesSent", "bytesReceived",
                "nominated", "localCandidateId", "remoteCandidateId", "requestsSent", "responsesReceived",
                "currentRoundTripTime", "address", "port", "protocol", "candidateType", "dtlsState",
                "iceState", "selectedCandidatePairId"];
  const stats = [];
  for (const report of (await pc.getStats()).values()) {
    if (!["data-channel", "candidate-pair", "transport", "local-candidate", "remote-candidate"].includes(report.type)) continue;
    stats.push(Object.fromEntries([["id", report.id], ...keep.filter((k) => k in report).map((k) => [k, report[k]])]));
  }
  return { iceConnectionState: pc.iceConnectionState, connectionState: pc.connectionState,
           sctpState: pc.sctp?.state, stats };
}

try {
  await open("creator");
  await until("creator", "created", () => window.signalingState?.role === "creator");
  await open("joiner");
  await until("joiner", "joined", () => window.signalingState?.role === "joiner");
  for (const name of ["creator", "joiner"]) {
    await until(name, "a message over the data channel",
                () => window.signalingState.channelOpen && window.signalingState.received.length > 0);
  }
  result.webrtcStats = {};
  for (const name of ["creator", "joiner"]) {
    result.pages[name] = await stateOf(name);
    result.webrtcStats[name] = await pages[name].evaluate(webrtcStats);
    await pages[name].screenshot({ path: `${screenshotPrefix}-${name}.png` });
  }
  await open("third");
  await until("third", "full", () => window.signalingState?.role === "full");
  result.pages.third = await stateOf("third");
  await pages.joiner.close();
  await until("creator", "bye", () => window.signalingState.peerLeft === 1 && !window.signalingState.channelOpen);
  result.pages.creatorAfterBye = await stateOf("creator");
  finish();
} catch (error) {
  result.webrtcStats ??= {};
  for (const name of Object.keys(pages)) {
    if (pages[name].isClosed()) continue;
    if (!result.pages[name]) result.pages[name] = await stateOf(name).catch(String);
    result.webrtcStats[name] ??= await pages[name].evaluate(webrtcStats).catch(String);
  }
  finish(error.message);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
