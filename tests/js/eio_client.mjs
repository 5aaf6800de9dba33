// Drives the official engine.io-client against a server and prints one JSON object with what it saw.
//
//   node eio_client.mjs echo URL MODE COUNT     text + binary echo, then COUNT messages in order, then close
//   node eio_client.mjs wait-close URL MODE     prints {"ready":true} once connected, then waits for the
//                                                server to close and prints the close reason
// MODE: polling | websocket | upgrade (polling first, then upgraded to websocket)
import { Socket } from "engine.io-client";

const [command, url, mode, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 1000);
const transports = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] }[mode];
if (!transports) {
  console.error(`unknown mode '${mode}' (polling, websocket, upgrade)`);
  process.exit(2);
}

const result = { mode, openTransport: null, upgraded: false, finalTransport: null, errors: [] };
// Prints the result. After a close the process ends on its own once the client's last requests
// (the polling close packet) are through; exiting at once would cut them off.
const done = (extra = {}, exit = false) => {
  Object.assign(result, extra);
  console.log(JSON.stringify(result));
  if (exit) process.exit(0);
};
setTimeout(() => done({ errors: [...result.errors, "timed out after 30 s"] }, true), 30000).unref();

const socket = new Socket(url, { transports, upgrade: mode === "upgrade" });
socket.on("error", (e) => result.errors.push(String(e && e.message ? e.message : e)));
socket.on("upgrade", (t) => {
  result.upgraded = true;
  result.upgradedTo = t.name;
});

// Waits for the next `n` messages.
const queue = [];
let waiter = null;
socket.on("message", (m) => {
  queue.push({ data: m, transport: socket.transport.name });
  if (waiter && queue.length >= waiter.n) {
    const w = waiter;
    waiter = null;
    w.resolve(queue.splice(0, w.n));
  }
});
const next = (n) =>
  new Promise((resolve) => {
    if (queue.length >= n) return resolve(queue.splice(0, n));
    waiter = { n, resolve };
  });
const bytesOf = (m) => (typeof m === "string" ? null : [...new Uint8Array(m instanceof ArrayBuffer ? m : m.buffer ? new Uint8Array(m.buffer, m.byteOffset, m.byteLength) : m)]);

socket.on("open", async () => {
  result.openTransport = socket.transport.name;
  if (command === "wait-close") {
    if (mode === "upgrade" && !result.upgraded) await new Promise((r) => socket.once("upgrade", r));
    socket.on("close", (reason) => done({ closeReason: reason, finalTransport: result.lastTransport }));
    result.lastTransport = socket.transport.name;
    console.log(JSON.stringify({ ready: true }));
    return;
  }

  // COUNT messages sent in bursts, so that in upgrade mode the switch happens mid-stream.
  const sendAll = async () => {
    for (let i = 0; i < count; i += 25) {
      for (let j = i; j < Math.min(count, i + 25); j++) socket.send(`m-${j}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const receiving = next(count);
  await sendAll();
  const got = await receiving;
  result.received = got.length;
  result.inOrder = got.every((m, i) => m.data === `m-${i}`);
  result.receivedOn = got.reduce((acc, m) => ((acc[m.transport] = (acc[m.transport] ?? 0) + 1), acc), {});
  // Text and binary echo.
  const text = "hello \u20ac \ud83d\ude00 \u2028";
  const binary = new Uint8Array(256).map((_, i) => i);
  socket.send(text);
  socket.send(binary);
  const [t, b] = await next(2);
  result.textEcho = t.data === text;
  result.binaryIsBinary = typeof b.data !== "string";
  const echoed = bytesOf(b.data);
  result.binaryEcho = echoed !== null && echoed.length === 256 && echoed.every((v, i) => v === i);

  if (mode === "upgrade" && !result.upgraded) await new Promise((r) => socket.once("upgrade", r));
  result.finalTransport = socket.transport.name;
  socket.on("close", (reason) => done({ closeReason: reason }));
  socket.close();
});
