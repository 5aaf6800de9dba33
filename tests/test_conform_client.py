"""siocheck conform --client: the client suite against socket.io-client 4.8 on Node gates green
with its baseline and writes the same reports as server mode; an adapter that crashes, hangs,
writes garbage or never starts is reported as such (CRASH, or exit 3), never as a protocol FAIL;
an adapter that only claims to connect passes nothing; usage errors exit 2."""

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT

NODE_ADAPTER = ["node", "conformance/adapters/node/adapter.js"]
MISBEHAVING = ["/usr/bin/python3", "tests/adapters/misbehaving.py"]
NODE_BASELINE = "conformance/known-failing/client-node.txt"
CLEAN = {"PASS", "INFORMATIONAL"}


def conform(siocheck_bin, *args, timeout=600):
    return subprocess.run([str(siocheck_bin), "conform", "--client", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def run_json(siocheck_bin, tmp_path, *args, adapter):
    out = tmp_path / "report.json"
    run = conform(siocheck_bin, "--json", str(out), *args, "--", *adapter)
    return run, json.loads(out.read_text())


def baseline_ids(path):
    ids = set()
    for line in (ROOT / path).read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            assert "#" in line and line.split("#", 1)[1].strip(), f"{path}: {entry} has no reason"
            ids.add(entry)
    return ids


def test_socket_io_client_on_node_passes_with_its_baseline(siocheck_bin, tmp_path):
    junit, html = tmp_path / "client.xml", tmp_path / "client.html"
    started = time.monotonic()
    run, data = run_json(siocheck_bin, tmp_path, "--known-failing", NODE_BASELINE, "--junit", str(junit),
                         "--html", str(html), adapter=NODE_ADAPTER)
    took = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    cases = data["cases"]
    print(f"{len(cases)} client cases against socket.io-client on Node in {took:.1f} s: {data['counts']}")
    assert len({case["id"] for case in cases}) >= 100
    assert data["target"].startswith("client socket.io-client 4.8")
    known = baseline_ids(NODE_BASELINE)
    for case in cases:
        assert case["verdict"] in CLEAN or case["id"] in known, (case["id"], case["verdict"], case["checks"][-3:])
    areas = {case["area"] for case in cases}
    for area in ("handshake", "heartbeat", "polling", "upgrade", "ws", "connect", "event", "ack", "buffer",
                 "retries", "reconnect", "multiplex", "lifecycle", "csr"):
        assert f"client/{area}" in areas, area
    suites = ET.parse(junit).getroot()
    assert int(suites.get("tests")) == len(cases)
    assert "client socket.io-client" in html.read_text()


# name: (adapter, baseline, the library it reports, more flags: a --known-flaky list, --jobs)
SHIPPED = {
    "python": (["/usr/bin/python3", "conformance/adapters/python/adapter.py"], "client-python.txt", "python-socketio",
               ["--known-flaky", "conformance/known-failing/client-python-flaky.txt"]),
    "python-async": (["/usr/bin/python3", "conformance/adapters/python/adapter.py", "--async"],
                     "client-python-async.txt", "python-socketio", []),
    # Each case starts a Chromium (about 1.4 s of CPU): three at a time is what two cores take.
    # Every command and event crosses two more processes (Node, the page): a wider time tolerance.
    "browser": (["node", "conformance/adapters/browser/adapter.js"], "client-browser.txt", "socket.io-client",
                ["--jobs", "3", "--time-tolerance", "0.5", "--known-flaky",
                 "conformance/known-failing/client-browser-flaky.txt"]),
}


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_adapter_gates_green_with_its_baseline(siocheck_bin, tmp_path, name):
    adapter, baseline, impl, more = SHIPPED[name]
    baseline = f"conformance/known-failing/{baseline}"
    started = time.monotonic()
    run, data = run_json(siocheck_bin, tmp_path, "--known-failing", baseline, *more, adapter=adapter)
    print(f"{name}: {len(data['cases'])} cases in {time.monotonic() - started:.1f} s: {data['counts']}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert data["target"].startswith(f"client {impl}")
    known = baseline_ids(baseline)
    if "--known-flaky" in more:
        known |= baseline_ids(more[more.index("--known-flaky") + 1])
    allowed = CLEAN | {"UNIMPLEMENTED"}
    if name == "browser":  # a SHOULD's timing through the relay may slip: NON-STRICT, which no gate fails on
        allowed |= {"NON-STRICT"}
    for case in data["cases"]:
        assert case["verdict"] in allowed or case["id"] in known, (case["id"], case["verdict"])


def test_the_minimal_adapter_is_a_working_start(siocheck_bin, tmp_path):
    # conformance/adapters/minimal/adapter.py, the model the README offers for a new language.
    cases = "client/handshake/1,client/connect/5,client/event/1,client/ack/1"
    run, data = run_json(siocheck_bin, tmp_path, "--cases", cases,
                         adapter=["/usr/bin/python3", "conformance/adapters/minimal/adapter.py"])
    assert run.returncode == 0, run.stdout[-3000:]
    assert [case["verdict"] for case in data["cases"]] == ["PASS"] * 4, data["cases"]
    assert len((ROOT / "conformance/adapters/minimal/adapter.py").read_text().splitlines()) <= 70


@pytest.mark.parametrize("mode,why", [
    ("crash", "the adapter exited with status 1 during the case"),
    ("hang", "the adapter stopped answering (timeout)"),
    ("garbage", "the adapter broke the contract"),
])
def test_a_broken_adapter_is_a_crash_not_a_protocol_failure(siocheck_bin, tmp_path, mode, why):
    cases = "client/handshake/1,client/heartbeat/3,client/polling/3"
    run, data = run_json(siocheck_bin, tmp_path, "--cases", cases, adapter=[*MISBEHAVING, mode])
    assert run.returncode == 1, run.stdout[-3000:]
    assert data["counts"]["FAIL"] == 0
    assert [case["verdict"] for case in data["cases"]] == ["CRASH"] * 3
    for case in data["cases"]:
        assert why in case["reason"], case["reason"]
        assert case["rerun"].endswith(f"--cases {case['id']} --trace -- {' '.join(MISBEHAVING)} {mode}")
    if mode == "crash":
        assert "simulated crash" in data["cases"][0]["details"]
    assert "crashed" in run.stdout.splitlines()[-1]


def test_an_adapter_that_only_claims_to_connect_passes_nothing(siocheck_bin, tmp_path):
    # The wire is the oracle: a `connect` event without a handshake on the wire is a FAIL.
    run, data = run_json(siocheck_bin, tmp_path, "--cases", "client/handshake/1,client/connect/1",
                         adapter=[*MISBEHAVING, "liar"])
    assert run.returncode == 1
    assert [case["verdict"] for case in data["cases"]] == ["FAIL", "FAIL"], data["cases"]


def test_what_the_library_cannot_do_is_unimplemented_not_failed(siocheck_bin, tmp_path):
    run, data = run_json(siocheck_bin, tmp_path, "--cases", "client/handshake/1,client/multiplex/1",
                         adapter=[*MISBEHAVING, "unsupported"])
    assert run.returncode == 0, run.stdout[-3000:]
    verdicts = {case["id"]: (case["verdict"], case["reason"]) for case in data["cases"]}
    assert verdicts["client/handshake/1"] == ("UNIMPLEMENTED", "the adapter cannot do connect")
    # multiplex_implicit is not among its features: not run at all.
    assert verdicts["client/multiplex/1"][0] == "UNIMPLEMENTED"
    assert "does not declare multiplex_implicit" in verdicts["client/multiplex/1"][1]


def test_an_adapter_that_never_gets_ready_is_refused_before_any_case(siocheck_bin, tmp_path):
    started = time.monotonic()
    run = conform(siocheck_bin, "--", *MISBEHAVING, "silent", timeout=60)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "no ready line within 10000 ms" in run.stderr
    assert time.monotonic() - started < 20
    missing = conform(siocheck_bin, "--", "/nonexistent/adapter", timeout=60)
    assert missing.returncode == 3, missing.stderr
    assert "/nonexistent/adapter" in missing.stderr


def test_the_words_after_dashes_are_the_adapters_own(siocheck_bin):
    # --cases takes several values; the adapter's flags after -- still reach the adapter.
    run = conform(siocheck_bin, "--cases", "client/handshake/1", "client/handshake/3", "--", *NODE_ADAPTER,
                  "--fault", "no-such-fault", timeout=60)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "no fault named no-such-fault" in run.stderr


def test_a_listed_case_that_passes_is_a_stale_baseline(siocheck_bin, tmp_path):
    stale = tmp_path / "stale.txt"
    stale.write_text("client/handshake/1   # listed although socket.io-client passes it\n")
    run = conform(siocheck_bin, "--cases", "client/handshake/1", "--known-failing", str(stale), "--",
                  *NODE_ADAPTER)
    assert run.returncode == 1, run.stdout
    assert "client/handshake/1" in run.stdout


@pytest.mark.parametrize("args,needle", [
    ([], "no adapter command"),
    (["--target", "http://127.0.0.1:1", "--", *NODE_ADAPTER], "--target is for grading a server"),
    (["--cases", "client/nope/*", "--", *NODE_ADAPTER], "client/nope/*"),
    (["--time-tolerance", "-1", "--", *NODE_ADAPTER], "--time-tolerance"),
    (["--known-failing", "/nonexistent.txt", "--", *NODE_ADAPTER], "/nonexistent.txt"),
])
def test_usage_errors_exit_2_and_name_the_bad_value(siocheck_bin, args, needle):
    run = conform(siocheck_bin, *args, timeout=60)
    assert run.returncode == 2, run.stdout + run.stderr
    assert needle in run.stderr, run.stderr


def test_the_client_cases_are_listed_with_their_areas(siocheck_bin):
    run = conform(siocheck_bin, "--list", "--", *NODE_ADAPTER, timeout=60)
    assert run.returncode == 0, run.stderr
    ids = [line.split()[0] for line in run.stdout.splitlines() if line.startswith("client/")]
    assert len(ids) >= 100 and len(set(ids)) == len(ids)
