// Drives the official socket.io-client against a Socket.IO fixture (conformance/FIXTURE.md) and prints
// one JSON object, on one line, with what it saw. The pytest side (tests/test_sio_interop_js.py) makes
// the assertions; this script only waits for events, never for time.
//
//   node sio_client.mjs SCENARIO URL MODE
//
// MODE: polling | websocket | upgrade (polling first, then upgraded to websocket)
// SCENARIO: one of the keys of SCENARIOS below.
//
// In the output, binary values are written {"__binary__":"<hex>"}, ack callbacks "__ack__", and raw
// Socket.IO packets (the Engine.IO message payloads) as strings, binary ones as "<bin HEX>".
import { Manager } from "socket.io-client";

const [scenario, url, mode] = process.argv.slice(2);
const TRANSPORTS = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] };
if (!TRANSPORTS[mode]) {
  console.error(`unknown mode '${mode}' (polling, websocket, upgrade)`);
  process.exit(2);
}

const WAIT_MS = 5000; // the longest any single expected event may take
const result = { scenario, mode, errors: [], transports: [] };
let printed = false;
const print = () => {
  if (printed) return;
  printed = true;
  // Escaped so that the line stays one line for Python's str.splitlines() (run_node), which also
  // breaks at U+0085, U+2028 and U+2029; JSON.stringify leaves those raw.
  console.log(JSON.stringify(result).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
};

// ---- values ----------------------------------------------------------------------------------------

const isBinary = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const hexOf = (v) => {
  const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return Buffer.from(bytes).toString("hex");
};
// A JSON-safe copy of what the client received, binary marked as such.
const plain = (v) => {
  if (isBinary(v)) return { __binary__: hexOf(v) };
  if (typeof v === "function") return "__ack__";
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v === undefined ? null : v;
};
const raw = (data) => (typeof data === "string" ? data : `<bin ${hexOf(data)}>`);
const bin = (...bytes) => Buffer.from(bytes);
const b64 = (...bytes) => ({ $bin: Buffer.from(bytes).toString("base64") });

// ---- waiting -------------------------------------------------------------------------------------------

const within = (promise, label, ms = WAIT_MS) => {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${label}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

// The next `event` on an emitter (its arguments), as a promise; subscribe before causing it.
const next = (emitter, event, label) =>
  within(new Promise((resolve) => emitter.once(event, (...args) => resolve(args))), label ?? event);

// ---- connections and sockets -----------------------------------------------------------------------

const managers = [];

// A Manager (one Engine.IO connection) that records the raw packets it sends and receives.
function connection(label) {
  const manager = new Manager(url, {
    transports: TRANSPORTS[mode],
    upgrade: mode === "upgrade",
    reconnection: false,
    timeout: WAIT_MS,
  });
  const info = { label, manager, received: [], sent: [], opens: 0, upgraded: false, closeReason: null };
  const engine = manager.engine;
  engine.on("open", () => {
    info.opens++;
    info.openTransport = engine.transport.name;
  });
  engine.on("packet", (p) => p.type === "message" && info.received.push(raw(p.data)));
  engine.on("packetCreate", (p) => p.type === "message" && info.sent.push(raw(p.data)));
  engine.on("upgrade", () => (info.upgraded = true));
  engine.on("close", (reason) => (info.closeReason = reason));
  managers.push(info);
  return info;
}

// In upgrade mode, waits until the connection runs on WebSocket (the upgrade starts on its own
// right after the handshake); records the transports used.
async function settle(conn) {
  const engine = conn.manager.engine;
  if (mode === "upgrade" && !conn.upgraded && engine.readyState === "open") {
    await next(engine, "upgrade", `the upgrade of connection ${conn.label}`);
  }
  if (engine.readyState === "open") conn.finalTransport = engine.transport.name;
}

// A socket of `conn` on namespace `nsp`, recording every event it gets (with onAny) and every
// disconnect reason.
function socketOf(conn, nsp, auth) {
  const socket = conn.manager.socket(nsp, auth === undefined ? {} : { auth });
  const entry = { conn, nsp, socket, events: [], auth: [], disconnects: [] };
  socket.on("auth", (...args) => entry.auth.push(args.map(plain)));
  socket.onAny((event, ...args) => event !== "auth" && entry.events.push([event, ...args.map(plain)]));
  socket.on("disconnect", (reason) => entry.disconnects.push(reason));
  return entry;
}

// Waits for the CONNECT reply and the `auth` event that follows it; returns the entry.
async function joined(entry) {
  const label = `${entry.nsp} on connection ${entry.conn.label}`;
  const gotAuth = entry.auth.length ? Promise.resolve() : next(entry.socket, "auth", `the auth event of ${label}`);
  if (!entry.socket.connected) {
    await within(new Promise((resolve, reject) => {
      entry.socket.once("connect", resolve);
      entry.socket.once("connect_error", (e) => reject(new Error(`connect_error on ${label}: ${e.message}`)));
    }), `the CONNECT reply of ${label}`);
  }
  await gotAuth;
  entry.id = entry.socket.id;
  return entry;
}

const join = (conn, nsp, auth) => joined(socketOf(conn, nsp, auth));

// The connect_error a refused CONNECT ends with: {message, data}.
async function refused(entry) {
  const [err] = await within(new Promise((resolve, reject) => {
    entry.socket.once("connect_error", (...a) => resolve(a));
    entry.socket.once("connect", () => reject(new Error(`${entry.nsp} was accepted`)));
  }), `the connect_error of ${entry.nsp}`);
  return { message: err.message, data: err.data === undefined ? null : err.data };
}

// emitWithAck (the first ack argument), bounded in time.
const ask = (entry, event, ...args) =>
  within(entry.socket.emitWithAck(event, ...args), `the ack of ${event} on ${entry.nsp}`).then(plain);
// An emit with an ack callback: every ack argument.
const askAll = (entry, event, ...args) =>
  within(new Promise((resolve) => entry.socket.emit(event, ...args, (...r) => resolve(r))),
    `the ack of ${event} on ${entry.nsp}`).then(plain);
const fence = (entry) => ask(entry, "ctl:fence");
// The events recorded since the last call.
const drain = (entry) => entry.events.splice(0);

// ---- scenarios -------------------------------------------------------------------------------------------

const randomDyn = () => `/dyn-${1 + Math.floor(Math.random() * 99999)}`;

const SCENARIOS = {
  // `/`, `/custom` and `/dyn-N` multiplexed over one connection, next to a second connection.
  async namespaces() {
    const dynName = randomDyn();
    const c1 = connection("1");
    const [root, custom, dyn] = await Promise.all([join(c1, "/"), join(c1, "/custom", { k: "c" }), join(c1, dynName)]);
    const random = await refused(socketOf(c1, "/random"));
    const dynBad = await refused(socketOf(c1, "/dyn-x"));
    const engineId = c1.manager.engine.id;
    // Twenty requests interleaved across the three namespaces: each answer comes from its own namespace.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => ask([root, custom, dyn][i % 3], "ctl:rooms")));
    const rooms = await Promise.all([root, custom, dyn].map((s) => ask(s, "ctl:join", "shared")));
    const sharedRoom = await Promise.all([root, custom, dyn].map((s) => ask(s, "ctl:sockets", { room: "shared" })));

    // A second connection with its own `/` and `/custom`; a broadcast on `/` reaches only `/`.
    const c2 = connection("2");
    const [root2, custom2] = await Promise.all([join(c2, "/"), join(c2, "/custom")]);
    const everyone = [root, custom, dyn, root2, custom2];
    const socketsPerNsp = await Promise.all([root, custom, dyn].map((s) => ask(s, "ctl:sockets", {})));
    const broadcastAck = await ask(root, "ctl:broadcast", { event: "hello-ns", args: ["from /"] });
    const customAck = await ask(custom2, "ctl:broadcast", { event: "hello-ns", args: ["from /custom"] });
    await Promise.all(everyone.map(fence));
    await Promise.all([c1, c2].map(settle));
    Object.assign(result, {
      engineId,
      sameEngine: [root, custom, dyn].every((s) => s.socket.io === c1.manager) && c1.opens === 1,
      dynName,
      ids: { root: root.id, custom: custom.id, dyn: dyn.id, root2: root2.id, custom2: custom2.id },
      auth: { root: root.auth, custom: custom.auth, dyn: dyn.auth, root2: root2.auth, custom2: custom2.auth },
      refused: { random, dynBad },
      connectsReceived: c1.received.filter((p) => /^[04]/.test(p)),
      burst,
      rooms,
      sharedRoom,
      socketsPerNsp,
      broadcastAck,
      customAck,
      events: { root: drain(root), custom: drain(custom), dyn: drain(dyn), root2: drain(root2), custom2: drain(custom2) },
    });
  },

  // The CONNECT payload comes back as the `auth` event, byte for byte.
  async auth() {
    const c = connection("1");
    const payloads = {
      "/": { z: 1, a: { y: [1, "2", null, true, false, -0.5, 1e21], b: "\u00e9 \u2028 \"q\" \\" }, m: {} },
      "/custom": { token: "abc", list: [{ b: 2, a: 1 }] },
      "/auth": { token: "secret", extra: [] },
    };
    const dynName = randomDyn();
    const entries = await Promise.all([
      ...Object.entries(payloads).map(([nsp, auth]) => join(c, nsp, auth)),
      join(c, dynName),
    ]);
    const c2 = connection("2");
    const bare = await join(c2, "/");
    await Promise.all([c, c2].map(settle));
    // The pairs (CONNECT sent, auth event received) as the wire carried them.
    const wire = (conn, nsp) => {
      const prefix = nsp === "/" ? "" : `${nsp},`;
      const connect = conn.sent.find((p) => p.startsWith(`0${prefix}`) && (nsp !== "/" || !p.startsWith("0/")));
      const authEvent = conn.received.find((p) => p.startsWith(`2${prefix}["auth",`) && (nsp !== "/" || !p.startsWith("2/")));
      return { connect, authEvent };
    };
    Object.assign(result, {
      dynName,
      auth: Object.fromEntries(entries.map((e) => [e.nsp, e.auth])),
      bareAuth: bare.auth,
      wire: Object.fromEntries([...Object.keys(payloads), dynName].map((nsp) => [nsp, wire(c, nsp)])),
      bareWire: wire(c2, "/"),
    });
  },

  // `message` comes back as `message-back` on `/` only; `message-with-ack` is acknowledged with its arguments.
  async message() {
    const c = connection("1");
    const [root, custom] = await Promise.all([join(c, "/"), join(c, "/custom")]);
    const back = next(root.socket, "message-back", "message-back");
    root.socket.emit("message", 1, "2", { 3: [true] });
    const messageBack = (await back).map(plain);
    const emptyBack = next(root.socket, "message-back", "the second message-back");
    root.socket.emit("message");
    const messageBackEmpty = (await emptyBack).map(plain);
    const ackFirst = await ask(root, "message-with-ack", "only", 2);
    const ackAll = await askAll(root, "message-with-ack", 1, "2", { 3: [false] });
    const ackNone = await askAll(root, "message-with-ack");
    // /custom has no `message` handler: nothing comes back before the fence.
    custom.socket.emit("message", "ignored");
    custom.socket.emit("message-with-ack", "ignored", () => custom.events.push(["unexpected ack"]));
    await fence(custom);
    await fence(root);
    await settle(c);
    Object.assign(result, {
      messageBack,
      messageBackEmpty,
      ackFirst,
      ackAll,
      ackNone,
      messageBackWire: c.received.filter((p) => p.startsWith("2") && p.includes('"message-back"')),
      ackWire: c.received.filter((p) => /^3\d/.test(p)),
      rootEvents: drain(root),
      customEvents: drain(custom),
    });
  },

  // Acknowledgements both ways, with timeouts.
  async acks() {
    const c = connection("1");
    const root = await join(c, "/");
    const s = root.socket;
    // Client to server.
    const toServer = {
      emitWithAck: await ask(root, "message-with-ack", { a: [1, { b: "c" }] }),
      callback: await askAll(root, "message-with-ack", "x", 2, null),
      concurrent: await Promise.all(Array.from({ length: 10 }, (_, i) => ask(root, "message-with-ack", i))),
    };
    try {
      await s.timeout(300).emitWithAck("no-such-event", 1);
      toServer.unanswered = "answered";
    } catch (e) {
      toServer.unanswered = e.message;
    }
    // Server to client: the client's handlers answer (or not).
    const seen = [];
    s.on("ping-me", (...args) => {
      const ack = args.pop();
      seen.push(["ping-me", ...args.map(plain)]);
      ack("pong", 2);
    });
    s.on("no-args", (ack) => ack());
    let lateAck = null;
    s.on("ignore-me", (...args) => {
      lateAck = args.pop();
      seen.push(["ignore-me", ...args.map(plain)]);
    });
    // Two at once, the first answered last: each ack finds its own request.
    let releaseSlow;
    const slowGate = new Promise((r) => (releaseSlow = r));
    s.on("slow", async (ack) => {
      await slowGate;
      ack("slow answer");
    });
    s.on("fast", (ack) => {
      ack("fast answer");
      releaseSlow();
    });
    const toClient = {
      answered: await ask(root, "ctl:emit-with-ack", { event: "ping-me", args: ["x", { n: 1 }], timeoutMs: 3000 }),
      noArgs: await ask(root, "ctl:emit-with-ack", { event: "no-args", args: [], timeoutMs: 3000 }),
      crossed: await Promise.all([
        ask(root, "ctl:emit-with-ack", { event: "slow", args: [], timeoutMs: 3000 }),
        ask(root, "ctl:emit-with-ack", { event: "fast", args: [], timeoutMs: 3000 }),
      ]),
      timeout: await ask(root, "ctl:emit-with-ack", { event: "ignore-me", args: [7], timeoutMs: 300 }),
    };
    // A late answer is ignored by the server; the socket carries on.
    if (lateAck) lateAck("too late");
    toClient.afterLate = await fence(root);
    toClient.badTimeout = await ask(root, "ctl:emit-with-ack", { event: "ping-me", args: [], timeoutMs: 0 });
    toClient.noTimeout = await ask(root, "ctl:emit-with-ack", { event: "ping-me", args: [] });
    await fence(root);
    await settle(c);
    Object.assign(result, { toServer, toClient, seen, connected: s.connected, events: drain(root) });
  },

  // Buffers nested in events and acks stay binary, both ways.
  async binary() {
    const c = connection("1");
    const root = await join(c, "/");
    const s = root.socket;
    const all256 = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const back = next(s, "message-back", "message-back");
    s.emit("message", { a: [bin(1, 2, 3)] }, all256, "text");
    const messageBack = (await back).map(plain);
    const ack = await askAll(root, "message-with-ack", { x: { y: [bin(9)] } }, [bin(), bin(0xff, 0)]);
    // Server to client with $bin at depth; the client answers with binary too.
    s.on("bin-q", (...args) => {
      const reply = args.pop();
      reply({ echo: args[0].deep[0].b, list: [bin(7, 7)] }, bin(42));
    });
    const emitted = await ask(root, "ctl:emit-with-ack",
      { event: "bin-q", args: [{ deep: [{ b: b64(4, 5, 6) }] }, b64(1)], timeoutMs: 3000 });
    // A broadcast that includes the sender, with binary at depth.
    const broadcastAck = await ask(root, "ctl:broadcast",
      { event: "bin-news", args: [{ k: [[b64(0xca, 0xfe)]] }, "plain"], includeSelf: true });
    await fence(root);
    await settle(c);
    Object.assign(result, {
      messageBack,
      ack,
      emitted,
      broadcastAck,
      events: drain(root),
      binaryWire: c.received.filter((p) => /^[56]\d+-/.test(p)),
    });
  },

  // Rooms with four clients on four connections: to, except, all others, includeSelf, private messages.
  async rooms() {
    const names = ["A", "B", "C", "D"];
    const conns = names.map(connection);
    const clients = await Promise.all(conns.map((conn) => join(conn, "/")));
    const [A, B, C, D] = clients;
    const byName = Object.fromEntries(names.map((n, i) => [n, clients[i]]));
    const joins = {
      A: await ask(A, "ctl:join", "r1"),
      B: await ask(B, "ctl:join", ["r1", "r2"]),
      C: await ask(C, "ctl:join", "r2"),
      D: await ask(D, "ctl:rooms"),
    };
    const sockets = {
      r1: await ask(D, "ctl:sockets", { room: "r1" }),
      r2: await ask(A, "ctl:sockets", { room: "r2" }),
      all: await ask(C, "ctl:sockets", {}),
      none: await ask(B, "ctl:sockets", { room: "nobody" }),
    };
    // Each step: one broadcast, then every client fences, so what each got is complete.
    const steps = [];
    const step = async (label, sender, request, before) => {
      if (before) await before();
      const ack = await ask(byName[sender], "ctl:broadcast", { event: "news", args: [label], ...request });
      await Promise.all(clients.map(fence));
      const got = {};
      for (const n of names) got[n] = drain(byName[n]).map((e) => (e[0] === "news" && e.length === 2 ? e[1] : e));
      steps.push({ label, ack, got });
    };
    await step("to-r1", "A", { to: "r1" });
    await step("to-r1-r2", "A", { to: ["r1", "r2"] });
    await step("all-others", "A", {});
    await step("all-others-empty-to", "A", { to: [] });
    await step("except-r2", "A", { except: "r2" });
    await step("to-r1-r2-except-r1", "A", { to: ["r1", "r2"], except: ["r1"] });
    await step("to-r1-self", "A", { to: "r1", includeSelf: true });
    await step("all-self", "A", { includeSelf: true });
    await step("all-self-except-r1", "A", { includeSelf: true, except: "r1" });
    await step("private-to-C", "A", { to: C.id });
    await step("private-to-A", "D", { to: A.id });
    await step("private-to-self", "D", { to: D.id });
    await step("private-to-self-included", "D", { to: D.id, includeSelf: true });
    let leaveAck;
    await step("to-r1-after-B-left", "A", { to: "r1", includeSelf: true }, async () => {
      leaveAck = await ask(B, "ctl:leave", "r1");
    });
    await step("uncompressed-to-r2", "C", { to: "r2", compress: false, includeSelf: true });
    await step("bad-request", "A", { args: "not an array" });
    await Promise.all(conns.map(settle));
    Object.assign(result, {
      ids: Object.fromEntries(names.map((n) => [n, byName[n].id])),
      joins,
      leaveAck,
      sockets,
      steps,
    });
  },

  // ctl:broadcast-with-ack: every recipient's first ack argument, or a timeout with the partial answers.
  async "broadcast-ack"() {
    const names = ["A", "B", "C"];
    const conns = names.map(connection);
    const [A, B, C] = await Promise.all(conns.map((conn) => join(conn, "/")));
    await Promise.all([B, C].map((e) => ask(e, "ctl:join", "r")));
    let cAnswers = true;
    B.socket.on("q", (arg, ack) => ack(`b-answer-${arg}`, "ignored second argument"));
    C.socket.on("q", (arg, ack) => cAnswers && ack({ c: arg }));
    const all = await ask(A, "ctl:broadcast-with-ack", { event: "q", args: [1], to: "r", timeoutMs: 3000 });
    cAnswers = false;
    const partial = await ask(A, "ctl:broadcast-with-ack", { event: "q", args: [2], to: "r", timeoutMs: 1000 });
    const nobody = await ask(A, "ctl:broadcast-with-ack", { event: "q", args: [3], to: "empty", timeoutMs: 3000 });
    const bad = await ask(A, "ctl:broadcast-with-ack", { event: "q", args: [4], to: "r" });
    await Promise.all([A, B, C].map(fence));
    await Promise.all(conns.map(settle));
    Object.assign(result, {
      all,
      partial,
      nobody,
      bad,
      events: { A: drain(A), B: drain(B), C: drain(C) },
    });
  },

  // The /auth middleware refuses a bad token with data; the client retries on the same connection.
  async middleware() {
    const c = connection("1");
    const root = await join(c, "/");
    const engineId = c.manager.engine.id;
    const auth = socketOf(c, "/auth", { token: "nope" });
    const first = await refused(auth);
    auth.socket.auth = { token: 123 };
    auth.socket.connect();
    const second = await refused(auth);
    auth.socket.auth = { token: "secret" };
    auth.socket.connect();
    await joined(auth);
    const rooms = await ask(auth, "ctl:rooms");
    // With no payload at all, on a connection of its own.
    const c2 = connection("2");
    const bare = await refused(socketOf(c2, "/auth"));
    await fence(root);
    await settle(c);
    Object.assign(result, {
      first,
      second,
      bare,
      authId: auth.id,
      authEvent: auth.auth,
      rooms,
      connected: auth.socket.connected,
      sameConnection: c.manager.engine.id === engineId && c.opens === 1,
      refusalsWire: c.received.filter((p) => p.startsWith("4/auth,")),
    });
  },

  // ctl:disconnect {close:false}: only that namespace goes, with "io server disconnect".
  async "server-disconnect"() {
    const c = connection("1");
    const [root, custom] = await Promise.all([join(c, "/"), join(c, "/custom")]);
    const gone = next(custom.socket, "disconnect", "the disconnect of /custom");
    custom.socket.emit("ctl:disconnect", { close: false });
    const [reason] = await gone;
    const rootFence = await fence(root);
    const recorded = await ask(root, "ctl:last-disconnect", { sid: custom.id });
    // ctl:disconnect with the wrong shape is a bad request, and nothing happens.
    const bad = await ask(root, "ctl:disconnect", { close: "yes" });
    await fence(root);
    await settle(c);
    Object.assign(result, {
      reason,
      customDisconnects: custom.disconnects,
      customConnected: custom.socket.connected,
      rootConnected: root.socket.connected,
      rootDisconnects: root.disconnects,
      rootFence,
      recorded,
      bad,
      engineOpen: c.manager.engine.readyState,
      disconnectWire: c.received.filter((p) => p.startsWith("1")),
    });
  },

  // ctl:disconnect {close:true}: every namespace of the connection goes, then the connection.
  async "server-close"() {
    const dynName = randomDyn();
    const c = connection("1");
    const entries = await Promise.all([join(c, "/"), join(c, "/custom"), join(c, dynName)]);
    const observer = await join(connection("observer"), "/custom");
    await settle(c); // upgrade mode: close on WebSocket
    const gone = Promise.all(entries.map((e) => next(e.socket, "disconnect", `the disconnect of ${e.nsp}`)));
    const closed = next(c.manager, "close", "the close of the connection");
    entries[0].socket.emit("ctl:disconnect", { close: true });
    const reasons = (await gone).map(([reason]) => reason);
    await closed;
    const recorded = await Promise.all(entries.map((e) => ask(observer, "ctl:last-disconnect", { sid: e.id })));
    await settle(observer.conn);
    Object.assign(result, {
      dynName,
      namespaces: entries.map((e) => e.nsp),
      reasons,
      disconnects: entries.map((e) => e.disconnects),
      recorded,
      engineState: c.manager.engine.readyState,
      disconnectWire: c.received.filter((p) => p.startsWith("1")),
    });
  },

  // socket.disconnect() by the client: "io client disconnect" here, "client namespace disconnect" there.
  async "client-disconnect"() {
    const dynName = randomDyn();
    const c = connection("1");
    const [root, custom] = await Promise.all([join(c, "/"), join(c, "/custom")]);
    const observer = await join(connection("observer"), dynName);
    await settle(c);
    custom.socket.disconnect();
    const customReasons = [...custom.disconnects];
    // On the same connection, after the DISCONNECT packet: the server has recorded it.
    const sameConnection = await ask(root, "ctl:last-disconnect", { sid: custom.id });
    // From another connection and namespace.
    const otherConnection = await ask(observer, "ctl:last-disconnect", { sid: custom.id });
    const unknown = await ask(observer, "ctl:last-disconnect", { sid: "no-such-socket" });
    const stillConnected = await ask(root, "ctl:rooms");
    // Then `/` leaves too, while /custom is gone: the server records it the same way.
    root.socket.disconnect();
    const rootRecorded = await within((async () => {
      // The connection closes with its last namespace; the observer asks until the record is there.
      for (;;) {
        const r = await ask(observer, "ctl:last-disconnect", { sid: root.id });
        if (r !== null) return r;
        await fence(observer);
      }
    })(), "the record of the disconnect of /");
    await settle(observer.conn);
    Object.assign(result, {
      dynName,
      customReasons,
      rootReasons: root.disconnects,
      sameConnection,
      otherConnection,
      unknown,
      stillConnected,
      rootId: root.id,
      rootRecorded,
      sentWire: c.sent.filter((p) => p.startsWith("1")),
    });
  },
};

// ---- main ------------------------------------------------------------------------------------------------------

const run = SCENARIOS[scenario];
if (!run) {
  console.error(`unknown scenario '${scenario}' (${Object.keys(SCENARIOS).join(", ")})`);
  process.exit(2);
}
// A last resort: the per-wait timeouts normally report first.
setTimeout(() => {
  result.errors.push("the scenario did not finish within 60 s");
  print();
  process.exit(0);
}, 60000).unref();

try {
  await run();
} catch (e) {
  result.errors.push(e && e.stack ? e.stack : String(e));
}
for (const conn of managers) {
  result.transports.push({
    label: conn.label,
    open: conn.openTransport ?? null,
    upgraded: conn.upgraded,
    final: conn.finalTransport ?? null,
  });
}
print();
// Leave cleanly: disconnect every socket (the connections close with their last socket), then let
// the process end on its own once the last requests are through.
for (const conn of managers) {
  for (const socket of Object.values(conn.manager.nsps)) socket.disconnect();
  conn.manager.engine.close();
}
setTimeout(() => process.exit(0), 2000).unref();
