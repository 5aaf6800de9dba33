#!/usr/bin/python3
"""The client adapter (conformance/CLIENT-ADAPTER.md, contract v1) for python-socketio: commands on
stdin become calls of python-socketio's client, what it reports becomes events on stdout.

    siocheck conform --client -- /usr/bin/python3 conformance/adapters/python/adapter.py [--async]

Written for python-socketio 5.7 / python-engineio 4.3 as Debian 12 ships them (python3-socketio,
python3-engineio, with python3-requests and python3-websocket for the sync client, python3-aiohttp
for the asyncio one). Without --async it drives the threaded `socketio.Client`; with --async the
asyncio `socketio.AsyncClient`. SIOCHECK_ADAPTER_LOG=INFO (or DEBUG) shows the library's own log on
standard error (default: its warnings only).

How the contract maps onto python-socketio (choices, not test logic):

- Connections. python-socketio has no io() cache: one Client object is one Engine.IO connection,
  which connects the namespaces given to `connect(url, namespaces=[...])`, all at once. A `connect`
  without `manager` is a Client of its own (so `forceNew` and `multiplex: false` hold by themselves;
  no `multiplex_implicit`). A `manager` is a Client; `connect` commands with that manager name the
  namespaces it connects. As the Client takes its namespaces in one call, the adapter makes that
  call once the command stream pauses (no command for 50 ms, or a command other than connect or
  manager): back-to-back connects of one manager become one `connect(namespaces=[...])`. A second
  `connect` of a namespace the Client already has names the same socket (python-socketio has one
  socket per namespace and Client). A new namespace on a Client that has already connected, a
  second `auth` that differs from the Client's one (python-socketio has one auth per Client) and
  `disconnect` of one namespace while others of the Client stay (5.7's `disconnect()` ends the whole
  Client) are answered `unsupported`.
- `connect` uses the library's defaults: `wait=True`, `wait_timeout=1` (it waits one second for
  every namespace's CONNECT reply, then disconnects and raises). Each Client's `connect()` and
  `disconnect()` calls run one after the other, in the commands' order, in a worker of the Client's
  own (a thread, or an asyncio task), as an application makes them; the command loop goes on
  meanwhile (emits, acks). When `connect()` raises without having called a connect_error handler
  (a namespace that never answered), the adapter reports that exception as `connect_error` (active
  false: the library does not retry a first connection). `socket_connect` calls `connect()` again,
  once the calls before it are done, unless the Client is connected or reconnecting by itself.
- `autoConnect: false`: the Client is created and left unconnected (a python-socketio Client never
  connects by itself) until `socket_connect` or `manager_open`; `manager_open` connects the Client
  with the namespaces it has so far (none: `namespaces=[]` opens Engine.IO only).
- Options: `transports` -> connect(transports=); `upgrade: false` -> transports without
  'websocket' when polling comes first (python-socketio has no upgrade switch; restricting the
  transports is its way to stay on polling); `query` -> the URL's query string (python-engineio
  puts it before its own transport and EIO parameters, whatever the keys); `reconnection`,
  `reconnectionAttempts` (0 means none in socket.io-client, infinite in python-socketio, so 0 ->
  reconnection=False), `reconnectionDelay`, `reconnectionDelayMax` (ms -> s), `randomizationFactor`
  -> the Client's arguments of the same meaning (python-socketio adds factor x (2r-1) *seconds*);
  `timeout` -> request_timeout (s), python-engineio's timeout of the handshake, the WebSocket
  connection and every POST;
  `ackTimeout` -> a timeout on every acknowledged emit (see acks); `forceNew`, `multiplex` are
  accepted (every Client is a connection of its own); `retries` (other than 0) is unsupported.
- Events: a catch-all handler ('*') per namespace. Its return value is the acknowledgement, sent by
  the library when the server asked for one; ack_requested comes from the packet's id, seen by a
  thin override of Client._handle_event. Handlers for 'connect', 'disconnect', 'connect_error' are
  the library's; python-socketio also calls them for server events with those names (reported as
  the library reports them).
- Acks: `emit(..., callback=)`; with `timeout_ms` (or `ackTimeout`), `call(..., timeout=)`, which
  raises TimeoutError -> `ack_error` "timeout" (`call` folds the ack's arguments: none and one null
  both come back as None, reported as []). An emit the library refuses (5.7 raises
  BadNamespaceError while the namespace is not connected: it has no offline buffer) gives
  `ack_error` with the library's words when an ack was asked for, a line on stderr otherwise.
  `volatile` is unsupported.
- Disconnect reasons: python-socketio 5.7 calls disconnect handlers without a reason, so every
  `disconnect` is reason "other", reason_raw "" (no `disconnect_reasons` feature). `active` is the
  library's own decision: false after a server DISCONNECT packet (Client._handle_disconnect, seen by
  an override) or the adapter's `disconnect`, otherwise `reconnection and eio.state == 'connected'`,
  the condition python-socketio tests right after the handlers to start its reconnection task.
- connect_error: the handler's argument is CONNECT_ERROR's payload ({"message", "data"}) for a
  refused namespace; for a failed Engine.IO connection it is the exception's text, or the JSON body
  of an HTTP error (its "message" becomes the message; a body that is not JSON arrives as None,
  reported as the message ""). A failed Engine.IO connection is reported
  for every namespace of the Client. `active`: true only inside the library's reconnection loop
  while attempts remain (python-socketio retries a failed attempt there, a refused namespace
  included, and never after a failed first `connect()`).
- No reconnection events (python-socketio 5.7 has none), no offline buffer, volatile emits,
  retries or connection state recovery. Numeric event names pass through as numbers.
  `auth_function` is declared because python-socketio takes a callable as `auth` and calls it at
  every connection; contract v1 has no field that asks for one, so `auth` is passed as its value.
- Binary: {"$bin": base64} <-> bytes, at any depth.
"""
import asyncio
import base64
import contextvars
import importlib.metadata
import json
import logging
import math
import os
import queue
import signal
import sys
import threading
import time
import urllib.parse

