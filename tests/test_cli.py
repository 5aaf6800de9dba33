"""The command line: exit statuses, errors that name the bad flag, decode output."""

import socket
import subprocess

import pytest


def run(siocheck_bin, *args, stdin=None):
    return subprocess.run([str(siocheck_bin), *args], capture_output=True, text=True, input=stdin, timeout=30)


def test_help_exits_0_and_lists_the_commands(siocheck_bin):
    result = run(siocheck_bin, "--help")
    assert result.returncode == 0
    assert "serve" in result.stdout and "decode" in result.stdout


@pytest.mark.parametrize("args,flag", [
    (("serve", "--cors", "example.com"), "--cors"),
    (("serve", "--port", "70000"), "--port"),
    (("serve", "--ping-interval", "0"), "--ping-interval"),
    (("serve", "--log", "loud"), "--log"),
    (("serve", "--eio-path", "engine"), "--eio-path"),
    (("serve", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.pem"), "--tls-cert"),
    (("serve", "--bogus"), "--bogus"),
    (("decode", "--as", "xml", "4x"), "--as"),
])
def test_bad_flags_exit_2_naming_the_flag(siocheck_bin, args, flag):
    result = run(siocheck_bin, *args)
    assert result.returncode == 2, result
    assert flag in result.stderr, result.stderr


def test_no_command_and_unknown_command_exit_2(siocheck_bin):
    assert run(siocheck_bin).returncode == 2
    assert run(siocheck_bin, "frobnicate").returncode == 2


def test_a_busy_port_exits_2_naming_the_address(siocheck_bin):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(siocheck_bin, "serve", "--port", str(port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_decode_a_packet(siocheck_bin):
    result = run(siocheck_bin, "decode", "4hello")
    assert result.returncode == 0
    assert "type: message (4)" in result.stdout
    assert 'data: text, 5 bytes: "hello"' in result.stdout


def test_decode_a_payload_with_escapes_and_binary(siocheck_bin):
    result = run(siocheck_bin, "decode", "--escapes", r"4a\x1ebAQID\x1e2")
    assert result.returncode == 0
    assert "3 valid packets" in result.stdout
    assert "binary, 3 bytes: 01 02 03" in result.stdout
    assert "type: ping (2)" in result.stdout


def test_decode_reads_stdin_without_its_trailing_newline(siocheck_bin):
    result = run(siocheck_bin, "decode", stdin="4hi\n")
    assert result.returncode == 0
    assert 'data: text, 2 bytes: "hi"' in result.stdout


def test_decode_names_the_invalid_record_and_exits_1(siocheck_bin):
    result = run(siocheck_bin, "decode", "--escapes", r"4a\x1eabc\x1e4b")
    assert result.returncode == 1
    assert 'invalid record #2 at byte 3 "abc"' in result.stderr
    assert "unknown Engine.IO packet type" in result.stderr


def test_decode_rejects_a_bad_escape_with_2(siocheck_bin):
    result = run(siocheck_bin, "decode", "--escapes", r"4\xZZ")
    assert result.returncode == 2
    assert "needs two hex digits" in result.stderr


def test_decode_reads_the_socket_io_packet_in_a_message(siocheck_bin):
    result = run(siocheck_bin, "decode", '42/chat,7["message",1,"2"]')
    assert result.returncode == 0
    assert "socket.io: EVENT" in result.stdout
    assert "namespace: /chat" in result.stdout
    assert "ack id: 7" in result.stdout
    assert 'payload: ["message",1,"2"]' in result.stdout


def test_decode_reassembles_binary_packets_across_records(siocheck_bin):
    result = run(siocheck_bin, "decode", "-e", r'451-["b",{"_placeholder":true,"num":0}]\x1ebAQID')
    assert result.returncode == 0
    assert "BINARY_EVENT, waiting for 1 attachment" in result.stdout
    assert "attachment 0: 01 02 03" in result.stdout


def test_decode_layers(siocheck_bin):
    relaxed = run(siocheck_bin, "decode", "4hello")
    assert relaxed.returncode == 0
    assert "not a Socket.IO packet" in relaxed.stdout
    assert "socket.io" not in run(siocheck_bin, "decode", "--layer", "eio", "4hello").stdout
    strict = run(siocheck_bin, "decode", "--layer", "sio", "4hello")
    assert strict.returncode == 1
    assert 'invalid Socket.IO packet "hello"' in strict.stderr
    unfinished = run(siocheck_bin, "decode", "--layer", "sio", "-e", r'452-["b",{"_placeholder":true,"num":0}]\x1ebAQID')
    assert unfinished.returncode == 1
    assert "ends before the attachments" in unfinished.stderr
