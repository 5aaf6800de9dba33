// The page half of the browser adapter (adapter.js): socket.io-client's browser bundle
// (socket.io.min.js, loaded before this script, defines `io`) driven by the commands of
// conformance/CLIENT-ADAPTER.md, as conformance/adapters/node/adapter.js does on Node.
//
// adapter.js hands each command line to window.__siocheck.command(line) (playwright's
// page.evaluate) and receives every event through window.__siocheckOut(json) (page.exposeFunction),
// in order; it prints its ready line once window.__siocheck.hello() and that function are there.
// Binary values are Uint8Array going out and whatever the client gives back (ArrayBuffer) coming
// in, {"$bin": base64} on the lines.
//
// Disconnect reasons are socket.io-client's own, which are the canonical ones, except "forced
// close" and "forced server close" (-> other).
"use strict";

(() => {
  const CANONICAL = new Set(["io server disconnect", "io client disconnect", "ping timeout", "transport close",
    "transport error", "parse error"]);
  const OPTIONS = new Set(["transports", "upgrade", "query", "forceNew", "multiplex", "autoConnect", "reconnection",
    "reconnectionAttempts", "reconnectionDelay", "reconnectionDelayMax", "randomizationFactor", "timeout",
    "ackTimeout", "retries"]);

  // window.__siocheckOut is playwright's (exposed before this script runs), looked up at every call.
  const out = (event) => window.__siocheckOut(JSON.stringify(event));
  // Our own callbacks never throw into socket.io-client: a bug of ours is an adapter_error, and
  // an uncaught exception in the page is then always the library's.
  const guarded = (what, fn) => (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      out({ ev: "adapter_error", message: `${what}: ${error && error.stack}` });
    }
  };

  const toBase64 = (bytes) => {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromBase64 = (text) => {
    const s = atob(text);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return bytes;
  };

  // {"$bin": base64} <-> Uint8Array / ArrayBuffer, at any depth.
  const fromJson = (v) => {
    if (Array.isArray(v)) return v.map(fromJson);
    if (v && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === "$bin" && typeof v.$bin === "string") return fromBase64(v.$bin);
      return Object.fromEntries(keys.map((k) => [k, fromJson(v[k])]));
    }
    return v;
  };
  const toJson = (v) => {
    if (v instanceof ArrayBuffer) return { $bin: toBase64(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) return { $bin: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
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
    manager.on("reconnect_attempt", guarded("reconnect_attempt", (attempt) => out({ ev: "reconnect_attempt", ...name, attempt })));
    manager.on("reconnect", guarded("reconnect", (attempt) => out({ ev: "reconnect", ...name, attempt })));
    manager.on("reconnect_error", guarded("reconnect_error", (error) =>
      out({ ev: "reconnect_error", ...name, message: String(error && error.message) })));
    manager.on("reconnect_failed", guarded("reconnect_failed", () => out({ ev: "reconnect_failed", ...name })));
  }

  function watch(id, socket) {
    socket.on("connect", guarded("connect", () => out({ ev: "connect", id, sid: socket.id, recovered: !!socket.recovered })));
    socket.on("connect_error", guarded("connect_error", (error) =>
      out({ ev: "connect_error", id, message: String(error && error.message), data: toJson(error && error.data) ?? null,
        active: socket.active })));
    socket.on("disconnect", guarded("disconnect", (reason) =>
      out({ ev: "disconnect", id, reason: CANONICAL.has(reason) ? reason : "other", reason_raw: reason,
        active: socket.active })));
    socket.onAny(guarded("event", (event, ...args) => {
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
      out({ ev: "event", id, event, args: toJson(args), ack_requested: !!ack });
      if (ack) ack(...(replies.has(id) ? fromJson(replies.get(id)) : args));
    }));
  }

  function ackError(error) {
    const message = String(error && error.message);
    if (message === "operation has timed out") return "timeout";
    if (message === "socket has been disconnected") return "disconnected";
    return message;
  }

  const handlers = {
    manager(cmd) {
      const opts = options(cmd);
      if (!opts) return;
      const manager = new io.Manager(cmd.url, { autoConnect: false, ...opts });
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
        target.emit(cmd.event, ...args, guarded("ack", (error, ...reply) => {
          if (error) out({ ev: "ack_error", id: cmd.id, seq, message: ackError(error) });
          else out({ ev: "ack", id: cmd.id, seq, args: toJson(reply) });
        }));
      } else {
        target.emit(cmd.event, ...args, guarded("ack", (...reply) => out({ ev: "ack", id: cmd.id, seq, args: toJson(reply) })));
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
  };

  window.__siocheck = {
    // One command line of siocheck's (adapter.js handles `exit` itself).
    command(line) {
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
    },
    // What adapter.js checks before its ready line.
    hello() {
      return { io: typeof io === "function" && typeof io.Manager === "function", visibility: document.visibilityState };
    },
    // Before the browser goes: every socket and manager closed, as the Node adapter does.
    finish() {
      for (const socket of sockets.values()) socket.disconnect();
      for (const manager of managers.values()) manager.disconnect();
    },
  };
})();
