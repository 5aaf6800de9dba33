#!/usr/bin/env node
// The client adapter (conformance/CLIENT-ADAPTER.md, contract v1) for socket.io-client on Node:
// commands on stdin become calls of socket.io-client, what it reports becomes events on stdout.
//
//   siocheck conform --client -- node conformance/adapters/node/adapter.js [--fault NAME]...
//   node conformance/adapters/node/adapter.js --list-faults
//
// --fault NAME breaks one rule of socket.io-client (faults.js): the catalogue that proves that
// the client cases can fail.
//
// Disconnect reasons are socket.io-client's own, which are the canonical ones, except "forced
// close" and "forced server close" (-> other).
"use strict";

const path = require("node:path");
const readline = require("node:readline");
const { io, Manager } = require("socket.io-client");

const faults = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === "--fault" && i + 1 < process.argv.length) faults.push(process.argv[++i]);
  else if (process.argv[i] === "--list-faults") {
    process.stdout.write(JSON.stringify(require("./faults.js").list(), null, 1) + "\n");
    process.exit(0);
  } else {
    process.stderr.write(`adapter.js: unknown argument ${process.argv[i]} (usage: adapter.js [--fault NAME]... | --list-faults)\n`);
    process.exit(2);
  }
}
if (faults.length) require("./faults.js").apply(faults);

const FEATURES = [
  "polling", "websocket", "ws_only", "upgrade", "upgrade_option", "query", "binary", "acks_out", "acks_in",
  "ack_timeout", "retries", "offline_buffer", "volatile", "multiplex_implicit", "manager_api",
  "auto_connect_option", "reconnection", "reconnection_params", "reconnect_events", "disconnect_reasons",
  "connect_error_data", "auth_function", "csr", "numeric_event_names",
];
const CANONICAL = new Set(["io server disconnect", "io client disconnect", "ping timeout", "transport close",
  "transport error", "parse error"]);
const OPTIONS = new Set(["transports", "upgrade", "query", "forceNew", "multiplex", "autoConnect", "reconnection",
  "reconnectionAttempts", "reconnectionDelay", "reconnectionDelayMax", "randomizationFactor", "timeout",
  "ackTimeout", "retries"]);

const started = Date.now();
const out = (event) => process.stdout.write(JSON.stringify({ ...event, t: Date.now() - started }) + "\n");

// {"$bin": base64} <-> Buffer, at any depth.
const fromJson = (v) => {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bin" && typeof v.$bin === "string") return Buffer.from(v.$bin, "base64");
    return Object.fromEntries(keys.map((k) => [k, fromJson(v[k])]));
  }
  return v;
};
const toJson = (v) => {
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v))
    return { $bin: Buffer.from(v instanceof ArrayBuffer ? new Uint8Array(v) : v).toString("base64") };
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).map((k) => [k, toJson(v[k])]));
  return v === undefined ? null : v;
};

const sockets = new Map();   // id -> socket
const managers = new Map();  // name -> Manager
const replies = new Map();   // id -> the args to ack the server's events with
// Sockets made with ackTimeout or retries: socket.io-client calls their ack callbacks error-first.
const errorFirst = new Set();

// Options siocheck names, checked; null (after an `unsupported` line) when one is unknown.
function options(cmd) {
  const opts = { ...(cmd.opts || {}) };
  for (const key of Object.keys(opts)) {
    if (!OPTIONS.has(key)) {
      out({ ev: "unsupported", cmd: cmd.cmd, what: key });
      return null;
    }
  }
  if (cmd.path) opts.path = cmd.path;
  return opts;
}

function reconnectEvents(manager, name) {
  manager.on("reconnect_attempt", (attempt) => out({ ev: "reconnect_attempt", ...name, attempt }));
  manager.on("reconnect", (attempt) => out({ ev: "reconnect", ...name, attempt }));
  manager.on("reconnect_error", (error) => out({ ev: "reconnect_error", ...name, message: String(error && error.message) }));
  manager.on("reconnect_failed", () => out({ ev: "reconnect_failed", ...name }));
}

