"""python-socketio's own client (5.7, sync: requests for polling, websocket-client for WebSocket)
against the Socket.IO fixtures of conformance/FIXTURE.md, extended level: polling only, WebSocket
only, and polling upgraded to WebSocket.

The client is python-socketio's, so these tests check what a Python application sees. Two of its
habits shape them:

- python-engineio 4.3's client handles every received message in a thread of its own, so arrival
  order would be lost (and a binary packet's attachments could overtake its header). `Peer` runs
  those threads one at a time, in arrival order, so "after the fence ack, nothing else" holds.
- The client acknowledges every event that asks for an ack, with the handler's return value and at
  once. A handler that raises `NoAnswer` is the only way to leave an ack unanswered.
"""

from __future__ import annotations

import queue
import threading
import time

import pytest
import socketio

from conftest import LONG_HEARTBEAT, start_fixture

# The fixtures the tests run against. The reference and node targets are added as they land.
TARGETS = ["reference", "node", "python"]

# Mode -> python-socketio client `transports`.
MODES = {
    "polling": ["polling"],
    "websocket": ["websocket"],
    "upgrade": ["polling", "websocket"],
}

# Where a target cannot follow the contract (FIXTURE.md, "Known gaps"): such a test is expected to
# fail, and fails the run if it starts passing (the entry is then stale).
KNOWN_GAPS = {
    ("python", "test_unknown_namespaces_are_refused_as_invalid"):
        "python-socketio 5.7 refuses with CONNECT_ERROR \"Unable to connect\", not {\"message\":\"Invalid namespace\"}",
}

WAIT = 10.0  # seconds: the longest any single expected thing may take on a busy machine


@pytest.fixture(params=TARGETS)
def target(request, servers):
    reason = KNOWN_GAPS.get((request.param, request.function.__name__))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    return start_fixture(servers, request.param, *LONG_HEARTBEAT)


@pytest.fixture(params=list(MODES))
def mode(request):
    return request.param


class NoAnswer(Exception):
    """Raised by a client event handler so that the client sends no ack."""


class Peer:
    """A python-socketio client that records every event it receives, per namespace."""

    def __init__(self, url: str, mode: str, namespaces=("/",), auth=None, answers=None):
        self.url, self.mode = url, mode
        self.namespaces = list(namespaces)
        self.client = socketio.Client(reconnection=False)
        self.events = {ns: queue.Queue() for ns in self.namespaces}
        self.disconnected = {ns: threading.Event() for ns in self.namespaces}
        self.connect_errors = {ns: queue.Queue() for ns in self.namespaces}
        self.auth_seen = {}
        self._in_order = _InArrivalOrder(self.client.eio)
        for ns in self.namespaces:
            self.client.on("*", self._recorder(ns), namespace=ns)
            self.client.on("disconnect", self.disconnected[ns].set, namespace=ns)
            self.client.on("connect_error", self.connect_errors[ns].put, namespace=ns)
        for (event, ns), answer in (answers or {}).items():
            self.client.on(event, self._answerer(ns, event, answer), namespace=ns)
        self._auth = auth

    def _recorder(self, ns):
        def record(event, *args):
            self.events[ns].put((event, list(args)))
        return record

    def _answerer(self, ns, event, answer):
        def handle(*args):
            self.events[ns].put((event, list(args)))
            return answer(*args)
        return handle

    # -- connecting --

    def connect(self, expect_auth=True) -> "Peer":
        self.client.connect(self.url, transports=MODES[self.mode], namespaces=self.namespaces, auth=self._auth,
                            wait_timeout=WAIT)
        expected_transport = "polling" if self.mode == "polling" else "websocket"
        assert self.client.transport() == expected_transport
        if expect_auth:
            for ns in self.namespaces:
                event, args = self.next_event(ns)
                assert event == "auth", f"first event on {ns} is {event!r}, not auth"
                assert len(args) == 1
                self.auth_seen[ns] = args[0]
        return self

    def sid(self, ns="/") -> str:
        return self.client.get_sid(ns)

    # -- waiting --

    def next_event(self, ns="/", timeout=WAIT):
        try:
            return self.events[ns].get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event on {ns} within {timeout}s") from None

    def call(self, event, *args, ns="/"):
        """Emits with an ack request and returns the ack's arguments as a list."""
        done = threading.Event()
        box = []

        def on_ack(*answer):
            box.append(list(answer))
            done.set()

        self.client.emit(event, tuple(args), namespace=ns, callback=on_ack)
        assert done.wait(WAIT), f"no ack for {event} on {ns} within {WAIT}s"
        return box[0]

    def ctl(self, event, *args, ns="/"):
        """A control event: its ack has exactly one argument."""
        answer = self.call(event, *args, ns=ns)
        assert len(answer) == 1, f"{event} answered {answer!r}, not one argument"
        return answer[0]

    def fence(self, ns="/"):
        """Proves that nothing the server sent before the fence is left unread on `ns`."""
        assert self.ctl("ctl:fence", ns=ns) == {"ok": True}
        self._in_order.settle(WAIT)
        leftovers = []
        while not self.events[ns].empty():
            leftovers.append(self.events[ns].get_nowait())
        assert leftovers == [], f"unexpected events on {ns}: {leftovers!r}"

    def close(self):
        if self.client.connected:
            self.client.disconnect()


