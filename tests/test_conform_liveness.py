"""siocheck conform when the target crashes, stops answering, is not Socket.IO or is stopped:
a crash is named (CRASH, the case in flight, with the process's last output), a --launch target is
restarted and every other case keeps its verdict; a --target that dies gives CRASH then NOT RUN,
never FAIL; a plain web server is refused at once; SIGTERM leaves no process of the launched group
and a partial report; an unwritable report path is refused before any case runs."""

import json
import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT

NODE = "node conformance/fixtures/node/server.js --port {port}"
NAIVE = "node tests/js/naive_fixture.js --port {port}"


def conform(siocheck_bin, *args, timeout=600):
    return subprocess.run([str(siocheck_bin), "conform", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


def run_json(siocheck_bin, tmp_path, name, *args):
    out = tmp_path / f"{name}.json"
    run = conform(siocheck_bin, "--json", str(out), *args)
    return run, json.loads(out.read_text())


def verdicts(data):
    return {case["name"]: case["verdict"] for case in data["cases"]}


def test_a_reference_fault_that_aborts_is_one_crash_and_the_run_goes_on(siocheck_bin, tmp_path):
    # crash-on-empty-event-name aborts the server on 2[""]: sio/robustness/12 sends it, on both
    # transports. The launched server is restarted each time, and every other case is graded on a
    # live server: the same verdicts as a healthy run.
    healthy_run, healthy = run_json(siocheck_bin, tmp_path, "healthy", "--launch", f"{siocheck_bin} serve --port {{port}}")
    assert healthy_run.returncode == 0, healthy_run.stdout[-3000:]
    run, faulty = run_json(siocheck_bin, tmp_path, "faulty", "--launch",
                           f"{siocheck_bin} serve --port {{port}} --fault crash-on-empty-event-name")
    assert run.returncode == 1, run.stdout[-3000:]
    crashed = {name for name, verdict in verdicts(faulty).items() if verdict == "CRASH"}
    assert crashed == {"sio/robustness/12@polling", "sio/robustness/12@websocket"}, crashed
    for case in faulty["cases"]:
        if case["verdict"] == "CRASH":
            observed = case["checks"][-1]["observed"]
            assert observed.startswith("killed by signal 6; its last output:"), observed
            assert observed.rstrip().endswith("Aborted"), observed  # the process's last output line
            assert case["rerun"].endswith(f"--cases {case['name']} --trace")
    others = {name: v for name, v in verdicts(faulty).items() if name not in crashed}
    assert others == {name: v for name, v in verdicts(healthy).items() if name not in crashed}
    # The first start, a restart after each crash, and one after each case that crashed it again
    # when the cases in flight were run one at a time to find it.
    assert run.stderr.count("launched `") >= 3


def test_a_naive_node_fixture_crashes_on_deep_json_and_that_case_is_named(siocheck_bin, tmp_path):
    # socket.io's hasBinary recursion overflows on a 10,000-deep argument inside the fixture's
    # unguarded message handler: RangeError, uncaught, the process ends.
    cases = ("--cases", "sio/robustness,sio/events", "--level", "official")
    healthy_run, healthy = run_json(siocheck_bin, tmp_path, "healthy", "--launch", NODE, *cases)
    run, naive = run_json(siocheck_bin, tmp_path, "naive", "--launch", NAIVE, *cases)
    assert run.returncode == 1
    crashed = {name for name, verdict in verdicts(naive).items() if verdict == "CRASH"}
    assert crashed and {name.split("@")[0] for name in crashed} == {"sio/robustness/3"}, crashed
    for case in naive["cases"]:
        if case["verdict"] == "CRASH":
            assert "RangeError: Maximum call stack size exceeded" in case["checks"][-1]["observed"]
    assert {n: v for n, v in verdicts(naive).items() if n not in crashed} == \
        {n: v for n, v in verdicts(healthy).items() if n not in crashed}
    # The JUnit file has the crash as an <error>, with the process's end in it.
    junit = tmp_path / "naive.xml"
    conform(siocheck_bin, "--launch", NAIVE, *cases, "--junit", str(junit))
    errors = list(ET.parse(junit).getroot().iter("error"))
    assert errors and all(e.get("message").startswith("CRASH: the target exited with status 1") for e in errors)


def test_a_target_that_dies_gives_crash_then_not_run_never_fail(servers, siocheck_bin, tmp_path):
    server = servers.start("--fault", "crash-on-empty-event-name")
    run, data = run_json(siocheck_bin, tmp_path, "target", "--target", server.url)
    assert run.returncode == 1
    counts = data["counts"]
    assert counts["FAIL"] == 0, [c["name"] for c in data["cases"] if c["verdict"] == "FAIL"]
    assert counts["CRASH"] >= 1 and counts["NOT RUN"] >= 1, counts
    assert "sio/robustness/12@polling" in {c["name"] for c in data["cases"] if c["verdict"] == "CRASH"}
    not_run = [c for c in data["cases"] if c["verdict"] == "NOT RUN"]
    assert all("cannot be brought back" in c["reason"] for c in not_run)
    assert all(c["regression"] for c in not_run)


def test_a_plain_web_server_is_refused_at_once(siocheck_bin):
    started = time.monotonic()
    run = conform(siocheck_bin, "--launch", "/usr/bin/python3 -m http.server {port} --bind 127.0.0.1")
    assert time.monotonic() - started < 3, "a server that is not Socket.IO must be refused within 3 s"
    assert run.returncode == 3, run.stderr
    assert "GET /engine.io/?EIO=4&transport=polling answered 404 text/html" in run.stderr
    assert "not an Engine.IO endpoint; see --eio-path" in run.stderr
    assert len(run.stderr.splitlines()) <= 4, "one line of the body, not pages of HTML"


def test_a_socket_io_only_server_runs_the_socket_io_cases_without_waiting(siocheck_bin, tmp_path):
    # No Engine.IO echo on /engine.io/: readiness asks the Socket.IO path when only sio/* cases run.
    started = time.monotonic()
    run, data = run_json(siocheck_bin, tmp_path, "sio", "--cases", "sio/*", "--launch",
                         f"{siocheck_bin} serve --port {{port}} --eio-path /elsewhere/")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert time.monotonic() - started < 60
    assert data["counts"]["PASS"] > 200 and data["counts"]["NOT RUN"] == 0


def test_sigterm_stops_the_launched_group_and_writes_a_partial_report(siocheck_bin, tmp_path):
    pidfile, report = tmp_path / "pid", tmp_path / "report.json"
    # The launched command's shell leads its process group: it writes its pid (the group's id),
    # then becomes the server.
    launch = f"echo $$ > {pidfile}; exec node conformance/fixtures/node/server.js --port {{port}}"
    run = subprocess.Popen([str(siocheck_bin), "conform", "--launch", launch, "--json", str(report),
                            "--cases", "eio/heartbeat,sio/broadcast", "--jobs", "2"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    group = int(pidfile.read_text())
    time.sleep(1.5)  # well into the run
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 128 + signal.SIGTERM, stdout[-2000:] + stderr[-2000:]
    table = subprocess.run(["ps", "-e", "-o", "pid=,pgid=,cmd="], capture_output=True, text=True).stdout
    left = [line for line in table.splitlines() if line.split()[1] == str(group)]
    assert not left, "processes of the launched group survived:\n" + "\n".join(left)
    data = json.loads(report.read_text())
    assert data["complete"] is False and data["incomplete"].startswith("interrupted by SIGTERM")
    assert data["counts"]["NOT RUN"] > 0 and data["counts"]["PASS"] > 0
    assert "INCOMPLETE: interrupted by SIGTERM" in stdout


def test_an_unwritable_report_path_fails_before_any_case_runs(siocheck_bin, tmp_path):
    started = time.monotonic()
    run = conform(siocheck_bin, "--junit", str(tmp_path / "no-such-folder" / "out.xml"), "--launch",
                  "sh -c 'echo started > " + str(tmp_path / "started") + "; sleep 30' {port}")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "--junit: cannot write" in run.stderr and "no-such-folder" in run.stderr
    assert not (tmp_path / "started").exists(), "the target was launched although the report cannot be written"
    assert time.monotonic() - started < 5


def test_patterns_that_select_nothing_are_usage_errors(siocheck_bin):
    for flag in ("--cases", "--skip"):
        run = conform(siocheck_bin, flag, "sio/ackz", "--list")
        assert run.returncode == 2
        assert f"{flag}: 'sio/ackz' selects no case" in run.stderr


def test_a_written_known_failing_list_makes_the_next_run_pass(siocheck_bin, tmp_path):
    written = tmp_path / "known-failing.txt"
    first = conform(siocheck_bin, "--launch", NODE, "--strict", "--write-known-failing", str(written))
    assert first.returncode == 1, first.stdout[-2000:]
    lines = [l for l in written.read_text().splitlines() if l and not l.startswith("#")]
    assert lines and all("   # " in l for l in lines), lines
    assert any(l.startswith("eio/websocket/17") for l in lines)
    again = conform(siocheck_bin, "--launch", NODE, "--strict", "--known-failing", str(written))
    assert again.returncode == 0, again.stdout[-3000:]


def test_junit_from_the_three_fixtures_is_well_formed_xml(siocheck_bin, tmp_path):
    # Raw bytes a target sends (a WebSocket frame header after a 101, control bytes) are escaped:
    # a strict XML parser reads every file, and no report carries a control character.
    for name, launch in {"reference": f"{siocheck_bin} serve --port {{port}}", "node": NODE,
                         "python": "/usr/bin/python3 conformance/fixtures/python/server.py --port {port}"}.items():
        junit = tmp_path / f"{name}.xml"
        conform(siocheck_bin, "--launch", launch, "--junit", str(junit), "--cases", "eio,sio/robustness,sio/binary")
        raw = junit.read_bytes()
        raw.decode("utf-8")  # strictly UTF-8
        assert not any(b < 0x20 and b not in (0x09, 0x0A, 0x0D) for b in raw)
        root = ET.fromstring(raw)
        assert int(root.get("tests")) > 100
        for failure in root.iter("failure"):
            assert "expected:" in failure.text and "observed:" in failure.text
