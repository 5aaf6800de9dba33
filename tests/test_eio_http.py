"""`siocheck serve` over real sockets: the HTTP and WebSocket glue around the engine (limits,
keep-alive, cancelled requests, bad input), and the fixture's exact answers."""

import http.client
import json
import re
import socket
import threading

import pytest
import websocket  # python3-websocket (websocket-client)

SEP = "\x1e"


def request(server, method, query, body=None, headers=None, path="/engine.io/"):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, f"{path}?{query}" if query is not None else path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data.decode("utf-8", "replace")


def handshake(server) -> str:
    status, _, body = request(server, "GET", "EIO=4&transport=polling")
    assert status == 200, body
    return json.loads(body[1:])["sid"]


def test_handshake_is_the_fixture_open_packet(servers):
    server = servers.start()  # the fixture defaults: 300 / 200 / 1000000
    status, headers, body = request(server, "GET", "EIO=4&transport=polling")
    assert status == 200
    assert re.fullmatch(r'0\{"sid":"[A-Za-z0-9_-]{20}","upgrades":\["websocket"\],"pingInterval":300,'
                        r'"pingTimeout":200,"maxPayload":1000000\}', body), body
    assert headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert int(headers["Content-Length"]) == len(body.encode())


@pytest.mark.parametrize("method,query,status,code", [
    ("GET", "transport=polling", 400, 5),
    ("GET", "EIO=3&transport=polling", 400, 5),
    ("GET", "EIO=4", 400, 0),
    ("GET", "EIO=4&transport=abc", 400, 0),
    ("GET", "EIO=4&transport=websocket", 400, 3),
    ("POST", "EIO=4&transport=polling", 400, 2),
    ("PUT", "EIO=4&transport=polling", 400, 2),
    ("GET", "EIO=4&transport=polling&sid=unknown", 400, 1),
])
def test_refused_requests_get_their_code(server, method, query, status, code):
    got_status, headers, body = request(server, method, query)
    assert got_status == status
    assert json.loads(body)["code"] == code
    assert headers["Content-Type"] == "application/json"
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_put_on_a_session_is_500(server):
    sid = handshake(server)
    status, _, body = request(server, "PUT", f"EIO=4&transport=polling&sid={sid}")
    assert (status, body) == (500, "")


def test_post_echo_and_batching(server):
    sid = handshake(server)
    payload = f"4hello{SEP}4€uro{SEP}bAQIDBA=="
    status, headers, body = request(server, "POST", f"EIO=4&transport=polling&sid={sid}", body=payload.encode())
    assert (status, body) == (200, "ok")
    assert headers["Content-Type"] == "text/html"
    status, headers, body = request(server, "GET", f"EIO=4&transport=polling&sid={sid}")
    assert body == payload
    assert headers["Content-Length"] == "24"  # bytes, not characters


def test_post_past_max_payload_is_413_and_the_session_goes_on(server):
    sid = handshake(server)
    status, _, body = request(server, "POST", f"EIO=4&transport=polling&sid={sid}", body=b"4" + b"x" * 1_000_010)
    assert (status, body) == (413, "")
    assert request(server, "POST", f"EIO=4&transport=polling&sid={sid}", body=b"4alive")[2] == "ok"
    assert request(server, "GET", f"EIO=4&transport=polling&sid={sid}")[2] == "4alive"


def test_expect_100_continue_is_answered(server):
    sid = handshake(server)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall((f"POST /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n"
                   "Content-Length: 6\r\nExpect: 100-continue\r\n\r\n").encode())
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(b"4hello")
        assert s.recv(1000).split(b"\r\n\r\n", 1)[1] == b"ok"


def test_keep_alive_serves_several_requests_on_one_connection(server):
    sid = handshake(server)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    for i in range(5):
        conn.request("POST", f"/engine.io/?EIO=4&transport=polling&sid={sid}", body=f"4n{i}".encode())
        assert conn.getresponse().read() == b"ok"
        conn.request("GET", f"/engine.io/?EIO=4&transport=polling&sid={sid}")
        assert conn.getresponse().read() == f"4n{i}".encode()
    conn.close()


