"""The signaling demo (scenarios/SIGNALING.md) end to end in headless Chromium, on the reference
(`siocheck serve --app signaling`) and on Node: two tabs meet in a room, open a WebRTC data channel
through the server's signaling and exchange one message each way; a third tab finds the room full;
closing the second tab tells the first `bye`. Screenshots of both tabs are kept in build/reports/."""

import json

import pytest

from conftest import ROOT, run_node, start_signaling


@pytest.mark.parametrize("kind", ["reference", "node"])
def test_two_tabs_open_a_data_channel_through_the_signaling_server(servers, kind):
    app = start_signaling(servers, kind)
    artifacts = ROOT / "build" / "reports"
    artifacts.mkdir(parents=True, exist_ok=True)
    prefix = artifacts / f"signaling-{kind}"
    result = run_node("signaling_pages.mjs", app.url, f"room-{kind}", str(prefix), timeout=60)
    print(f"Chromium {result['browserVersion']} ({result['executablePath']}), "
          f"playwright-core {result['playwrightVersion']}")
    # Every failure shows what the pages saw and what their WebRTC stack says.
    seen = "\n" + json.dumps({k: result.get(k) for k in ("pages", "pageErrors", "webrtcStats")}, indent=1)
    assert "error" not in result, result["error"] + seen
    assert result["pageErrors"] == [], seen

    creator, joiner = result["pages"]["creator"], result["pages"]["joiner"]
    assert (creator["role"], joiner["role"]) == ("creator", "joiner"), seen
    assert creator["ready"] and joiner["ready"], seen
    assert creator["channelOpen"] and joiner["channelOpen"], seen
    assert creator["sent"] == ["hello from creator"], seen
    assert joiner["sent"] == ["hello from joiner"], seen
    assert creator["received"] == ["hello from joiner"], seen
    assert joiner["received"] == ["hello from creator"], seen
    assert creator["errors"] == [] and joiner["errors"] == [], seen
    for name in ("creator", "joiner"):  # what Chromium's own counters say, too
        channels = [s for s in result["webrtcStats"][name]["stats"] if s["type"] == "data-channel"]
        assert [(c["label"], c["messagesSent"], c["messagesReceived"]) for c in channels] == [("chat", 1, 1)], seen

    third = result["pages"]["third"]
    assert (third["role"], third["ready"], third["errors"]) == ("full", False, []), seen

    after = result["pages"]["creatorAfterBye"]
    assert (after["peerLeft"], after["channelOpen"], after["role"]) == (1, False, "creator"), seen

    for name in ("creator", "joiner"):
        screenshot = prefix.parent / f"{prefix.name}-{name}.png"
        assert screenshot.stat().st_size > 10_000, f"{screenshot} is too small to show the page"