function watch(id, socket) {
  socket.on("connect", () => out({ ev: "connect", id, sid: socket.id, recovered: !!socket.recovered }));
  socket.on("connect_error", (error) =>
    out({ ev: "connect_error", id, message: String(error && error.message), data: toJson(error && error.data) ?? null,
      active: socket.active }));
  socket.on("disconnect", (reason) =>
    out({ ev: "disconnect", id, reason: CANONICAL.has(reason) ? reason : "other", reason_raw: reason,
      active: socket.active }));
  socket.onAny((event, ...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    out({ ev: "event", id, event, args: toJson(args), ack_requested: !!ack });
    if (ack) ack(...(replies.has(id) ? fromJson(replies.get(id)) : args));
  });
}

const handlers = {
  manager(cmd) {
    const opts = options(cmd);
    if (!opts) return;
    const manager = new Manager(cmd.url, { autoConnect: false, ...opts });
    reconnectEvents(manager, { manager: cmd.manager });
    managers.set(cmd.manager, manager);
  },
  manager_open(cmd) {
    managers.get(cmd.manager).open();
  },
  connect(cmd) {
    const opts = options(cmd);
    if (!opts) return;
    const auth = cmd.auth === undefined ? undefined : fromJson(cmd.auth);
    let socket;
    if (cmd.manager !== undefined) {
      const manager = managers.get(cmd.manager);
      if (!manager) return out({ ev: "adapter_error", message: `no manager ${cmd.manager}` });
      socket = manager.socket(cmd.nsp || "/", auth === undefined ? {} : { auth });
      if (opts.autoConnect !== false) socket.connect();
    } else {
      const nsp = cmd.nsp && cmd.nsp !== "/" ? cmd.nsp : "";
      socket = io(cmd.url + nsp, { ...opts, ...(auth === undefined ? {} : { auth }) });
      reconnectEvents(socket.io, { id: cmd.id });
    }
    sockets.set(cmd.id, socket);
    if (cmd.manager === undefined && (opts.ackTimeout !== undefined || opts.retries)) errorFirst.add(cmd.id);
    watch(cmd.id, socket);
  },
  socket_connect(cmd) {
    sockets.get(cmd.id).connect();
  },
  emit(cmd) {
    let target = sockets.get(cmd.id);
    if (cmd.volatile) target = target.volatile;
    if (cmd.timeout_ms !== undefined) target = target.timeout(cmd.timeout_ms);
    const args = fromJson(cmd.args || []);
    if (!cmd.ack) return void target.emit(cmd.event, ...args);
    const seq = cmd.seq;
    if (cmd.timeout_ms !== undefined || errorFirst.has(cmd.id)) {
      target.emit(cmd.event, ...args, (error, ...reply) => {
        if (error) out({ ev: "ack_error", id: cmd.id, seq, message: ackError(error) });
        else out({ ev: "ack", id: cmd.id, seq, args: toJson(reply) });
      });
    } else {
      target.emit(cmd.event, ...args, (...reply) => out({ ev: "ack", id: cmd.id, seq, args: toJson(reply) }));
    }
  },
  ack_reply(cmd) {
    replies.set(cmd.id, cmd.args || []);
  },
  disconnect(cmd) {
    sockets.get(cmd.id).disconnect();
  },
  sync(cmd) {
    out({ ev: "sync", seq: cmd.seq });
  },
  exit() {
    finish();
  },
};

function ackError(error) {
  const message = String(error && error.message);
  if (message === "operation has timed out") return "timeout";
  if (message === "socket has been disconnected") return "disconnected";
  return message;
}

function finish() {
  for (const socket of sockets.values()) socket.disconnect();
  for (const manager of managers.values()) manager._close && manager._close();
  process.exit(0);
}

const version = require(path.join(path.dirname(require.resolve("socket.io-client")), "..", "..", "package.json")).version;
out({ ev: "ready", impl: "socket.io-client", version, features: FEATURES, faults });

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (error) {
    return out({ ev: "adapter_error", message: `not JSON: ${line.slice(0, 200)}` });
  }
  const handler = handlers[cmd.cmd];
  if (!handler) return out({ ev: "unsupported", cmd: cmd.cmd, what: cmd.cmd });
  try {
    handler(cmd);
  } catch (error) {
    out({ ev: "adapter_error", message: `${cmd.cmd}: ${error && error.stack}` });
  }
}).on("close", finish);
process.on("SIGTERM", () => process.exit(0));
