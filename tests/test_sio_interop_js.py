"""The official socket.io-client (npm, pinned in package-lock.json) against the Socket.IO fixtures of
conformance/FIXTURE.md: namespaces, auth, events, acks both ways, binary, rooms, the /auth middleware
and disconnects, over polling only, websocket only, and polling upgraded to websocket.

tests/js/sio_client.mjs runs one scenario and reports what the client saw; the assertions are here.
"""

import json

import pytest

from conftest import LONG_HEARTBEAT, run_node, start_fixture

# The fixtures the client is run against (keys of conftest.FIXTURE_COMMANDS). "reference"
# (`siocheck serve`) and "python" are added here as they land.
TARGETS = ["reference", "node", "python"]

MODES = ["polling", "websocket", "upgrade"]

INVALID_NAMESPACE = {"message": "Invalid namespace", "data": None}
BAD_TOKEN = {"message": "unauthorized", "data": {"reason": "bad token"}}
BAD_REQUEST = {"ok": False, "error": "bad request"}
OK = {"ok": True}


def b(*values: int) -> dict:
    """A binary value as sio_client.mjs reports it."""
    return {"__binary__": bytes(values).hex()}


# Where a fixture cannot follow the contract (conformance/FIXTURE.md, "Known gaps"), the test is
# expected to fail there, strictly: it fails the run once the gap closes. (test, mode or None for
# every mode) -> the gap, for each target.
KNOWN_GAPS = {
    "python": {
        ("test_namespaces_are_multiplexed_over_one_connection", None):
            "gap 6: unknown namespaces are refused with \"Unable to connect\", not Invalid namespace; "
            "gap 12 over polling: CONNECTs sent in one payload lose their auth event",
        ("test_server_disconnect_with_close_ends_every_namespace", "polling"):
            "gap 10: over polling the DISCONNECT packets of disconnect(true) are lost, the client sees "
            "transport close",
    },
}


@pytest.fixture(params=TARGETS)
def target(request, servers):
    """The fixture `request.param`, with a long heartbeat, on a free port."""
    gaps = KNOWN_GAPS.get(request.param, {})
    name = request.node.originalname
    mode = request.node.callspec.params.get("mode")
    reason = gaps.get((name, None)) or gaps.get((name, mode))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=f"{request.param}: {reason}", strict=True))
    return start_fixture(servers, request.param, *LONG_HEARTBEAT)


def scenario(name: str, target, mode: str) -> dict:
    """Runs one scenario of sio_client.mjs; checks that it ran through on the transports of `mode`."""
    result = run_node("sio_client.mjs", name, target.url, mode)
    assert result["errors"] == [], "the scenario failed:\n" + "\n".join(result["errors"])
    opened = "websocket" if mode == "websocket" else "polling"
    final = "polling" if mode == "polling" else "websocket"
    assert result["transports"], "no connection was made"
    for conn in result["transports"]:
        assert conn["open"] == opened, conn
        # Connections the scenario closed early report no final transport; the others ran to the end.
        if conn["final"] is not None:
            assert conn["final"] == final, conn
            assert conn["upgraded"] == (mode == "upgrade"), conn
    assert result["transports"][0]["final"] is not None, "the main connection did not run to the end"
    return result


