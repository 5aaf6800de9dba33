// Engine.IO faults of the client: the handshake, the heartbeat, long-polling and the upgrade
// (client/handshake, client/heartbeat, client/polling, client/upgrade). Each patches
// engine.io-client (or socket.io-client's Manager) in this process; see ../faults.js.
// A broken SHOULD makes its case NON-STRICT, never FAIL, so no fault here names one
// (client/handshake/4, heartbeat/5, polling/4, upgrade/3, upgrade/7).
"use strict";

// Replaces proto[name] by make(original); the original stays callable with the same `this`.
function wrap(proto, name, make) {
  proto[name] = make(proto[name]);
}

const isBinary = (data) => Buffer.isBuffer(data) || data instanceof ArrayBuffer || ArrayBuffer.isView(data);
const base64 = (data) => Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString("base64");

// Polling.write as engine.io-client has it, with the payload's text passed through `edit`.
function writeWith(Polling, eioParser, edit) {
  Polling.prototype.write = function (packets) {
    this.writable = false;
    eioParser.encodePayload(packets, (data) => {
      this.doWrite(edit(data, packets), () => {
        this.writable = true;
        this.emitReserved("drain");
      });
    });
  };
}

module.exports = [
  // ---- client/handshake ----
  {
    name: "empty-sid-on-handshake",
    description: "the handshake request carries an empty sid= parameter",
    cases: ["client/handshake/1"],
    apply({ Polling }) {
      wrap(Polling.prototype, "uri", (original) => function () {
        if (this.query.sid !== undefined) return original.call(this);
        this.query.sid = "";
        const uri = original.call(this);
        delete this.query.sid;
        return uri;
      });
    },
  },
  {
    name: "websocket-only-probes",
    description: "a WebSocket-only connection still sends 2probe after the open packet, as if it were upgrading",
    cases: ["client/handshake/3"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "onOpen", (original) => function () {
        original.call(this);
        if (this.readyState === "open" && this.transport.name === "websocket")
          this.transport.send([{ type: "ping", data: "probe" }]);
      });
    },
  },
  {
    name: "no-retry-after-failed-handshake",
    description: "a failed first handshake is final: the Manager reconnects only after a lost connection",
    cases: ["client/handshake/8"],
    apply({ Manager }) {
      Manager.prototype.maybeReconnectOnOpen = function () {};
    },
  },

  // ---- client/heartbeat ----
  {
    name: "late-pong",
    description: "the pong goes out pingTimeout + 100 ms after its ping, too late for the server",
    cases: ["client/heartbeat/1", "client/heartbeat/2", "client/heartbeat/4"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "_sendPacket", (original) => function (type, ...rest) {
        if (type !== "pong") return original.call(this, type, ...rest);
        this.setTimeoutFn(() => original.call(this, type, ...rest), this._pingTimeout + 100);
      });
    },
  },
  {
    name: "client-pings",
    description: "the client pings the server every pingInterval, as an Engine.IO v3 client did",
    cases: ["client/heartbeat/3"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "onHandshake", (original) => function (data) {
        original.call(this, data);
        const tick = () => {
          if (this.readyState !== "open") return;
          this._sendPacket("ping");
          this.setTimeoutFn(tick, this._pingInterval);
        };
        this.setTimeoutFn(tick, this._pingInterval);
      });
    },
  },
  {
    name: "no-reconnect-after-ping-timeout",
    description: "a ping timeout ends the connection for good: the Manager does not reconnect after it",
    cases: ["client/heartbeat/7"],
    apply({ Manager }) {
      wrap(Manager.prototype, "onclose", (original) => function (reason, description) {
        if (reason !== "ping timeout") return original.call(this, reason, description);
        const skip = this.skipReconnect;
        this.skipReconnect = true;
        original.call(this, reason, description);
        this.skipReconnect = skip;
      });
    },
  },

  // ---- client/polling ----
  {
    name: "second-get-after-700ms",
    description: "a GET held over 700 ms gets a second GET beside it (a request timeout that retries without aborting)",
    cases: ["client/polling/1"],
    apply({ Polling }) {
      wrap(Polling.prototype, "_poll", (original) => function () {
        original.call(this);
        const held = this.pollXhr;
        this.setTimeoutFn(() => {
          if (this.readyState === "open" && this._polling && this.pollXhr === held) this.doPoll();
        }, 700);
      });
    },
  },
  {
    name: "post-timeout-150ms",
    description: "a POST unanswered after 150 ms counts as done: the next POST goes out beside it",
    cases: ["client/polling/2"],
    apply({ Polling, eioParser }) {
      Polling.prototype.write = function (packets) {
        this.writable = false;
        eioParser.encodePayload(packets, (data) => {
          let done = false;
          const drain = () => {
            if (done) return;
            done = true;
            this.writable = true;
            this.emitReserved("drain");
          };
          this.doWrite(data, drain);
          this.setTimeoutFn(drain, 150);
        });
      };
    },
  },
  {
    name: "trailing-separator",
    description: "a POST of several packets ends with the record separator \\x1e, an empty last record",
    cases: ["client/polling/3"],
    apply({ Polling, eioParser }) {
      writeWith(Polling, eioParser, (data, packets) => (packets.length > 1 ? data + "\x1e" : data));
    },
  },
  {
    name: "post-error-ignored",
    description: "a POST answered with an HTTP error (413 included) counts as delivered: the session goes on",
    cases: ["client/polling/5"],
    apply({ eio }) {
      eio.transports.polling.prototype.doWrite = function (data, fn) {
        const req = this.request({ method: "POST", data });
        req.on("success", fn);
        req.on("error", () => fn());
      };
    },
  },
  {
    name: "binary-base64-without-b",
    description: "binary packets in a POST are base64 without the b prefix",
    cases: ["client/polling/6"],
    apply({ Polling, eioParser }) {
      Polling.prototype.write = function (packets) {
        this.writable = false;
        const records = [];
        for (const packet of packets) {
          if (isBinary(packet.data)) records.push(base64(packet.data));
          else eioParser.encodePacket(packet, false, (encoded) => records.push(encoded));
        }
        this.doWrite(records.join("\x1e"), () => {
          this.writable = true;
          this.emitReserved("drain");
        });
      };
    },
  },
  {
    name: "b-records-as-text",
    description: "a b+base64 record in a GET response is taken for a text message (its base64 as a string)",
    cases: ["client/polling/7"],
    apply({ eioParser }) {
      eioParser.decodePayload = (payload, binaryType) =>
        payload.split("\x1e").map((record) =>
          record.startsWith("b")
            ? { type: "message", data: record.slice(1) }
            : eioParser.decodePacket(record, binaryType));
    },
  },
  {
    name: "payload-cut-at-32-packets",
    description: "only the first 32 packets of a GET response are delivered, the rest are dropped",
    cases: ["client/polling/8"],
    apply({ eioParser }) {
      const original = eioParser.decodePayload;
      eioParser.decodePayload = (payload, binaryType) => original(payload, binaryType).slice(0, 32);
    },
  },
  {
    name: "utf8-double-encoded",
    description: "POST bodies are UTF-8 encoded twice (their UTF-8 bytes taken for Latin-1 characters)",
    cases: ["client/polling/9"],
    apply({ eio }) {
      wrap(eio.transports.polling.prototype, "doWrite", (original) => function (data, fn) {
        return original.call(this, Buffer.from(data, "utf8").toString("latin1"), fn);
      });
    },
  },
  {
    name: "close-packet-ignored",
    description: "a close packet (1) in a GET response is ignored: the client polls on",
    cases: ["client/polling/10"],
    apply({ eioParser }) {
      const original = eioParser.decodePayload;
      eioParser.decodePayload = (payload, binaryType) =>
        original(payload, binaryType).filter((packet) => packet.type !== "close");
    },
  },
  {
    name: "noop-is-an-error",
    description: "a noop outside an upgrade is taken for a protocol error and ends the session",
    cases: ["client/polling/11"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "_probe", (original) => function (name) {
        this.probed = true;
        return original.call(this, name);
      });
      wrap(EioSocket.prototype, "_onPacket", (original) => function (packet) {
        if (packet.type === "noop" && !this.probed && this.readyState === "open")
          return this._onError(new Error("unexpected noop"));
        return original.call(this, packet);
      });
    },
  },

  // ---- client/upgrade ----
  {
    name: "upgrade-packet-with-data",
    description: "the upgrade packet is 5probe, not 5",
    cases: ["client/upgrade/1"],
    apply({ WS }) {
      wrap(WS.prototype, "write", (original) => function (packets) {
        return original.call(this, packets.map((p) => (p.type === "upgrade" ? { ...p, data: "probe" } : p)));
      });
    },
  },
  {
    name: "polls-during-upgrade",
    description: "after the paused GET returns, the client sends one more GET, then 5 100 ms later with that GET open",
    cases: ["client/upgrade/2"],
    apply({ Polling }) {
      wrap(Polling.prototype, "pause", (original) => function (onPause) {
        original.call(this, () => {
          // What that GET brings is still delivered: only the order of 5 and the GET is wrong.
          const socket = this.socket;
          this.onPacket = (packet) => socket._onPacket(packet);
          this.readyState = "open";
          this._poll();
          this.readyState = "paused";
          this.setTimeoutFn(onPause, 100);
        });
      });
    },
  },
  {
    name: "polls-after-upgrade",
    description: "the polling transport sends one more GET 50 ms after the upgrade",
    cases: ["client/upgrade/4"],
    apply({ Polling }) {
      wrap(Polling.prototype, "pause", (original) => function (onPause) {
        original.call(this, () => {
          onPause();
          this.setTimeoutFn(() => {
            this.readyState = "open";
            this._poll();
          }, 50);
        });
      });
    },
  },
  {
    name: "resends-last-post-after-upgrade",
    description: "after the upgrade the client sends the events of its last POST once more, on the WebSocket",
    cases: ["client/upgrade/5"],
    apply({ EioSocket, Polling }) {
      wrap(Polling.prototype, "write", (original) => function (packets) {
        this.lastWritten = packets.slice();
        return original.call(this, packets);
      });
      wrap(EioSocket.prototype, "onOpen", (original) => function () {
        const polling = this.transport;
        this.once("upgrade", () => {
          const events = (polling.lastWritten || []).filter(
            (packet) => packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith("2"));
          this.writeBuffer.unshift(...events);
        });
        original.call(this);
      });
    },
  },
  {
    name: "loses-first-events-after-upgrade",
    description: "the first three events that reach the client after the upgrade are lost",
    cases: ["client/upgrade/6"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "onOpen", (original) => function () {
        this.once("upgrade", () => (this.eventsToLose = 3));
        original.call(this);
      });
      wrap(EioSocket.prototype, "_onPacket", (original) => function (packet) {
        const event = packet.type === "message" && typeof packet.data === "string" && packet.data.startsWith("2");
        if (event && this.eventsToLose > 0) return void this.eventsToLose--;
        return original.call(this, packet);
      });
    },
  },
  {
    name: "ignores-upgrade-false",
    description: "the client's upgrade: false is ignored: it probes the WebSocket anyway",
    cases: ["client/upgrade/8"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "onOpen", (original) => function () {
        this.opts.upgrade = true;
        original.call(this);
      });
    },
  },
  {
    name: "second-websocket-after-upgrade",
    description: "after the upgrade the client opens another WebSocket with the same sid",
    cases: ["client/upgrade/9"],
    apply({ EioSocket }) {
      wrap(EioSocket.prototype, "onOpen", (original) => function () {
        original.call(this);
        if (this._upgrades.includes("websocket") && this.opts.upgrade)
          this.once("upgrade", () => this._probe("websocket"));
      });
    },
  },
];
