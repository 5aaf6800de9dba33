// Faults of acknowledgements, the offline buffer and retries (client/ack, client/buffer,
// client/retries). Each patches socket.io-client in this process; `cases` are the cases of those
// areas that FAIL with it, every other case of their areas still passing.
//
// None names client/buffer/3: socket.io-client 4.8.4 fails it already (a volatile emit made after
// a WebSocket session was lost is buffered, since the closed transport still reads writable), so
// it cannot prove a fault. client/ack/11, client/buffer/2 and client/buffer/4 are SHOULD cases:
// they can be NON-STRICT, never FAIL, so no fault here breaks what they check.
"use strict";

const PacketType = { EVENT: 2, ACK: 3, BINARY_ACK: 6 };

function hasBinary(value) {
  if (Buffer.isBuffer(value) || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) return value.some(hasBinary);
  if (value && typeof value === "object") return Object.values(value).some(hasBinary);
  return false;
}

module.exports = [
  {
    name: "binary-ack-as-plain-ack",
    description: "an acknowledgement that carries bytes goes as a plain ACK (3<id>[...]) with " +
      "placeholders and the attachment after it, instead of a BINARY_ACK (6<n>-<id>[...])",
    cases: ["client/ack/6"],
    apply({ parser }) {
      const encode = parser.Encoder.prototype.encode;
      parser.Encoder.prototype.encode = function (packet) {
        if (packet.type === PacketType.ACK && hasBinary(packet.data))
          return this.encodeAsBinary({ type: PacketType.ACK, nsp: packet.nsp, data: packet.data, id: packet.id });
        return encode.call(this, packet);
      };
    },
  },
  {
    name: "ack-any-namespace",
    description: "an ACK is matched by its id alone: every socket of the manager takes it, " +
      "whatever namespace it names",
    cases: ["client/ack/3"],
    apply({ Socket }) {
      const onpacket = Socket.prototype.onpacket;
      Socket.prototype.onpacket = function (packet) {
        const ack = packet.type === PacketType.ACK || packet.type === PacketType.BINARY_ACK;
        if (ack && packet.nsp !== this.nsp) return this.onack({ ...packet, data: [...packet.data] });
        return onpacket.call(this, packet);
      };
    },
  },
  {
    name: "ack-sent-twice",
    description: "the acknowledgement of a server event is sent twice (the same ACK packet again)",
    cases: ["client/ack/4", "client/ack/5"],
    apply({ Socket }) {
      Socket.prototype.ack = function (id) {
        let sent = false;
        return (...args) => {
          if (sent) return;
          sent = true;
          this.packet({ type: PacketType.ACK, id, data: args });
          this.packet({ type: PacketType.ACK, id, data: args });
        };
      };
    },
  },
  {
    name: "ack-ids-reused",
    description: "every emit that wants an ack gets the id 0: the ids of pending emits collide",
    cases: ["client/ack/2", "client/retries/1", "client/retries/3"],
    apply({ Socket }) {
      const emit = Socket.prototype.emit;
      Socket.prototype.emit = function (...args) {
        this.ids = 0;
        return emit.apply(this, args);
      };
    },
  },
  {
    name: "binary-ack-as-plain",
    description: "a BINARY_ACK from the server is read as a plain ACK: the callback gets the " +
      "placeholder objects instead of the bytes, and the attachments are ignored",
    cases: ["client/ack/7"],
    apply({ parser }) {
      const add = parser.Decoder.prototype.add;
      parser.Decoder.prototype.add = function (data) {
        if (typeof data === "string" && data[0] === String(PacketType.BINARY_ACK)) {
          const dash = data.indexOf("-");
          this.attachmentsToSkip = Number(data.slice(1, dash));
          return add.call(this, String(PacketType.ACK) + data.slice(dash + 1));
        }
        if (typeof data !== "string" && this.attachmentsToSkip > 0) {
          this.attachmentsToSkip--;
          return;
        }
        return add.call(this, data);
      };
    },
  },
  {
    name: "ack-callback-kept",
    description: "an ACK leaves its callback registered, so a duplicate ACK calls it again",
    cases: ["client/ack/8"],
    apply({ Socket }) {
      const onack = Socket.prototype.onack;
      Socket.prototype.onack = function (packet) {
        const callback = this.acks[packet.id];
        onack.call(this, packet);
        if (typeof callback === "function") this.acks[packet.id] = callback;
      };
    },
  },
  {
    name: "empty-ack-dropped",
    description: "an ACK with an empty payload (3<id>[]) is taken for no ACK: the callback is " +
      "never called",
    cases: ["client/ack/9"],
    apply({ Socket }) {
      const onack = Socket.prototype.onack;
      Socket.prototype.onack = function (packet) {
        if (Array.isArray(packet.data) && packet.data.length === 0) return;
        return onack.call(this, packet);
      };
    },
  },
  {
    name: "late-ack-delivered",
    description: "an ack timeout calls the callback with its error but leaves it registered, so " +
      "an ACK that comes after the deadline calls it again",
    cases: ["client/ack/10"],
    apply({ Socket }) {
      Socket.prototype._registerAckCallback = function (id, ack) {
        const timeout = this.flags.timeout !== undefined ? this.flags.timeout : this._opts.ackTimeout;
        if (timeout === undefined) {
          this.acks[id] = ack;
          return;
        }
        const timer = this.io.setTimeoutFn(() => {
          this.sendBuffer = this.sendBuffer.filter((packet) => packet.id !== id);
          ack.call(this, new Error("operation has timed out"));  // the callback stays in this.acks
        }, timeout);
        const fn = (...args) => {
          this.io.clearTimeoutFn(timer);
          ack.apply(this, args);
        };
        fn.withError = true;
        this.acks[id] = fn;
      };
    },
  },
  {
    name: "offline-emits-dropped",
    description: "an emit made while the socket is disconnected is discarded instead of buffered " +
      "until the reconnection",
    cases: ["client/buffer/1"],
    apply({ Socket }) {
      const emit = Socket.prototype.emit;
      Socket.prototype.emit = function (...args) {
        const buffered = this.sendBuffer.length;
        const self = emit.apply(this, args);
        if (!this.connected) this.sendBuffer.length = buffered;
        return self;
      };
    },
  },
  {
    name: "retries-ignored",
    description: "retries is ignored: an unacknowledged emit fails at its first timeout (or " +
      "disconnection) and is never sent again",
    cases: ["client/retries/1", "client/retries/2", "client/retries/3", "client/retries/4"],
    apply({ Socket }) {
      const addToQueue = Socket.prototype._addToQueue;
      Socket.prototype._addToQueue = function (args) {
        const at = this._queue.length;
        addToQueue.call(this, args);
        if (this._queue[at]) this._queue[at].tryCount += this._opts.retries;  // its tries are spent
      };
    },
  },
  {
    name: "retries-same-id",
    description: "a retried emit is sent again with the ack id of its first copy",
    cases: ["client/retries/1", "client/retries/3"],
    apply({ Socket }) {
      const drainQueue = Socket.prototype._drainQueue;
      Socket.prototype._drainQueue = function (force) {
        const packet = this._queue[0];
        const next = this.ids;
        if (packet && packet.firstId !== undefined) this.ids = packet.firstId;
        drainQueue.call(this, force);
        if (!packet) return;
        if (packet.firstId === undefined && this.ids !== next) packet.firstId = next;
        else if (packet.firstId !== undefined) this.ids = Math.max(next, this.ids);
      };
    },
  },
  {
    name: "retries-drained-offline",
    description: "the retry queue is drained while the socket is offline (4996f9e undone): the " +
      "pending packet is buffered again at each failure, then sent twice on reconnection, or " +
      "its tries are spent before it",
    cases: ["client/retries/4"],
    apply({ Socket }) {
      Socket.prototype._drainQueue = function (force = false) {
        if (this._queue.length === 0) return;  // no check of this.connected
        const packet = this._queue[0];
        if (packet.pending && !force) return;
        packet.pending = true;
        packet.tryCount++;
        this.flags = packet.flags;
        this.emit.apply(this, packet.args);
      };
    },
  },
  {
    name: "retries-resent-on-connect",
    description: "on connection the head of the retry queue is sent again after the connect " +
      "handlers, though already sent (as socket.io#5258 before 4.8.2): a queued emit goes out twice",
    cases: ["client/retries/4"],
    apply({ Socket }) {
      const onconnect = Socket.prototype.onconnect;
      Socket.prototype.onconnect = function (...args) {
        onconnect.apply(this, args);
        this._drainQueue(true);
      };
    },
  },
];