@pytest.mark.parametrize("mode", MODES)
def test_namespaces_are_multiplexed_over_one_connection(target, mode):
    r = scenario("namespaces", target, mode)
    ids = r["ids"]
    root, custom, dyn, dyn_name = ids["root"], ids["custom"], ids["dyn"], r["dynName"]
    # One connection, three namespaces, a socket id of its own in each (not the Engine.IO id).
    assert r["sameEngine"]
    assert len(set(ids.values())) == 5, ids
    assert r["engineId"] not in ids.values()
    assert r["auth"] == {"root": [[{}]], "custom": [[{"k": "c"}]], "dyn": [[{}]], "root2": [[{}]], "custom2": [[{}]]}
    # Unknown namespaces are refused on the same connection, which carries on.
    assert r["refused"] == {"random": INVALID_NAMESPACE, "dynBad": INVALID_NAMESPACE}
    # Replies are not ordered across namespaces: compare as sets of exact packets.
    assert sorted(r["connectsReceived"]) == sorted([
        f'0{{"sid":"{root}"}}',
        f'0/custom,{{"sid":"{custom}"}}',
        f'0{dyn_name},{{"sid":"{dyn}"}}',
        '4/random,{"message":"Invalid namespace"}',
        '4/dyn-x,{"message":"Invalid namespace"}',
    ])
    # Interleaved requests are each answered by the namespace they were sent on.
    assert r["burst"] == [[[root, custom, dyn][i % 3]] for i in range(20)]
    # Rooms are per namespace.
    assert r["rooms"] == [sorted([root, "shared"]), sorted([custom, "shared"]), sorted([dyn, "shared"])]
    assert r["sharedRoom"] == [[root], [custom], [dyn]]
    assert r["socketsPerNsp"] == [sorted([root, ids["root2"]]), sorted([custom, ids["custom2"]]), [dyn]]
    # A broadcast to all others reaches the other sockets of its own namespace only.
    assert r["broadcastAck"] == OK and r["customAck"] == OK
    assert r["events"] == {
        "root": [],
        "custom": [["hello-ns", "from /custom"]],
        "dyn": [],
        "root2": [["hello-ns", "from /"]],
        "custom2": [],
    }


@pytest.mark.parametrize("mode", MODES)
def test_auth_event_echoes_the_connect_payload_byte_for_byte(target, mode):
    r = scenario("auth", target, mode)
    expected = {
        "/": {"z": 1, "a": {"y": [1, "2", None, True, False, -0.5, 1e21], "b": "\u00e9 \u2028 \"q\" \\"}, "m": {}},
        "/custom": {"token": "abc", "list": [{"b": 2, "a": 1}]},
        "/auth": {"token": "secret", "extra": []},
        r["dynName"]: {},
    }
    assert set(r["wire"]) == set(expected)
    for nsp, payload in expected.items():
        # Exactly one auth event, with the payload (key order included).
        assert r["auth"][nsp] == [[payload]], nsp
        assert list(r["auth"][nsp][0][0]) == list(payload), f"{nsp}: key order changed"
        # On the wire: the JSON the client sent comes back as the same bytes.
        prefix = "" if nsp == "/" else f"{nsp},"
        connect, auth_event = r["wire"][nsp]["connect"], r["wire"][nsp]["authEvent"]
        assert connect.startswith(f"0{prefix}"), connect
        sent = connect[len(prefix) + 1:] or "{}"
        assert json.loads(sent) == payload
        assert auth_event == f'2{prefix}["auth",{sent}]', nsp
    assert r["bareAuth"] == [[{}]]
    assert r["bareWire"] == {"connect": "0", "authEvent": '2["auth",{}]'}


@pytest.mark.parametrize("mode", MODES)
def test_message_is_echoed_as_message_back_on_root_only(target, mode):
    r = scenario("message", target, mode)
    assert r["messageBack"] == [1, "2", {"3": [True]}]
    assert r["messageBackEmpty"] == []
    assert r["messageBackWire"] == ['2["message-back",1,"2",{"3":[true]}]', '2["message-back"]']
    # message-with-ack is acknowledged with exactly its arguments.
    assert r["ackFirst"] == "only"
    assert r["ackAll"] == [1, "2", {"3": [False]}]
    assert r["ackNone"] == []
    assert r["ackWire"][:3] == ['30["only",2]', '31[1,"2",{"3":[false]}]', "32[]"]
    # Nothing else came to `/`, and nothing at all to /custom, which has no message handlers.
    assert r["rootEvents"] == [["message-back", 1, "2", {"3": [True]}], ["message-back"]]
    assert r["customEvents"] == []