class _InArrivalOrder:
    """Runs the handler threads python-engineio's client starts for received messages one at a time,
    in the order the messages arrived; exceptions from them (NoAnswer) are swallowed."""

    def __init__(self, eio):
        self._cond = threading.Condition()
        self._issued = 0
        self._done = 0
        self._start_original = eio.start_background_task
        self._message_handler = eio.handlers["message"]
        eio.start_background_task = self._start

    def _start(self, target, *args, **kwargs):
        if target != self._message_handler:
            return self._start_original(target, *args, **kwargs)
        with self._cond:  # runs on the reading thread, so tickets follow arrival order
            ticket = self._issued
            self._issued += 1
        return self._start_original(self._run, ticket, target, *args, **kwargs)

    def _run(self, ticket, target, *args, **kwargs):
        with self._cond:
            self._cond.wait_for(lambda: self._done == ticket)
        try:
            target(*args, **kwargs)
        except NoAnswer:
            pass
        finally:
            with self._cond:
                self._done += 1
                self._cond.notify_all()

    def settle(self, timeout):
        with self._cond:
            assert self._cond.wait_for(lambda: self._done == self._issued, timeout), "client handlers stuck"


@pytest.fixture
def peers(target, mode):
    """Makes connected peers for the test's target and mode, and disconnects them at the end."""
    made = []

    def make(namespaces=("/",), auth=None, answers=None, connect=True):
        peer = Peer(target.url, mode, namespaces=namespaces, auth=auth, answers=answers)
        made.append(peer)
        return peer.connect() if connect else peer

    yield make
    for peer in made:
        peer.close()


