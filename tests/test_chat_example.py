"""examples/chat, driven by the official socket.io-client: three users join, talk, type, leave."""

import pytest

from conftest import ROOT, run_node


@pytest.fixture
def chat(servers, siocheck_bin):
    binary = siocheck_bin.parent.parent / "examples" / "siocheck-chat"
    if not binary.exists():
        raise pytest.UsageError(f"{binary} is missing: build the dev preset")
    return servers.start_command([str(binary), "0"])


def test_three_users_chat(chat):
    seen = run_node("chat_client.mjs", chat.url)["seen"]
    assert seen["alice"] == [
        ["login", {"numUsers": 1}],
        ["user joined", {"username": "bob", "numUsers": 2}],
        ["user joined", {"username": "carol", "numUsers": 3}],
        ["new message", {"username": "bob", "message": "hi alice"}],  # not her own message
        ["typing", {"username": "bob"}],
        ["user left", {"username": "carol", "numUsers": 2}],
    ]
    assert seen["bob"] == [
        ["login", {"numUsers": 2}],
        ["user joined", {"username": "carol", "numUsers": 3}],
        ["new message", {"username": "alice", "message": "hello from alice"}],
        ["user left", {"username": "carol", "numUsers": 2}],  # neither his own message nor typing
    ]
    assert seen["carol"] == [
        ["login", {"numUsers": 3}],
        ["new message", {"username": "alice", "message": "hello from alice"}],
        ["new message", {"username": "bob", "message": "hi alice"}],
        ["typing", {"username": "bob"}],
    ]
