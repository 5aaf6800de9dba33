"""The official engine.io-client (npm, pinned in package-lock.json) against `siocheck serve`:
polling only, websocket only, and polling upgraded to websocket, over http and https."""

import json
import signal
import subprocess
import threading

import pytest

from conftest import LONG_HEARTBEAT, ROOT, JS_DIR, run_node

MODES = ["polling", "websocket", "upgrade"]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with openssl for this run."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def check_echo_run(result: dict, mode: str) -> None:
    assert result["errors"] == []
    assert result["openTransport"] == ("websocket" if mode == "websocket" else "polling")
    assert result["textEcho"], "text came back changed"
    assert result["binaryIsBinary"], "binary came back as text"
    assert result["binaryEcho"], "binary came back changed"
    assert result["received"] == 1000
    assert result["inOrder"], "the 1,000 messages came back out of order"
    assert result["upgraded"] == (mode == "upgrade")
    assert result["finalTransport"] == ("polling" if mode == "polling" else "websocket")
    assert result["closeReason"] == "forced close"  # the client's own clean close()


@pytest.mark.parametrize("mode", MODES)
def test_client_echoes_text_binary_and_1000_messages_in_order(server, mode):
    result = run_node("eio_client.mjs", "echo", server.url, mode, "1000")
    check_echo_run(result, mode)
    # The server saw the client leave cleanly.
    server.wait_for_log('reason="transport close"')


@pytest.mark.parametrize("mode", MODES)
def test_client_over_tls(servers, tls_files, mode):
    cert, key = tls_files
    server = servers.start(*LONG_HEARTBEAT, "--tls-cert", str(cert), "--tls-key", str(key))
    assert server.url.startswith("https://")
    result = run_node("eio_client.mjs", "echo", server.url, mode, "1000", env={"NODE_EXTRA_CA_CERTS": str(cert)})
    check_echo_run(result, mode)


@pytest.mark.parametrize("mode", MODES)
def test_server_shutdown_is_a_clean_close_for_the_client(servers, mode):
    server = servers.start(*LONG_HEARTBEAT)
    client = subprocess.Popen(["node", str(JS_DIR / "eio_client.mjs"), "wait-close", server.url, mode],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        ready = {}
        reader = threading.Thread(target=lambda: ready.update(json.loads(client.stdout.readline() or "{}")))
        reader.start()
        reader.join(timeout=20)
        assert ready.get("ready"), f"the client did not connect: {client.stderr.read() if client.poll() else ''}"
        assert server.stop(signal.SIGTERM) == 0, "SIGTERM must stop the server with status 0"
        out, err = client.communicate(timeout=20)
        result = json.loads(out.strip().splitlines()[-1])
    finally:
        if client.poll() is None:
            client.kill()
    assert result["closeReason"] == "transport close", result
    log = server.log()
    assert "shutting down (SIGTERM)" in log
    assert 'reason="forced close" detail="server shutting down"' in log