def wait_for_disconnect_reason(observer: Peer, sid: str, timeout=WAIT):
    """Asks the server (ctl:last-disconnect) until it has recorded a reason for `sid`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reason = observer.ctl("ctl:last-disconnect", {"sid": sid})
        if reason is not None:
            return reason
    raise AssertionError(f"no disconnect reason recorded for {sid} within {timeout}s")


# ---- namespaces and the auth event -----------------------------------------------------------------

def test_namespaces_share_one_connection_each_with_its_own_socket(peers):
    peer = peers(namespaces=["/", "/custom", "/dyn-42"])
    sids = {ns: peer.sid(ns) for ns in peer.namespaces}
    assert len(set(sids.values())) == 3, sids
    assert peer.client.sid not in sids.values()  # a namespace socket id is not the Engine.IO id
    for ns, sid in sids.items():
        assert peer.auth_seen[ns] == {}
        assert peer.ctl("ctl:rooms", ns=ns) == [sid]
        assert peer.ctl("ctl:sockets", {}, ns=ns) == [sid]
        peer.fence(ns)


def test_dynamic_namespaces_exist_on_first_use(peers):
    first = peers(namespaces=["/dyn-7"])
    second = peers(namespaces=["/dyn-7", "/dyn-8"])
    assert first.ctl("ctl:sockets", {}, ns="/dyn-7") == sorted([first.sid("/dyn-7"), second.sid("/dyn-7")])
    assert second.ctl("ctl:sockets", {}, ns="/dyn-8") == [second.sid("/dyn-8")]


def test_auth_event_echoes_the_connect_payload(peers):
    auth = {"token": "abc", "n": [1, 2.5, None, True, {"deep": "é"}]}
    peer = peers(namespaces=["/", "/custom"], auth=auth)
    assert peer.auth_seen == {"/": auth, "/custom": auth}
    peer.fence("/")
    peer.fence("/custom")


def test_unknown_namespaces_are_refused_as_invalid(peers):
    peer = peers(namespaces=["/", "/random", "/dyn-x"], connect=False)
    peer.client.connect(peer.url, transports=MODES[peer.mode], namespaces=peer.namespaces, wait=False)
    for ns in ("/random", "/dyn-x"):
        try:
            error = peer.connect_errors[ns].get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"{ns} was not refused within {WAIT}s") from None
        assert error == {"message": "Invalid namespace"}
    # The connection goes on: / still works.
    assert peer.next_event("/")[0] == "auth"
    peer.fence("/")


# ---- message, message-with-ack ------------------------------------------------------------------------

def test_message_is_echoed_as_message_back(peers):
    peer = peers()
    peer.client.emit("message", (1, "2", {"3": [True]}))
    assert peer.next_event() == ("message-back", [1, "2", {"3": [True]}])
    peer.fence()


def test_message_with_ack_is_acknowledged_with_the_same_arguments(peers):
    peer = peers()
    assert peer.client.call("message-with-ack", (1, "2", {"3": [False]}), timeout=WAIT) == (1, "2", {"3": [False]})
    assert peer.call("message-with-ack") == []
    assert peer.call("message-with-ack", None) == [None]
    peer.fence()


def test_custom_namespace_has_no_message_handlers(peers):
    peer = peers(namespaces=["/custom"])
    acked = threading.Event()
    peer.client.emit("message", (1,), namespace="/custom")
    peer.client.emit("message-with-ack", (1,), namespace="/custom", callback=lambda *a: acked.set())
    peer.fence("/custom")  # no message-back
    assert not acked.is_set()


# ---- acks from the server to the client -------------------------------------------------------------

def test_server_emit_with_ack_gets_the_client_answer(peers):
    peer = peers(answers={("ping-me", "/"): lambda *args: ("pong", 2, {"got": list(args)})})
    answer = peer.ctl("ctl:emit-with-ack", {"event": "ping-me", "args": [1, "x"], "timeoutMs": 5000})
    assert answer == {"ok": True, "response": ["pong", 2, {"got": [1, "x"]}]}
    assert peer.next_event() == ("ping-me", [1, "x"])
    peer.fence()


def test_server_emit_with_ack_times_out_when_the_client_does_not_answer(peers):
    def never(*args):
        raise NoAnswer()

    peer = peers(answers={("ignored", "/"): never})
    started = time.monotonic()
    answer = peer.ctl("ctl:emit-with-ack", {"event": "ignored", "args": [], "timeoutMs": 300})
    assert answer == {"ok": False, "error": "timeout"}
    assert time.monotonic() - started >= 0.3
    assert peer.next_event() == ("ignored", [])
    peer.fence()


def test_broadcast_with_ack_collects_one_answer_per_recipient(peers):
    answers = {("q", "/"): lambda n: f"answer-{n}"}
    a, b, c = peers(answers=answers), peers(answers=answers), peers(answers=answers)
    result = a.ctl("ctl:broadcast-with-ack", {"event": "q", "args": [7], "timeoutMs": 5000})
    assert result["ok"] is True
    assert result["responses"] == ["answer-7", "answer-7"]
    for peer in (b, c):
        assert peer.next_event() == ("q", [7])
        peer.fence()
    a.fence()


# ---- binary -------------------------------------------------------------------------------------------

def test_bytes_stay_binary_at_any_depth_in_events_and_acks(peers):
    def echo_bytes(*args):
        return ("echo", *args)

    peer = peers(answers={("bin-q", "/"): echo_bytes})
    nested = (b"\x00\x01\x02", {"a": [b"\xff", {"b": b""}]}, "text")
    peer.client.emit("message", nested)
    event, args = peer.next_event()
    assert (event, args) == ("message-back", list(nested))
    assert isinstance(args[0], bytes) and isinstance(args[1]["a"][0], bytes)

    assert peer.call("message-with-ack", *nested) == list(nested)

    # $bin in a control request becomes a real attachment, and the client's binary answer stays binary.
    answer = peer.ctl("ctl:emit-with-ack", {"event": "bin-q", "args": [{"k": [{"$bin": "AQID"}]}], "timeoutMs": 5000})
    assert answer == {"ok": True, "response": ["echo", {"k": [b"\x01\x02\x03"]}]}
    assert peer.next_event() == ("bin-q", [{"k": [b"\x01\x02\x03"]}])
    peer.fence()


# ---- rooms ---------------------------------------------------------------------------------------------

def test_join_leave_and_rooms_answer_sorted_rooms(peers):
    peer = peers()
    me = peer.sid()
    assert peer.ctl("ctl:join", "r2") == sorted([me, "r2"])
    assert peer.ctl("ctl:join", ["r1", "r3"]) == sorted([me, "r1", "r2", "r3"])
    assert peer.ctl("ctl:leave", ["r2", "not-joined"]) == sorted([me, "r1", "r3"])
    assert peer.ctl("ctl:rooms") == sorted([me, "r1", "r3"])
    assert peer.ctl("ctl:join", {"not": "a room"}) == {"ok": False, "error": "bad request"}
    assert peer.ctl("ctl:rooms") == sorted([me, "r1", "r3"])


def test_broadcasts_reach_exactly_the_targeted_sockets(peers):
    a, b, c = peers(), peers(), peers()
    a.ctl("ctl:join", "r1")
    b.ctl("ctl:join", ["r1", "r2"])
    c.ctl("ctl:join", "r2")
    assert a.ctl("ctl:sockets", {"room": "r1"}) == sorted([a.sid(), b.sid()])
    assert a.ctl("ctl:sockets", {"room": "r2"}) == sorted([b.sid(), c.sid()])

    def broadcast(request, receivers):
        assert a.ctl("ctl:broadcast", request) == {"ok": True}
        for peer in receivers:
            assert peer.next_event() == (request["event"], request["args"])
        for peer in (a, b, c):
            peer.fence()

    broadcast({"event": "to-r1", "args": [1], "to": "r1"}, [b])  # the sender is left out
    broadcast({"event": "to-both", "args": [2], "to": ["r1", "r2"]}, [b, c])  # b once, in two rooms
    broadcast({"event": "r2-but-r1", "args": [3], "to": "r2", "except": "r1"}, [c])
    broadcast({"event": "all-others", "args": [4]}, [b, c])
    broadcast({"event": "all-others-empty-to", "args": [5], "to": []}, [b, c])
    broadcast({"event": "with-self", "args": [6], "to": "r1", "includeSelf": True}, [a, b])
    broadcast({"event": "everyone-but-r2", "args": [7], "except": ["r2"], "includeSelf": True}, [a])


def test_private_message_through_the_own_id_room(peers):
    a, b, c = peers(), peers(), peers()
    request = {"event": "dm", "args": ["for b only", {"$bin": "AAE="}], "to": b.sid()}
    assert a.ctl("ctl:broadcast", request) == {"ok": True}
    assert b.next_event() == ("dm", ["for b only", b"\x00\x01"])
    for peer in (a, b, c):
        peer.fence()


# ---- the /auth middleware ---------------------------------------------------------------------------

def test_auth_namespace_refuses_a_bad_token_then_accepts_the_right_one(peers):
    refused = peers(namespaces=["/auth"], auth={"token": "nope"}, connect=False)
    refused.client.connect(refused.url, transports=MODES[refused.mode], namespaces=["/auth"],
                           auth={"token": "nope"}, wait=False)
    try:
        error = refused.connect_errors["/auth"].get(timeout=WAIT)
    except queue.Empty:
        raise AssertionError("no connect_error for /auth with a bad token") from None
    assert error == {"message": "unauthorized", "data": {"reason": "bad token"}}
    assert refused.client.get_sid("/auth") is None
    refused.close()

    # python-socketio's client cannot send a second CONNECT on the same connection: the retry is a
    # new connection.
    accepted = peers(namespaces=["/auth"], auth={"token": "secret"})
    assert accepted.auth_seen == {"/auth": {"token": "secret"}}
    assert accepted.ctl("ctl:rooms", ns="/auth") == [accepted.sid("/auth")]
    accepted.fence("/auth")


# ---- disconnects ---------------------------------------------------------------------------------------

def test_server_disconnect_of_one_namespace_leaves_the_others_connected(peers):
    observer = peers()
    peer = peers(namespaces=["/", "/custom"])
    sid = peer.sid("/")
    peer.client.emit("ctl:disconnect", {"close": False})
    assert peer.disconnected["/"].wait(WAIT), "the client saw no disconnect of /"
    assert peer.ctl("ctl:rooms", ns="/custom") == [peer.sid("/custom")]
    assert not peer.disconnected["/custom"].is_set()
    assert peer.client.connected
    assert wait_for_disconnect_reason(observer, sid) == "server namespace disconnect"
    peer.fence("/custom")


def test_server_disconnect_with_close_ends_the_whole_connection(peers):
    observer = peers()
    peer = peers(namespaces=["/", "/custom"])
    sids = [peer.sid("/"), peer.sid("/custom")]
    peer.client.emit("ctl:disconnect", {"close": True}, namespace="/custom")
    for ns in ("/", "/custom"):
        assert peer.disconnected[ns].wait(WAIT), f"the client saw no disconnect of {ns}"
    for sid in sids:
        assert wait_for_disconnect_reason(observer, sid) == "server namespace disconnect"
    assert not peer.client.connected
    observer.fence()


def test_client_disconnect_reason_is_recorded_by_the_server(peers):
    observer = peers()
    peer = peers(namespaces=["/", "/custom"])
    sids = [peer.sid("/"), peer.sid("/custom")]
    for sid in sids:
        assert observer.ctl("ctl:last-disconnect", {"sid": sid}) is None
    peer.client.disconnect()
    for sid in sids:
        # python-socketio's client has no namespace-only disconnect: disconnect() queues DISCONNECT
        # for each namespace and closes the Engine.IO connection right away (one POST `41␞1`, or a
        # WebSocket closed while the frames may still be on their way). Which of the two a server
        # handles first is its own business (socket.io 4.8 dispatches DISCONNECT a tick later and
        # answers "transport close" even for the POST), so either reason is right; anything else is
        # not.
        assert wait_for_disconnect_reason(observer, sid) in ("client namespace disconnect", "transport close")
    observer.fence()