def held_get(server, sid):
    """Sends a GET on a raw socket and returns the socket once the server holds the request."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(f"GET /engine.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    server.wait_for_log(f"sid={sid} poll held")
    return s


@pytest.fixture
def debug_server(servers):
    return servers.start("--ping-interval", "25000", "--ping-timeout", "20000", "--log", "debug")


def test_a_cancelled_get_closes_the_session(debug_server):
    server = debug_server
    sid = handshake(server)
    held_get(server, sid).close()
    server.wait_for_log(f'session close sid={sid} reason="transport error"')
    status, _, body = request(server, "GET", f"EIO=4&transport=polling&sid={sid}")
    assert (status, json.loads(body)["code"]) == (400, 1)


def test_a_second_concurrent_get_is_400_and_the_first_gets_close(debug_server):
    server = debug_server
    sid = handshake(server)
    with held_get(server, sid) as first:
        assert request(server, "GET", f"EIO=4&transport=polling&sid={sid}")[:3:2] == (400, "")
        response = first.recv(1000)
    assert response.startswith(b"HTTP/1.1 200")
    assert response.split(b"\r\n\r\n", 1)[1] == b"1"


def test_oversized_headers_get_431_and_the_server_stays_up(server):
    status, _, _ = request(server, "GET", "EIO=4&transport=polling", headers={"X-Big": "y" * 20000})
    assert status == 431
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\n" +
                  b"".join(f"X-H{i}: v\r\n".encode() for i in range(3000)) + b"\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 431")
    handshake(server)


def test_malformed_http_is_400_and_the_server_stays_up(server):
    for garbage in (b"GARBAGE\r\n\r\n", b"GET /engine.io/ HTTP/9.9\r\n\r\n", b"\x00\x01\x02\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(garbage)
            assert s.recv(100).startswith(b"HTTP/1.1 400"), garbage
    handshake(server)


def test_an_unknown_path_is_404_naming_the_served_paths(server):
    status, _, body = request(server, "GET", "EIO=4&transport=polling", path="/engine.io")
    assert status == 404
    assert "/engine.io/" in body


def ws_connect(server, query):
    return websocket.create_connection(f"{server.ws_url}/engine.io/?{query}", timeout=10)


def test_websocket_only_session_echoes_text_and_binary(server):
    ws = ws_connect(server, "EIO=4&transport=websocket")
    opening = ws.recv()
    assert opening.startswith('0{"sid":') and '"upgrades":[]' in opening
    ws.send("4hé")
    assert ws.recv() == "4hé"
    ws.send_binary(bytes([1, 2, 3]))
    assert ws.recv() == bytes([1, 2, 3])
    ws.close()


def test_upgrade_probe_switch_and_a_second_websocket(server):
    sid = handshake(server)
    held = {}
    poll = threading.Thread(target=lambda: held.update(
        zip(("status", "headers", "body"), request(server, "GET", f"EIO=4&transport=polling&sid={sid}"))))
    poll.start()
    ws = ws_connect(server, f"EIO=4&transport=websocket&sid={sid}")
    ws.send("2probe")
    assert ws.recv() == "3probe"
    poll.join(timeout=10)
    assert held["body"] == "6"  # the held GET is ended so the client can pause polling
    ws.send("5")
    ws.send("4upgraded")
    assert ws.recv() == "4upgraded"
    status, _, body = request(server, "GET", f"EIO=4&transport=polling&sid={sid}")
    assert (status, json.loads(body)["code"]) == (400, 3)
    second = ws_connect(server, f"EIO=4&transport=websocket&sid={sid}")
    opcode, frame = second.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE  # accepted, then closed at once
    ws.send("4still")
    assert ws.recv() == "4still"
    ws.close()


def test_a_websocket_message_past_max_payload_is_closed_with_1009(servers):
    server = servers.start("--ping-interval", "25000", "--ping-timeout", "20000", "--max-payload", "1000")
    ws = ws_connect(server, "EIO=4&transport=websocket")
    ws.recv()
    ws.send("4" + "x" * 2000)
    opcode, frame = ws.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], "big") == 1009
    server.wait_for_log('reason="transport error"')


def test_bad_input_on_one_session_leaves_the_others_alone(server):
    healthy = ws_connect(server, "EIO=4&transport=websocket")
    healthy.recv()
    for bad in ("abc", "", "2"):
        victim = ws_connect(server, "EIO=4&transport=websocket")
        victim.recv()
        victim.send(bad)
        opcode, _ = victim.recv_data_frame(True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE, f"{bad!r} must close its own session"
    sid = handshake(server)
    request(server, "POST", f"EIO=4&transport=polling&sid={sid}", body=b"")  # parse error
    healthy.send("4fine")
    assert healthy.recv() == "4fine"
    healthy.close()


def test_max_sessions_answers_403(servers):
    server = servers.start("--ping-interval", "25000", "--ping-timeout", "20000", "--max-sessions", "2")
    handshake(server)
    handshake(server)
    status, _, body = request(server, "GET", "EIO=4&transport=polling")
    assert (status, json.loads(body)) == (403, {"code": 4, "message": "Forbidden"})


def test_sessions_close_by_ping_timeout_without_pongs(servers):
    server = servers.start("--ping-interval", "300", "--ping-timeout", "200")
    sid = handshake(server)
    assert request(server, "GET", f"EIO=4&transport=polling&sid={sid}")[2] == "2"
    server.wait_for_log(f'session close sid={sid} reason="ping timeout"')


def test_a_text_frame_that_is_not_utf8_is_closed_with_1007(server):
    ws = ws_connect(server, "EIO=4&transport=websocket")
    ws.recv()
    ws.send_frame(websocket.ABNF.create_frame(b"4\xff\xfe", websocket.ABNF.OPCODE_TEXT))
    opcode, frame = ws.recv_data_frame(True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], "big") == 1007
    server.wait_for_log('reason="transport error"')
