"""siocheck conform against a target with socket.io's default heartbeat (pingInterval 25000,
pingTimeout 20000) instead of the contract's 300/200: the heartbeat cases are judged on the
target's own values, so the run has the same regressions and the same verdicts, but for the two
cases that record what such a target shows instead (eio/handshake/9 records the settings,
eio/upgrade/14 cannot see a ping due after the upgrade timeout); it says at the start why it takes
minutes, and prints progress on time."""

import json
import subprocess
import time

from conftest import ROOT

NODE = "node conformance/fixtures/node/server.js --port {port}"
RECORDED_ONLY = {"eio/handshake/9@polling", "eio/upgrade/14"}


def run(siocheck_bin, tmp_path, name, launch):
    out = tmp_path / f"{name}.json"
    started = time.monotonic()
    result = subprocess.run([str(siocheck_bin), "conform", "--launch", launch, "--json", str(out)],
                            capture_output=True, text=True, timeout=900, cwd=ROOT)
    return result, json.loads(out.read_text()), time.monotonic() - started


def test_socket_ios_default_heartbeat_gives_the_same_verdicts(siocheck_bin, tmp_path):
    short, short_data, short_s = run(siocheck_bin, tmp_path, "short", NODE)
    long, long_data, long_s = run(siocheck_bin, tmp_path, "long", NODE + " --ping-interval 25000 --ping-timeout 20000")
    print(f"run time: {short_s:.0f} s at 300/200, {long_s:.0f} s at 25000/20000")
    assert "the target's heartbeat is pingInterval 25000 + pingTimeout 20000 ms" in long.stderr
    assert "FAIL so far" in long.stderr  # progress on time, not only every 50 cases
    verdicts = lambda data: {c["name"]: c["verdict"] for c in data["cases"]}
    short_v, long_v = verdicts(short_data), verdicts(long_data)
    assert {n for n in short_v if short_v[n] != long_v[n]} <= RECORDED_ONLY, \
        {n: (short_v[n], long_v[n]) for n in short_v if short_v[n] != long_v[n]}
    for name in RECORDED_ONLY:
        assert long_v[name] in ("PASS", "INFORMATIONAL")
    regressions = lambda data: sorted(c["name"] for c in data["cases"] if c["regression"])
    assert regressions(short_data) == regressions(long_data)
    assert long_data["handshake"]["pingInterval"] == "25000"
    assert long_s < 240, "the heartbeat cases wait at once, not one after another"