# Standard output carries the contract's lines only: keep a private handle on it and send
# everything else that writes there (print, the library) to standard error.
_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
sys.stdout = sys.stderr

import socketio  # noqa: E402  (after the redirection)
from socketio import exceptions  # noqa: E402

_LEVEL = getattr(logging, os.environ.get("SIOCHECK_ADAPTER_LOG", "WARNING").upper(), logging.WARNING)
logging.basicConfig(stream=sys.stderr, level=_LEVEL, format="%(name)s %(levelname)s %(message)s")
LOG = logging.getLogger("adapter")
LIB_LOG = logging.getLogger("adapter.socketio")
EIO_LOG = logging.getLogger("adapter.engineio")

FEATURES = [
    "polling", "websocket", "ws_only", "upgrade", "upgrade_option", "query", "binary", "acks_out",
    "acks_in", "ack_timeout", "manager_api", "auto_connect_option", "reconnection",
    "reconnection_params", "connect_error_data", "auth_function", "numeric_event_names",
]
OPTIONS = {"transports", "upgrade", "query", "forceNew", "multiplex", "autoConnect", "reconnection",
           "reconnectionAttempts", "reconnectionDelay", "reconnectionDelayMax", "randomizationFactor",
           "timeout", "ackTimeout", "retries"}
BATCH_S = 0.05  # the pause that ends a burst of connect commands for one manager

_STARTED = time.monotonic()
_LOCK = threading.Lock()

# Set while the library handles a packet, read by the handlers it calls (a thread or a task each).
ACK_ASKED = contextvars.ContextVar("ack_asked", default=False)
SERVER_DISCONNECT = contextvars.ContextVar("server_disconnect", default=False)


def out(event):
    event["t"] = round((time.monotonic() - _STARTED) * 1000, 1)
    line = json.dumps(event, separators=(",", ":"), allow_nan=False)
    with _LOCK:
        _OUT.write(line + "\n")
        _OUT.flush()


