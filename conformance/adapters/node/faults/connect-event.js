// Faults of WebSocket framing, namespace connections and events (client/ws, client/connect,
// client/event). Each patches socket.io-client (or the engine.io-client and socket.io-parser it
// uses) in this process; `cases` are the cases of those areas that FAIL with it, every other case
// of their areas still passing. A broken SHOULD makes its case NON-STRICT, never FAIL, so no fault
// here names one (client/connect/6, connect/11, event/4, event/8).
"use strict";

// Replaces proto[name] by make(original); the original stays callable with the same `this`.
function wrap(proto, name, make) {
  proto[name] = make(proto[name]);
}

const isBinary = (data) => Buffer.isBuffer(data) || data instanceof ArrayBuffer || ArrayBuffer.isView(data);

module.exports = [
  // ---- client/ws ----
  {
    name: "websocket-packets-joined",
    description: "on WebSocket, packets written together go in one text frame joined by \\x1e, as a " +
      "polling payload (the transport drains 50 ms after each frame, so quick emits pile up)",
    cases: ["client/ws/1"],
    apply({ WS, eioParser }) {
      wrap(WS.prototype, "write", (original) => function (packets) {
        if (packets.some((p) => isBinary(p.data))) return original.call(this, packets);
        this.writable = false;
        const frames = [];
        for (const packet of packets) eioParser.encodePacket(packet, this.supportsBinary, (data) => frames.push(data));
        try {
          this.doWrite(packets[0], frames.join("\x1e"));
        } catch (e) {
          // closed meanwhile, as the original ignores it
        }
        this.setTimeoutFn(() => {
          this.writable = true;
          this.emitReserved("drain");
        }, 50);
      });
    },
  },
  {
    name: "websocket-binary-as-base64",
    description: "on WebSocket, attachments go as b+base64 text frames instead of binary frames",
    cases: ["client/ws/2"],
    apply({ WS }) {
      wrap(WS.prototype, "write", (original) => function (packets) {
        this.supportsBinary = false;
        return original.call(this, packets);
      });
    },
  },
  {
    name: "placeholders-from-one",
    description: "the placeholders of a binary packet are numbered from 1 instead of 0",
    cases: ["client/ws/2", "client/event/10"],
    apply({ parser }) {
      wrap(parser.Encoder.prototype, "encodeAsBinary", (original) => function (obj) {
        const out = original.call(this, obj);
        out[0] = out[0].replace(/"_placeholder":true,"num":(\d+)/g,
          (_, n) => `"_placeholder":true,"num":${Number(n) + 1}`);
        return out;
      });
    },
  },

  {
    name: "websocket-close-is-final",
    description: "a WebSocket closed by the server (transport close) ends the connection for good: the " +
      "manager does not reconnect after it",
    cases: ["client/ws/4"],
    apply({ Manager }) {
      wrap(Manager.prototype, "onclose", (original) => function (reason, description) {
        if (reason !== "transport close") return original.call(this, reason, description);
        const skip = this.skipReconnect;
        this.skipReconnect = true;
        original.call(this, reason, description);
        this.skipReconnect = skip;
      });
    },
  },

  // ---- client/connect ----
  {
    name: "connect-auth-without-comma",
    description: "a CONNECT to a custom namespace that carries auth leaves out the comma after the " +
      "namespace (40/admin{\"token\":...})",
    cases: ["client/connect/2"],
    apply({ parser }) {
      wrap(parser.Encoder.prototype, "encodeAsString", (original) => function (obj) {
        const str = original.call(this, obj);
        if (obj.type !== parser.PacketType.CONNECT || !obj.nsp || obj.nsp === "/" || obj.data == null) return str;
        return str.replace(obj.nsp + ",", obj.nsp);
      });
    },
  },
  {
    name: "implicit-root-connect",
    description: "a socket on a custom namespace first CONNECTs / as well when the manager has no / " +
      "socket (the v4 implicit connection)",
    cases: ["client/connect/3"],
    apply({ Socket, parser }) {
      wrap(Socket.prototype, "onopen", (original) => function () {
        if (this.nsp !== "/" && !this.io.nsps["/"]) this.io._packet({ type: parser.PacketType.CONNECT, nsp: "/" });
        return original.call(this);
      });
    },
  },
  {
    name: "connect-reports-engine-sid",
    description: "the socket's id is the Engine.IO session id, not the sid of the CONNECT reply",
    cases: ["client/connect/5"],
    apply({ Socket }) {
      wrap(Socket.prototype, "onconnect", (original) => function (id, pid) {
        return original.call(this, this.io.engine ? this.io.engine.id : id, pid);
      });
    },
  },
  {
    name: "refused-namespace-reconnected",
    description: "after an automatic reconnection, a namespace refused by CONNECT_ERROR is CONNECTed " +
      "again",
    cases: ["client/connect/8"],
    apply({ Socket, parser }) {
      wrap(Socket.prototype, "onpacket", (original) => function (packet) {
        original.call(this, packet);
        if (packet.nsp === this.nsp && packet.type === parser.PacketType.CONNECT_ERROR)
          this.io.once("reconnect", () => this.onopen());
      });
    },
  },
  {
    name: "connect-error-keeps-socket-active",
    description: "a CONNECT_ERROR leaves the socket active (as before socket.io-client 4.4.0): it " +
      "reports active true and is CONNECTed again after a reconnection",
    cases: ["client/connect/7", "client/connect/8"],
    apply({ Socket, parser }) {
      wrap(Socket.prototype, "onpacket", (original) => function (packet) {
        if (packet.nsp !== this.nsp || packet.type !== parser.PacketType.CONNECT_ERROR) return original.call(this, packet);
        const destroy = this.destroy;
        this.destroy = () => {};
        try {
          return original.call(this, packet);
        } finally {
          this.destroy = destroy;
        }
      });
    },
  },
  {
    name: "connect-error-closes-connection",
    description: "a CONNECT_ERROR on one namespace closes the whole Engine.IO connection, the other " +
      "namespaces with it (they come back after the reconnection)",
    cases: ["client/connect/8", "client/connect/9"],
    apply({ Socket, parser }) {
      wrap(Socket.prototype, "onpacket", (original) => function (packet) {
        original.call(this, packet);
        if (packet.nsp === this.nsp && packet.type === parser.PacketType.CONNECT_ERROR && this.io.engine)
          this.io.engine.close();
      });
    },
  },
  {
    name: "connect-error-drops-auth",
    description: "a CONNECT_ERROR discards the socket's auth: a manual connect afterwards sends a " +
      "CONNECT without it",
    cases: ["client/connect/10"],
    apply({ Socket, parser }) {
      wrap(Socket.prototype, "onpacket", (original) => function (packet) {
        original.call(this, packet);
        if (packet.nsp === this.nsp && packet.type === parser.PacketType.CONNECT_ERROR) this.auth = undefined;
      });
    },
  },

  {
    name: "connect-when-connected",
    description: "connecting a socket that is already connected sends its CONNECT again",
    cases: ["client/connect/12"],
    apply({ Socket }) {
      wrap(Socket.prototype, "connect", (original) => function () {
        if (this.connected && this.io._readyState === "open") {
          this.onopen();
          return this;
        }
        return original.call(this);
      });
    },
  },

  // ---- client/event ----
  {
    name: "foreign-namespace-events-delivered",
    description: "an EVENT for a namespace the client never joined is delivered to the / socket (and " +
      "acknowledged there when it asks for an ack)",
    cases: ["client/event/5"],
    apply({ Socket, parser }) {
      const events = [parser.PacketType.EVENT, parser.PacketType.BINARY_EVENT];
      wrap(Socket.prototype, "onpacket", (original) => function (packet) {
        if (this.nsp === "/" && packet.nsp !== "/" && !this.io.nsps[packet.nsp] && events.includes(packet.type))
          return original.call(this, { ...packet, nsp: "/" });
        return original.call(this, packet);
      });
    },
  },
  {
    name: "parse-errors-ignored",
    description: "a packet the Socket.IO parser rejects (an invalid EVENT payload, an unknown type) is " +
      "dropped and the connection kept, instead of closing it with parse error",
    cases: ["client/event/6", "client/event/7"],
    apply({ Manager }) {
      Manager.prototype.ondata = function (data) {
        try {
          this.decoder.add(data);
        } catch (e) {
          // ignored
        }
      };
    },
  },
];
