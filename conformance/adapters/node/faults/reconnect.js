// Faults of reconnection, multiplexing, the socket's life cycle and connection state recovery
// (client/reconnect, client/multiplex, client/lifecycle, client/csr). Each patches
// socket.io-client in this process; `cases` are the cases of those areas that FAIL with it, every
// other case of their areas still passing.
"use strict";

module.exports = [
  {
    name: "reconnect-after-server-disconnect",
    description: "a DISCONNECT from the server leaves the socket active and closes the Engine.IO " +
      "session, so the manager reconnects and the namespace is CONNECTed again",
    cases: ["client/reconnect/6", "client/reconnect/7"],
    apply({ Socket }) {
      Socket.prototype.ondisconnect = function () {
        this.onclose("io server disconnect");  // without destroy(): still subscribed, still active
        if (this.io.engine) this.io.engine.close();  // the manager sees a lost connection
      };
    },
  },
  {
    name: "no-reconnect-connect",
    description: "after a reconnection no namespace is CONNECTed again (the sockets ignore the " +
      "manager's open while it is reconnecting)",
    cases: ["client/reconnect/1", "client/reconnect/7", "client/csr/1", "client/csr/2", "client/csr/3"],
    apply({ Socket }) {
      const onopen = Socket.prototype.onopen;
      Socket.prototype.onopen = function (...args) {
        if (this.io._reconnecting) return;
        return onopen.apply(this, args);
      };
    },
  },
  {
    name: "reconnect-only-root",
    description: "after a reconnection only the main namespace / is CONNECTed again",
    cases: ["client/reconnect/1", "client/reconnect/7"],
    apply({ Socket }) {
      const onopen = Socket.prototype.onopen;
      Socket.prototype.onopen = function (...args) {
        if (this.io._reconnecting && this.nsp !== "/") return;
        return onopen.apply(this, args);
      };
    },
  },
  {
    name: "ignore-reconnection-attempts",
    description: "reconnectionAttempts is ignored: the manager tries forever",
    cases: ["client/reconnect/4"],
    apply({ Manager }) {
      Manager.prototype.reconnectionAttempts = function (v) {
        if (v === undefined) return this._reconnectionAttempts;
        this._reconnectionAttempts = Infinity;
        return this;
      };
    },
  },
  {
    name: "ignore-reconnection-false",
    description: "reconnection: false is ignored: a lost connection is retried",
    cases: ["client/reconnect/5"],
    apply({ Manager }) {
      Manager.prototype.reconnection = function (v) {
        if (!arguments.length) return this._reconnection;
        this._reconnection = true;
        return this;
      };
    },
  },
  {
    name: "last-disconnect-keeps-session",
    description: "when the last namespace is disconnected (by the client or by the server) the " +
      "Engine.IO session stays open",
    cases: ["client/reconnect/6", "client/reconnect/8", "client/multiplex/6"],
    apply({ Manager }) {
      Manager.prototype._destroy = function () {};
    },
  },
  {
    name: "disconnect-closes-engine",
    description: "disconnecting one namespace (by the client or by the server) closes the whole " +
      "Engine.IO session, whatever other namespaces still use it",
    cases: ["client/reconnect/7", "client/multiplex/5", "client/multiplex/6"],
    apply({ Manager }) {
      Manager.prototype._destroy = function () {
        this._close();
      };
    },
  },
  {
    name: "no-implicit-multiplexing",
    description: "every io() for a new namespace of a URL already in use opens a session of its own " +
      "(the managers' cache is bypassed); explicit managers still share",
    cases: ["client/multiplex/1"],
    apply({ Manager }) {
      const socket = Manager.prototype.socket;
      Manager.prototype.socket = function (nsp, opts) {
        // io() passes its whole options (path included); the adapter's explicit managers do not.
        const fromIo = opts && opts.path !== undefined;
        if (fromIo && Object.keys(this.nsps).length && !(nsp in this.nsps))
          return socket.call(new Manager(this.uri, opts), nsp, opts);
        return socket.call(this, nsp, opts);
      };
    },
  },
  {
    name: "manager-not-shared",
    description: "an explicit manager opens a session of its own for each namespace made from it",
    cases: ["client/multiplex/4", "client/multiplex/5", "client/multiplex/6"],
    apply({ Manager }) {
      const socket = Manager.prototype.socket;
      Manager.prototype.socket = function (nsp, opts) {
        // The adapter's explicit managers pass no path (io() passes its whole options).
        const explicit = !opts || opts.path === undefined;
        if (explicit && Object.keys(this.nsps).length && !(nsp in this.nsps))
          return socket.call(new Manager(this.uri, { ...this.opts, autoConnect: false }), nsp, opts);
        return socket.call(this, nsp, opts);
      };
    },
  },
  {
    name: "auto-connect-ignored",
    description: "autoConnect: false is ignored: managers open and sockets connect as soon as " +
      "they are made",
    cases: ["client/lifecycle/1", "client/lifecycle/2"],
    apply({ Manager }) {
      Object.defineProperty(Manager.prototype, "_autoConnect", {
        configurable: true,
        get() {
          return true;
        },
        set() {},
      });
    },
  },
  {
    name: "csr-pid-not-sent",
    description: "the CONNECT after a reconnection carries only the auth payload, without the pid " +
      "and offset of connection state recovery",
    cases: ["client/csr/1"],
    apply({ Socket, parser }) {
      Socket.prototype._sendConnectPacket = function (data) {
        this.packet({ type: parser.PacketType.CONNECT, data });
      };
    },
  },
  {
    name: "csr-recovered-always",
    description: "a connection is reported as recovered whenever the server's reply has a pid, " +
      "even a new one",
    cases: ["client/csr/2"],
    apply({ Socket }) {
      const onconnect = Socket.prototype.onconnect;
      Socket.prototype.onconnect = function (id, pid) {
        this._pid = pid;  // so that the check `pid && this._pid === pid` always holds
        return onconnect.call(this, id, pid);
      };
    },
  },
];