@pytest.mark.parametrize("mode", MODES)
def test_acks_both_ways_with_timeouts(target, mode):
    r = scenario("acks", target, mode)
    to_server, to_client = r["toServer"], r["toClient"]
    # Client to server: emitWithAck and callbacks, ten at once; an event nobody answers times out.
    assert to_server["emitWithAck"] == {"a": [1, {"b": "c"}]}
    assert to_server["callback"] == ["x", 2, None]
    assert to_server["concurrent"] == list(range(10))
    assert to_server["unanswered"] == "operation has timed out"
    # Server to client, through ctl:emit-with-ack.
    assert to_client["answered"] == {"ok": True, "response": ["pong", 2]}
    assert to_client["noArgs"] == {"ok": True, "response": []}
    assert to_client["crossed"] == [{"ok": True, "response": ["slow answer"]},
                                    {"ok": True, "response": ["fast answer"]}]
    assert to_client["timeout"] == {"ok": False, "error": "timeout"}
    # The client did get the event it never answered, and a late answer breaks nothing.
    assert r["seen"] == [["ping-me", "x", {"n": 1}], ["ignore-me", 7]]
    assert to_client["afterLate"] == OK
    assert r["connected"] is True
    # A timeout that is not a positive integer (or none) is a bad request; nothing is emitted.
    assert to_client["badTimeout"] == BAD_REQUEST
    assert to_client["noTimeout"] == BAD_REQUEST
    assert r["events"] == [
        ["ping-me", "x", {"n": 1}, "__ack__"],
        ["no-args", "__ack__"],
        ["slow", "__ack__"],
        ["fast", "__ack__"],
        ["ignore-me", 7, "__ack__"],
    ]


@pytest.mark.parametrize("mode", MODES)
def test_buffers_stay_binary_in_events_and_acks(target, mode):
    r = scenario("binary", target, mode)
    all256 = b(*range(256))
    assert r["messageBack"] == [{"a": [b(1, 2, 3)]}, all256, "text"]
    assert r["ack"] == [{"x": {"y": [b(9)]}}, [b(), b(0xFF, 0)]]
    # $bin in ctl:emit-with-ack arrives as binary; the client's binary answer comes back binary.
    assert r["emitted"] == {"ok": True, "response": [{"echo": b(4, 5, 6), "list": [b(7, 7)]}, b(42)]}
    assert r["broadcastAck"] == OK
    assert r["events"] == [
        ["message-back", {"a": [b(1, 2, 3)]}, all256, "text"],
        ["bin-q", {"deep": [{"b": b(4, 5, 6)}]}, b(1), "__ack__"],
        ["bin-news", {"k": [[b(0xCA, 0xFE)]]}, "plain"],
    ]
    # Binary packets (types 5 and 6) with their attachment counts, placeholders numbered depth-first.
    wire = r["binaryWire"]
    assert wire[0] == ('52-["message-back",{"a":[{"_placeholder":true,"num":0}]},'
                       '{"_placeholder":true,"num":1},"text"]')
    assert [p.split("-", 1)[0] for p in wire] == ["52", "63", "52", "63", "51"], wire


ROOM_STEPS = {
    # label: who gets the "news" event
    "to-r1": "B",
    "to-r1-r2": "BC",  # B is in both rooms and gets it once
    "all-others": "BCD",
    "all-others-empty-to": "BCD",
    "except-r2": "D",
    "to-r1-r2-except-r1": "C",
    "to-r1-self": "AB",
    "all-self": "ABCD",
    "all-self-except-r1": "CD",
    "private-to-C": "C",
    "private-to-A": "A",
    "private-to-self": "",
    "private-to-self-included": "D",
    "to-r1-after-B-left": "A",
    "uncompressed-to-r2": "BC",
    "bad-request": "",
}


@pytest.mark.parametrize("mode", MODES)
def test_rooms_to_except_all_others_include_self_and_private(target, mode):
    r = scenario("rooms", target, mode)
    ids = r["ids"]
    A, B, C, D = (ids[n] for n in "ABCD")
    assert len({A, B, C, D}) == 4
    # Joins answer the socket's rooms, its own id included, sorted.
    assert r["joins"] == {"A": sorted([A, "r1"]), "B": sorted([B, "r1", "r2"]), "C": sorted([C, "r2"]), "D": [D]}
    assert r["sockets"] == {"r1": sorted([A, B]), "r2": sorted([B, C]), "all": sorted([A, B, C, D]), "none": []}
    assert r["leaveAck"] == sorted([B, "r2"])
    assert [s["label"] for s in r["steps"]] == list(ROOM_STEPS)
    for step in r["steps"]:
        label = step["label"]
        assert step["ack"] == (BAD_REQUEST if label == "bad-request" else OK), label
        expected = {n: [label] if n in ROOM_STEPS[label] else [] for n in "ABCD"}
        assert step["got"] == expected, label


