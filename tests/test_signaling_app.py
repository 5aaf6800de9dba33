"""The signaling app (scenarios/SIGNALING.md) over the wire, on the reference (`siocheck serve --app
signaling`) and on Node (conformance/fixtures/node/signaling.js): python-socketio's client for the
behaviour, raw WebSocket frames for the contract's literal packets, HTTP for the demo files.

The clients are python-socketio's AsyncClient on one event loop thread: it handles received packets
in arrival order (its handlers here never await), so "B gets joined, then ready" can be asserted.
"Nothing else arrived" is proven with a fence: a refused `create or join` whose `error` answer must
be the next event, since the server answers it after everything it sent that socket before.
"""

from __future__ import annotations

import asyncio
import queue
import shutil
import subprocess
import threading
import urllib.error
import urllib.request

import pytest
import socketio
import websocket  # python3-websocket (websocket-client)

from conftest import ROOT, start_signaling

WAIT = 10.0  # seconds: the longest any single expected thing may take on a busy machine
BUNDLE = ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
PAGE = ROOT / "scenarios" / "signaling" / "index.html"


@pytest.fixture(params=["reference", "node"])
def app(request, servers):
    return start_signaling(servers, request.param)


class Loop:
    """An asyncio event loop on a thread of its own, for the AsyncClients of one test."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout=WAIT):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=WAIT)
        self.loop.close()


class Peer:
    """A python-socketio client on namespace "/" that records every event it receives, in order."""

    def __init__(self, loop: Loop, url: str, name: str):
        self.loop, self.url, self.name = loop, url, name
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: queue.Queue = queue.Queue()
        self.disconnected = threading.Event()
        self.client.on("*", lambda event, *args: self.events.put((event, list(args))))
        self.client.on("disconnect", self.disconnected.set)

    def connect(self) -> "Peer":
        self.loop.run(self.client.connect(self.url, transports=["websocket"], wait_timeout=WAIT))
        return self

    def emit(self, event, *args):
        self.loop.run(self.client.emit(event, args))

    def next_event(self):
        try:
            return self.events.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"{self.name}: no event within {WAIT}s") from None

    def expect(self, event, *args):
        got = self.next_event()
        assert got == (event, list(args)), f"{self.name} got {got!r}, expected {(event, list(args))!r}"

    def fence(self):
        """Proves that nothing the server sent this client before now is left unread."""
        self.emit("create or join", 0)
        self.expect("error", {"event": "create or join", "message": "bad room"})

    def drop(self):
        """Closes the connection without leaving the namespace first (a closed tab)."""
        self.loop.run(self.client.eio.disconnect(abort=True))

    def close(self):
        if self.client.connected:
            self.loop.run(self.client.disconnect())


@pytest.fixture
def peers(app):
    loop = Loop()
    made = []

    def make(name):
        peer = Peer(loop, app.url, name).connect()
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()
    loop.close()


def pair(peers, room="r1", names=("a", "b")):
    a, b = peers(names[0]), peers(names[1])
    a.emit("create or join", room)
    a.expect("created", room)
    b.emit("create or join", room)
    b.expect("joined", room)
    b.expect("ready", room)
    a.expect("ready", room)
    return a, b


def test_the_first_creates_the_second_joins_both_are_ready_a_third_is_full(peers):
    a, b = pair(peers)
    c = peers("c")
    c.emit("create or join", "r1")
    c.expect("full", "r1")
    c.emit("create or join", "r2")  # not added to r1, so free to go elsewhere
    c.expect("created", "r2")
    a.fence()
    b.fence()


def test_offer_answer_and_candidates_reach_the_other_peer_only(peers):
    a, b = pair(peers, "r1", ("a", "b"))
    c, d = pair(peers, "r2", ("c", "d"))
    loner = peers("loner")
    offer = {"room": "r1", "sdp": {"type": "offer", "sdp": "v=0\r\n"}}
    answer = {"room": "r1", "sdp": {"type": "answer", "sdp": "v=0\r\n"}}
    candidate = {"room": "r1", "candidate": {"candidate": "candidate:1 1 udp 2113937151 192.0.2.2 40000 typ host",
                                             "sdpMid": "0", "sdpMLineIndex": 0}}
    a.emit("offer", offer)
    b.expect("offer", offer)
    b.emit("answer", answer)
    a.expect("answer", answer)
    a.emit("candidate", candidate)
    a.emit("candidate", {**candidate, "n": 2})
    b.expect("candidate", candidate)
    b.expect("candidate", {**candidate, "n": 2})
    # Every relay has reached its peer, so anything sent astray would already be queued before the
    # fence's answer: never back to the sender, never to another room, never to a socket in none.
    for peer in (a, b, c, d, loner):
        peer.fence()


def test_binary_in_a_relayed_message_stays_binary(peers):
    a, b = pair(peers)
    a.emit("candidate", {"room": "r1", "blob": b"\x00\x01\xff"})
    b.expect("candidate", {"room": "r1", "blob": b"\x00\x01\xff"})


def test_alone_in_the_room_a_relay_reaches_nobody(peers):
    a, other = peers("a"), peers("other")
    a.emit("create or join", "r1")
    a.expect("created", "r1")
    a.emit("offer", {"room": "r1"})
    a.fence()
    other.fence()


def test_bye_tells_the_other_peer_and_a_new_peer_makes_the_room_ready_again(peers):
    a, b = pair(peers)
    a.emit("bye", "r1")
    b.expect("bye", "r1")
    a.fence()  # the sender gets nothing
    c = peers("c")
    c.emit("create or join", "r1")
    c.expect("joined", "r1")
    c.expect("ready", "r1")
    b.expect("ready", "r1")
    a.emit("create or join", "r1")
    a.expect("full", "r1")


@pytest.mark.parametrize("how", ["disconnect", "connection closed"])
def test_leaving_by_disconnecting_is_a_bye(peers, how):
    a, b = pair(peers)
    if how == "disconnect":
        b.close()  # DISCONNECT, then the connection closes
    else:
        b.drop()
    assert b.disconnected.wait(WAIT)
    a.expect("bye", "r1")
    c = peers("c")
    c.emit("create or join", "r1")
    c.expect("joined", "r1")
    c.expect("ready", "r1")
    a.expect("ready", "r1")


def test_the_last_one_out_empties_the_room(peers):
    a, b = pair(peers)
    a.emit("bye", "r1")
    b.expect("bye", "r1")
    b.emit("bye", "r1")
    b.fence()
    c = peers("c")
    c.emit("create or join", "r1")
    c.expect("created", "r1")


def test_bad_rooms_are_refused_and_the_connection_goes_on(peers):
    a = peers("a")
    bad_room = {"event": "create or join", "message": "bad room"}
    for args in [(7,), ("",), (), ("r1", "r2"), ({"room": "r1"},), (None,), ("x" * 129,), ("€" * 43,)]:
        a.emit("create or join", *args)
        a.expect("error", bad_room)
    a.emit("bye", ["r1"])
    a.expect("error", {"event": "bye", "message": "bad room"})
    assert a.client.connected
    a.emit("create or join", "€" * 42)  # 126 bytes
    a.expect("created", "€" * 42)


def test_a_socket_is_in_one_room_at_a_time(peers):
    a, b = pair(peers)
    for room in ("r2", "r1"):
        b.emit("create or join", room)
        b.expect("error", {"event": "create or join", "message": "already in a room"})
    b.emit("create or join", 7)  # a bad room is refused as such first
    b.expect("error", {"event": "create or join", "message": "bad room"})
    c = peers("c")
    c.emit("create or join", "r2")
    c.expect("created", "r2")  # b was not added to r2
    a.fence()


def test_bad_relays_are_refused(peers):
    a, b = pair(peers)
    for event in ("offer", "answer", "candidate"):
        for args in [("r1",), (), ({"sdp": {}},), ({"room": 1},), ({"room": "r1"}, 2)]:
            a.emit(event, *args)
            a.expect("error", {"event": event, "message": "bad message"})
    b.fence()


def test_relays_and_bye_for_a_room_not_joined_are_refused(peers):
    a, b = pair(peers, "r1", ("a", "b"))
    c, d = pair(peers, "r2", ("c", "d"))
    loner = peers("loner")
    a.emit("offer", {"room": "r2"})
    a.expect("error", {"event": "offer", "message": "not in room"})
    loner.emit("candidate", {"room": "r1", "candidate": {}})
    loner.expect("error", {"event": "candidate", "message": "not in room"})
    loner.emit("bye", "r1")
    loner.expect("error", {"event": "bye", "message": "not in room"})
    a.emit("bye", "r2")
    a.expect("error", {"event": "bye", "message": "not in room"})
    for peer in (b, c, d):
        peer.fence()


# ---- the contract's literal packets ---------------------------------------------------------------

def raw_client(app):
    ws = websocket.create_connection(f"{app.ws_url}/socket.io/?EIO=4&transport=websocket", timeout=WAIT)
    assert ws.recv().startswith('0{"sid":')
    ws.send("40")
    assert ws.recv().startswith('40{"sid":"')
    return ws


def test_the_contracts_wire_examples_byte_for_byte(app):
    a, b, c = raw_client(app), raw_client(app), raw_client(app)
    a.send('42["create or join","r1"]')
    assert a.recv() == '42["created","r1"]'
    b.send('42["create or join","r1"]')
    assert b.recv() == '42["joined","r1"]'
    assert b.recv() == '42["ready","r1"]'
    assert a.recv() == '42["ready","r1"]'
    c.send('42["create or join","r1"]')
    assert c.recv() == '42["full","r1"]'
    offer = '42["offer",{"room":"r1","sdp":{"type":"offer","sdp":"v=0\\r\\n"}}]'
    a.send(offer)
    assert b.recv() == offer
    candidate = ('42["candidate",{"room":"r1","candidate":{"candidate":"candidate:1 1 udp 2113937151 192.0.2.2 '
                 '40000 typ host","sdpMid":"0","sdpMLineIndex":0}}]')
    b.send(candidate)
    assert a.recv() == candidate
    a.send('42["create or join",7]')
    assert a.recv() == '42["error",{"event":"create or join","message":"bad room"}]'
    b.send('42["create or join","r2"]')
    assert b.recv() == '42["error",{"event":"create or join","message":"already in a room"}]'
    b.send('42["offer","r1"]')
    assert b.recv() == '42["error",{"event":"offer","message":"bad message"}]'
    c.send('42["candidate",{"room":"r1","candidate":{}}]')
    assert c.recv() == '42["error",{"event":"candidate","message":"not in room"}]'
    a.send('42["bye","r1"]')
    assert b.recv() == '42["bye","r1"]'
    a.send('42["bye","r1"]')
    assert a.recv() == '42["error",{"event":"bye","message":"not in room"}]'
    c.send('42["create or join","r1"]')
    assert c.recv() == '42["joined","r1"]'
    assert c.recv() == '42["ready","r1"]'
    assert b.recv() == '42["ready","r1"]'
    c.close()
    assert b.recv() == '42["bye","r1"]'
    a.close()
    b.close()


def test_other_namespaces_do_not_exist(app):
    ws = websocket.create_connection(f"{app.ws_url}/socket.io/?EIO=4&transport=websocket", timeout=WAIT)
    ws.recv()
    ws.send("40/other,")
    assert ws.recv() == '44/other,{"message":"Invalid namespace"}'
    ws.close()


# ---- the demo's files -----------------------------------------------------------------------------

def http_get(url, method="GET"):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=WAIT) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type"), error.read()


def test_the_demo_page_and_the_client_bundle_are_served(app):
    page = PAGE.read_bytes()
    assert http_get(app.url + "/") == (200, "text/html; charset=utf-8", page)
    assert http_get(app.url + "/index.html?room=r1") == (200, "text/html; charset=utf-8", page)
    assert http_get(app.url + "/socket.io.min.js") == (200, "application/javascript; charset=utf-8",
                                                       BUNDLE.read_bytes())
    status, _, body = http_get(app.url + "/nothing-here")
    assert (status, body) == (404, b"not found: /nothing-here\n")
    assert http_get(app.url + "/", method="POST")[0] == 405


# ---- the reference's command line -----------------------------------------------------------------

def test_a_missing_client_bundle_is_a_usage_error_naming_the_path_and_the_fix(siocheck_bin, tmp_path):
    run = subprocess.run([str(siocheck_bin), "serve", "--app", "signaling", "--port", "0",
                          "--client-bundle", str(tmp_path / "nope.js")], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert run.stdout == ""
    assert f"--client-bundle: cannot read the socket.io-client browser bundle {tmp_path / 'nope.js'}" in run.stderr

    # A checkout without node_modules: the default bundle is missing, and the fix is npm ci there.
    checkout = tmp_path / "checkout"
    (checkout / "scenarios" / "signaling").mkdir(parents=True)
    shutil.copy(PAGE, checkout / "scenarios" / "signaling" / "index.html")
    (checkout / "build").mkdir()
    binary = checkout / "build" / "siocheck"
    shutil.copy(siocheck_bin, binary)
    run = subprocess.run([str(binary), "serve", "--app", "signaling", "--port", "0"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    bundle = checkout / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
    assert f"cannot read the socket.io-client browser bundle {bundle}; run `npm ci` in {checkout}" in run.stderr

    # An installed layout (bin/ beside share/siocheck/) without its bundle: the fix is a reinstall.
    prefix = tmp_path / "prefix"
    (prefix / "share" / "siocheck" / "scenarios" / "signaling").mkdir(parents=True)
    shutil.copy(PAGE, prefix / "share" / "siocheck" / "scenarios" / "signaling" / "index.html")
    (prefix / "bin").mkdir()
    shutil.copy(siocheck_bin, prefix / "bin" / "siocheck")
    run = subprocess.run([str(prefix / "bin" / "siocheck"), "serve", "--app", "signaling", "--port", "0"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    bundle = prefix / "share" / "siocheck" / "scenarios" / "signaling" / "socket.io.min.js"
    assert f"cannot read the socket.io-client browser bundle {bundle}; this installation lacks it" in run.stderr

    # A binary on its own: no default page, and the flag that gives one.
    (tmp_path / "alone").mkdir()
    shutil.copy(siocheck_bin, tmp_path / "alone" / "siocheck")
    run = subprocess.run([str(tmp_path / "alone" / "siocheck"), "serve", "--app", "signaling", "--port", "0"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert run.stderr.startswith("siocheck serve: --static-dir: this binary is neither in a siocheck checkout nor "
                                 "installed with its share/siocheck/, so it has no default demo page"), run.stderr

    run = subprocess.run([str(siocheck_bin), "serve", "--static-dir", str(tmp_path)], capture_output=True, text=True,
                         timeout=30)
    assert (run.returncode, run.stderr) == (2, "siocheck serve: --static-dir: only --app signaling serves files\n")