def from_json(v):
    """{"$bin": base64} -> bytes, at any depth."""
    if isinstance(v, list):
        return [from_json(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1 and isinstance(v.get("$bin"), str):
            return base64.b64decode(v["$bin"])
        return {k: from_json(x) for k, x in v.items()}
    return v


def to_json(v):
    """bytes -> {"$bin": base64}, at any depth."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$bin": base64.b64encode(bytes(v)).decode("ascii")}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return None  # JSON has no Infinity or NaN (1e999 decodes to inf): null, as JavaScript writes it
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


class Unsupported(Exception):
    """What the library cannot do: answered `unsupported`."""


class Session:
    """One python-socketio Client: a `manager`, or the socket of a `connect` without one."""

    def __init__(self, cmd, opts):
        self.url = cmd["url"]
        query = opts.get("query")
        if query:
            text = {k: (json.dumps(v) if isinstance(v, bool) else str(v)) for k, v in query.items()}
            self.url += "?" + urllib.parse.urlencode(text)
        self.path = cmd.get("path") or "/socket.io/"
        self.transports = opts.get("transports")
        if opts.get("upgrade") is False:
            first = (self.transports or ["polling"])[0]
            if first == "polling":
                self.transports = ["polling"]
        self.auth = None
        self.nsps = []        # the namespaces connect() connects, in order
        self.ids = {}         # namespace -> the socket ids on it
        self.watched = set()  # namespaces whose handlers are registered
        self.ack_timeout = opts["ackTimeout"] / 1000 if opts.get("ackTimeout") is not None else None
        self.started = False       # connect() was asked for once
        self.ops = None            # connect/disconnect, for the Client's worker, in order
        self.busy = False          # the worker has work
        self.closing = False       # the adapter's disconnect() is under way
        self.in_reconnect = False  # the library's reconnection loop runs
        self.attempt = 0           # its attempts so far
        self.reported = set()      # ids that got connect or connect_error in this attempt
        self.client = None

    def client_kwargs(self, opts):
        kw = {"logger": LIB_LOG, "engineio_logger": EIO_LOG, "handle_sigint": False}
        if "reconnection" in opts:
            kw["reconnection"] = bool(opts["reconnection"])
        attempts = opts.get("reconnectionAttempts")
        if attempts is not None:
            if attempts == 0:
                kw["reconnection"] = False  # socket.io-client: none; python-socketio: 0 = forever
            else:
                kw["reconnection_attempts"] = int(attempts)
        if opts.get("reconnectionDelay") is not None:
            kw["reconnection_delay"] = opts["reconnectionDelay"] / 1000
        if opts.get("reconnectionDelayMax") is not None:
            kw["reconnection_delay_max"] = opts["reconnectionDelayMax"] / 1000
        if opts.get("randomizationFactor") is not None:
            kw["randomization_factor"] = opts["randomizationFactor"]
        if opts.get("timeout") is not None:
            kw["request_timeout"] = opts["timeout"] / 1000
        return kw

    def all_ids(self):
        return [i for n in self.nsps for i in self.ids.get(n, [])]

    def connect_kwargs(self):
        kw = {"namespaces": list(self.nsps), "socketio_path": self.path}
        if self.transports:
            kw["transports"] = list(self.transports)
        if self.auth is not None:
            kw["auth"] = self.auth
        return kw


def parse_opts(cmd):
    opts = dict(cmd.get("opts") or {})
    for key in opts:
        if key not in OPTIONS:
            raise Unsupported(key)
    if opts.get("retries"):
        raise Unsupported("retries")
    return opts


def auth_of(cmd):
    """The connect command's auth (None: none given, and python-socketio sends {})."""
    return from_json(cmd["auth"]) if "auth" in cmd else None


def ack_args(r):
    """call()'s result back to a list of arguments."""
    if r is None:
        return []
    if isinstance(r, tuple):
        return list(r)
    return [r]


class Adapter:
    """The command side, shared by both clients; the subclasses make the library calls."""

    def __init__(self):
        self.managers = {}  # name -> Session
        self.sockets = {}   # id -> (Session, namespace)
        self.sessions = []
        self.pending = []   # sessions whose connect() waits for the end of a burst
        self.replies = {}   # id -> the args to ack the server's events with

    # ---- the library's reports ------------------------------------------------------------------

    def watch(self, s, nsp):
        if nsp in s.watched:
            return
        s.watched.add(nsp)
        c = s.client

        def on_connect(*args):
            for i in s.ids.get(nsp, []):
                s.reported.add(i)
                out({"ev": "connect", "id": i, "sid": c.get_sid(nsp), "recovered": False})

        def on_disconnect(*args):
            if SERVER_DISCONNECT.get() or s.closing:
                active = False
            else:
                active = bool(c.reconnection) and c.eio.state == "connected"
            for i in s.ids.get(nsp, []):
                out({"ev": "disconnect", "id": i, "reason": "other", "reason_raw": "", "active": active})

        def on_any(event, *args):
            ids = s.ids.get(nsp, [])
            for i in ids:
                out({"ev": "event", "id": i, "event": event, "args": to_json(args),
                     "ack_requested": ACK_ASKED.get()})
            for i in ids:
                if i in self.replies:
                    return tuple(from_json(self.replies[i]))
            return tuple(args)

        c.on("connect", on_connect, namespace=nsp)
        c.on("disconnect", on_disconnect, namespace=nsp)
        c.on("*", on_any, namespace=nsp)
        if nsp != "/":
            c.on("connect_error", lambda *a: self.on_connect_error(s, nsp, a), namespace=nsp)

    def on_connect_error(self, s, nsp, args):
        arg = args[0] if args else None
        engine = s.client.eio.state != "connected"  # the Engine.IO connection itself failed
        data = None
        if isinstance(arg, dict):
            message = arg.get("message")
            message = message if isinstance(message, str) else json.dumps(to_json(arg))
            if not engine:
                data = to_json(arg.get("data"))
        else:
            message = "" if arg is None else str(arg)
        attempts = s.client.reconnection_attempts
        active = s.in_reconnect and not (attempts and s.attempt >= attempts)
        ids = s.all_ids() if engine else s.ids.get(nsp, [])
        for i in ids:
            s.reported.add(i)
            out({"ev": "connect_error", "id": i, "message": message, "data": data, "active": active})

    def connect_failed(self, s, exc):
        """connect() raised: report it where no handler did (a namespace that never answered)."""
        for i in s.all_ids():
            if i not in s.reported:
                out({"ev": "connect_error", "id": i, "message": str(exc), "data": None, "active": False})

    def new_session(self, cmd, opts):
        s = Session(cmd, opts)
        s.client = self.client_class()(**s.client_kwargs(opts))
        s.client.session = s
        s.client.on("connect_error", lambda *a: self.on_connect_error(s, "/", a), namespace="/")
        self.sessions.append(s)
        return s

    # ---- commands -------------------------------------------------------------------------------

    def handle(self, cmd):
        name = cmd.get("cmd")
        handler = getattr(self, "cmd_" + str(name), None)
        if handler is None:
            return out({"ev": "unsupported", "cmd": name, "what": name})
        try:
            handler(cmd)
        except Unsupported as u:
            out({"ev": "unsupported", "cmd": name, "what": str(u)})
        except Exception as e:  # a bug of the adapter's, or a command it cannot read
            LOG.exception("command %s", name)
            out({"ev": "adapter_error", "message": "%s: %s: %s" % (name, type(e).__name__, e)})

    def cmd_manager(self, cmd):
        opts = parse_opts(cmd)
        self.managers[cmd["manager"]] = self.new_session(cmd, opts)

    def cmd_connect(self, cmd):
        opts = parse_opts(cmd)
        nsp = cmd.get("nsp") or "/"
        sid = cmd["id"]
        auth = auth_of(cmd)
        auto = opts.get("autoConnect", True) is not False
        if "manager" in cmd:
            s = self.managers.get(cmd["manager"])
            if s is None:
                return out({"ev": "adapter_error", "message": "no manager %s" % cmd["manager"]})
            if nsp in s.ids and (nsp in s.nsps or not auto):
                s.ids[nsp].append(sid)  # the Client's socket for that namespace, once more
                self.sockets[sid] = (s, nsp)
                return
            if s.started:
                raise Unsupported("connect (a new namespace on a python-socketio Client that has "
                                  "already connected: it takes its namespaces in one connect())")
            if auth is not None:
                if s.auth is not None and s.auth != auth:
                    raise Unsupported("auth (one per python-socketio Client, not per namespace)")
                s.auth = auth
        else:
            s = self.new_session(cmd, opts)
            s.auth = auth
        s.ids.setdefault(nsp, []).append(sid)
        self.sockets[sid] = (s, nsp)
        self.watch(s, nsp)
        if not auto:
            return
        s.nsps.append(nsp)
        if "manager" in cmd:
            if s not in self.pending:
                self.pending.append(s)
        else:
            self.start(s)

    def cmd_manager_open(self, cmd):
        s = self.managers[cmd["manager"]]
        if not s.started:
            self.start(s)

    def cmd_socket_connect(self, cmd):
        s, nsp = self.sockets[cmd["id"]]
        if s in self.pending:
            self.pending.remove(s)
        if nsp not in s.nsps:
            if s.client.connected or s.busy or s.in_reconnect:
                raise Unsupported("socket_connect (a new namespace on a python-socketio Client that "
                                  "is connected or connecting: it takes its namespaces in one "
                                  "connect())")
            s.nsps.append(nsp)
        self.start(s)

    def cmd_emit(self, cmd):
        if cmd.get("volatile"):
            raise Unsupported("volatile")
        s, nsp = self.sockets[cmd["id"]]
        timeout = cmd["timeout_ms"] / 1000 if cmd.get("timeout_ms") is not None else s.ack_timeout
        self.emit(s, nsp, cmd, tuple(from_json(cmd.get("args") or [])), timeout)

    def cmd_ack_reply(self, cmd):
        self.replies[cmd["id"]] = cmd.get("args") or []

    def cmd_disconnect(self, cmd):
        s, nsp = self.sockets[cmd["id"]]
        others = [n for n in s.nsps if n != nsp]
        if others and (s.client.connected or s.busy or s.in_reconnect):
            raise Unsupported("disconnect of one namespace (python-socketio 5.7's disconnect() ends "
                              "the whole Client, namespaces %s included)" % ", ".join(others))
        if s in self.pending:
            self.pending.remove(s)
        self.lifecycle(s, "disconnect")

    def cmd_sync(self, cmd):
        self.after(lambda: out({"ev": "sync", "seq": cmd.get("seq")}))

    def start(self, s):
        s.started = True
        self.lifecycle(s, "connect")

    def flush(self):
        """The end of a burst: connect the managers' Clients that wait for it."""
        pending, self.pending = self.pending, []
        for s in pending:
            if not s.started:
                self.start(s)

    def ack_callback(self, cmd):
        return lambda *reply: out({"ev": "ack", "id": cmd["id"], "seq": cmd.get("seq"),
                                   "args": to_json(reply)})

    def ack_result(self, cmd, result=None, error=None):
        if error is None:
            out({"ev": "ack", "id": cmd["id"], "seq": cmd.get("seq"), "args": to_json(ack_args(result))})
        else:
            message = "timeout" if isinstance(error, exceptions.TimeoutError) else str(error)
            out({"ev": "ack_error", "id": cmd["id"], "seq": cmd.get("seq"), "message": message})

    def refused_emit(self, cmd, error):
        LOG.warning("emit %r refused by python-socketio: %s", cmd.get("event"), error)
        if cmd.get("ack"):
            self.ack_result(cmd, error=error)


# ---- the threaded client ------------------------------------------------------------------------

class SyncClient(socketio.Client):
    """socketio.Client, with what the handlers cannot see: whether an event asked for an ack, and
    whether a disconnect came from a server DISCONNECT packet or the reconnection loop."""
    session = None

    def _handle_event(self, namespace, id, data):
        token = ACK_ASKED.set(id is not None)
        try:
            return super()._handle_event(namespace, id, data)
        finally:
            ACK_ASKED.reset(token)

    def _handle_disconnect(self, namespace):
        token = SERVER_DISCONNECT.set(True)
        try:
            return super()._handle_disconnect(namespace)
        finally:
            SERVER_DISCONNECT.reset(token)

    def _handle_reconnect(self):
        self.session.in_reconnect, self.session.attempt = True, 0
        try:
            return super()._handle_reconnect()
        finally:
            self.session.in_reconnect = False

    def connect(self, *args, **kwargs):
        if self.session.in_reconnect:
            self.session.attempt += 1
        self.session.reported = set()
        return super().connect(*args, **kwargs)

    def emit(self, *args, **kwargs):
        try:
            return super().emit(*args, **kwargs)
        finally:
            sent = EMITTED.get()
            if sent is not None:
                sent.set()


EMITTED = contextvars.ContextVar("emitted", default=None)  # call()'s emit is done (sync client)


class ThreadAdapter(Adapter):
    def client_class(self):
        return SyncClient

    def lifecycle(self, s, op):
        """connect() and disconnect() of one Client run one after the other, as an application
        calls them: a thread of its own does them in the commands' order."""
        if s.ops is None:
            s.ops = queue.Queue()
            threading.Thread(target=self._worker, args=(s,), daemon=True).start()
        s.busy = True
        s.ops.put(op)

    def _worker(self, s):
        while True:
            op = s.ops.get()
            if op == "connect" and not (s.client.connected or s.in_reconnect):
                s.closing = False
                try:
                    s.client.connect(s.url, **s.connect_kwargs())
                except (exceptions.ConnectionError, ValueError) as e:
                    self.connect_failed(s, e)
            elif op == "disconnect":
                s.closing = True
                s.client.disconnect()
            s.busy = not s.ops.empty()

    def emit(self, s, nsp, cmd, args, timeout):
        c = s.client
        if cmd.get("ack") and timeout is not None:
            sent = threading.Event()

            def call():
                EMITTED.set(sent)
                try:
                    self.ack_result(cmd, c.call(cmd["event"], args, namespace=nsp, timeout=timeout))
                except Exception as e:
                    sent.set()
                    self.ack_result(cmd, error=e)
            threading.Thread(target=call, daemon=True).start()
            sent.wait(1)  # keep the emits in the commands' order
            return
        try:
            c.emit(cmd["event"], args, namespace=nsp,
                   callback=self.ack_callback(cmd) if cmd.get("ack") else None)
        except Exception as e:
            self.refused_emit(cmd, e)

    def after(self, fn):
        fn()

    def run(self):
        lines = queue.Queue()

        def read():
            for raw in sys.stdin.buffer:
                lines.put(raw)
            lines.put(None)
        threading.Thread(target=read, daemon=True).start()
        while True:
            try:
                raw = lines.get(timeout=BATCH_S if self.pending else None)
            except queue.Empty:
                self.flush()
                continue
            if raw is None:
                break
            cmd = parse_line(raw)
            if cmd is None:
                continue
            if cmd.get("cmd") == "exit":
                break
            if cmd.get("cmd") not in ("connect", "manager"):
                self.flush()
            self.handle(cmd)
        self.finish()

    def finish(self):
        done = threading.Event()

        def close_all():
            for s in self.sessions:
                try:
                    s.closing = True
                    if s.client.connected or s.client.eio.state == "connected":
                        s.client.disconnect()
                except Exception:
                    pass
            done.set()
        threading.Thread(target=close_all, daemon=True).start()
        done.wait(1.5)
        os._exit(0)


# ---- the asyncio client -------------------------------------------------------------------------

class AsyncClient(socketio.AsyncClient):
    """socketio.AsyncClient with the same observation points as SyncClient."""
    session = None

    async def _handle_event(self, namespace, id, data):
        token = ACK_ASKED.set(id is not None)
        try:
            return await super()._handle_event(namespace, id, data)
        finally:
            ACK_ASKED.reset(token)

    async def _handle_disconnect(self, namespace):
        token = SERVER_DISCONNECT.set(True)
        try:
            return await super()._handle_disconnect(namespace)
        finally:
            SERVER_DISCONNECT.reset(token)

    async def _handle_reconnect(self):
        self.session.in_reconnect, self.session.attempt = True, 0
        try:
            return await super()._handle_reconnect()
        finally:
            self.session.in_reconnect = False

    async def connect(self, *args, **kwargs):
        if self.session.in_reconnect:
            self.session.attempt += 1
        self.session.reported = set()
        return await super().connect(*args, **kwargs)


class AsyncioAdapter(Adapter):
    """Every library call is a task, created in the commands' order: a task runs its first step
    (an emit, up to where call() waits) before the tasks created after it."""

    def client_class(self):
        return AsyncClient

    def task(self, coro):
        t = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)

    def lifecycle(self, s, op):
        """As ThreadAdapter.lifecycle, with a task as the worker."""
        if s.ops is None:
            s.ops = asyncio.Queue()
            self.task(self._worker(s))
        s.busy = True
        s.ops.put_nowait(op)

    async def _worker(self, s):
        while True:
            op = await s.ops.get()
            if op == "connect" and not (s.client.connected or s.in_reconnect):
                s.closing = False
                try:
                    await s.client.connect(s.url, **s.connect_kwargs())
                except (exceptions.ConnectionError, ValueError) as e:
                    self.connect_failed(s, e)
            elif op == "disconnect":
                s.closing = True
                await s.client.disconnect()
            s.busy = not s.ops.empty()

    def emit(self, s, nsp, cmd, args, timeout):
        c = s.client

        async def emit():
            try:
                if cmd.get("ack") and timeout is not None:
                    try:
                        result = await c.call(cmd["event"], args, namespace=nsp, timeout=timeout)
                    except Exception as e:
                        return self.ack_result(cmd, error=e)
                    return self.ack_result(cmd, result)
                await c.emit(cmd["event"], args, namespace=nsp,
                             callback=self.ack_callback(cmd) if cmd.get("ack") else None)
            except Exception as e:
                self.refused_emit(cmd, e)
        self.task(emit())

    def after(self, fn):
        async def later():
            fn()
        self.task(later())

    def run(self):
        asyncio.run(self.main())

    async def main(self):
        self.tasks = set()
        loop = asyncio.get_running_loop()
        lines = asyncio.Queue()

        def read():
            for raw in sys.stdin.buffer:
                loop.call_soon_threadsafe(lines.put_nowait, raw)
            loop.call_soon_threadsafe(lines.put_nowait, None)
        threading.Thread(target=read, daemon=True).start()
        while True:
            try:
                if self.pending:
                    raw = await asyncio.wait_for(lines.get(), BATCH_S)
                else:
                    raw = await lines.get()
            except asyncio.TimeoutError:
                self.flush()
                continue
            if raw is None:
                break
            cmd = parse_line(raw)
            if cmd is None:
                continue
            if cmd.get("cmd") == "exit":
                break
            if cmd.get("cmd") not in ("connect", "manager"):
                self.flush()
            self.handle(cmd)
        await self.finish()

    async def finish(self):
        async def close(s):
            s.closing = True
            if s.client.connected or s.client.eio.state == "connected":
                await s.client.disconnect()
        try:
            await asyncio.wait_for(asyncio.gather(*(close(s) for s in self.sessions),
                                                  return_exceptions=True), 1.5)
        except Exception:
            pass
        os._exit(0)


def parse_line(raw):
    try:
        cmd = json.loads(raw.decode("utf-8"))
        if not isinstance(cmd, dict):
            raise ValueError("not an object")
        return cmd
    except ValueError:
        out({"ev": "adapter_error", "message": "not a JSON command: %r" % raw[:200]})
        return None


def main():
    use_async = False
    for arg in sys.argv[1:]:
        if arg == "--async":
            use_async = True
        else:
            sys.stderr.write("adapter.py: unknown argument %s (usage: adapter.py [--async])\n" % arg)
            sys.exit(2)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    adapter = AsyncioAdapter() if use_async else ThreadAdapter()
    out({"ev": "ready", "impl": "python-socketio " + ("AsyncClient" if use_async else "Client"),
         "version": importlib.metadata.version("python-socketio"),
         "engineio": importlib.metadata.version("python-engineio"),
         "features": FEATURES})
    adapter.run()


if __name__ == "__main__":
    main()