@pytest.mark.parametrize("mode", MODES)
def test_broadcast_with_ack_collects_answers_and_times_out(target, mode):
    r = scenario("broadcast-ack", target, mode)
    # The first ack argument of each recipient, in any order.
    assert r["all"]["ok"] is True and set(r["all"]) == {"ok", "responses"}
    assert sorted(map(json.dumps, r["all"]["responses"])) == sorted(map(json.dumps, ["b-answer-1", {"c": 1}]))
    assert r["partial"] == {"ok": False, "error": "timeout", "responses": ["b-answer-2"]}
    assert r["nobody"] == {"ok": True, "responses": []}
    assert r["bad"] == BAD_REQUEST  # no timeoutMs
    assert r["events"] == {"A": [], "B": [["q", 1, "__ack__"], ["q", 2, "__ack__"]],
                           "C": [["q", 1, "__ack__"], ["q", 2, "__ack__"]]}


@pytest.mark.parametrize("mode", MODES)
def test_middleware_refusal_then_retry_on_the_same_connection(target, mode):
    r = scenario("middleware", target, mode)
    assert r["first"] == BAD_TOKEN
    assert r["second"] == BAD_TOKEN  # a token that is not a string
    assert r["bare"] == BAD_TOKEN  # no CONNECT payload at all
    assert r["refusalsWire"] == ['4/auth,{"message":"unauthorized","data":{"reason":"bad token"}}'] * 2
    # The third try succeeds on the connection the refusals came on.
    assert r["sameConnection"] is True
    assert r["connected"] is True
    assert r["authEvent"] == [[{"token": "secret"}]]
    assert r["rooms"] == [r["authId"]]


@pytest.mark.parametrize("mode", MODES)
def test_server_disconnect_ends_one_namespace(target, mode):
    r = scenario("server-disconnect", target, mode)
    assert r["reason"] == "io server disconnect"
    assert r["customDisconnects"] == ["io server disconnect"]
    assert r["customConnected"] is False
    assert r["disconnectWire"] == ["1/custom,"]
    # `/` on the same connection is untouched, and the server recorded its own reason.
    assert r["rootConnected"] is True and r["rootDisconnects"] == []
    assert r["rootFence"] == OK
    assert r["engineOpen"] == "open"
    assert r["recorded"] == "server namespace disconnect"
    assert r["bad"] == BAD_REQUEST


@pytest.mark.parametrize("mode", MODES)
def test_server_disconnect_with_close_ends_every_namespace(target, mode):
    r = scenario("server-close", target, mode)
    namespaces = r["namespaces"]
    assert namespaces == ["/", "/custom", r["dynName"]]
    assert r["reasons"] == ["io server disconnect"] * 3
    assert r["disconnects"] == [["io server disconnect"]] * 3
    # A DISCONNECT for every namespace (in any order), then the connection closed.
    assert sorted(r["disconnectWire"]) == sorted(["1", "1/custom,", f"1{r['dynName']},"])
    assert r["engineState"] == "closed"
    assert r["recorded"] == ["server namespace disconnect"] * 3


@pytest.mark.parametrize("mode", MODES)
def test_client_disconnect_is_recorded_by_the_server(target, mode):
    r = scenario("client-disconnect", target, mode)
    assert r["customReasons"] == ["io client disconnect"]
    assert r["sentWire"] == ["1/custom,", "1"]
    # Asked on the same connection (after the DISCONNECT packet) and from another one.
    assert r["sameConnection"] == "client namespace disconnect"
    assert r["otherConnection"] == "client namespace disconnect"
    assert r["unknown"] is None
    # `/` stayed connected until it left too.
    assert r["stillConnected"] == [r["rootId"]]
    assert r["rootReasons"] == ["io client disconnect"]
    assert r["rootRecorded"] == "client namespace disconnect"
