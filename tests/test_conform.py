"""siocheck conform as a CI gate: against the reference (every case passes, strictly), the Node and
python fixtures (with their committed known-failing lists), an https/wss target, and the runner's
own rules (exit statuses, baselines, shards, parallel = serial)."""

import json
import subprocess
from pathlib import Path

import pytest

from conftest import LONG_HEARTBEAT, ROOT

KNOWN_FAILING = ROOT / "conformance" / "known-failing"


def conform(siocheck_bin, *args, timeout=600):
    return subprocess.run([str(siocheck_bin), "conform", *args], capture_output=True, text=True, timeout=timeout)


def report(tmp_path, siocheck_bin, *args, expect=0):
    out = tmp_path / "report.json"
    run = conform(siocheck_bin, "--json", str(out), *args)
    assert run.returncode == expect, run.stdout[-6000:] + run.stderr[-3000:]
    return json.loads(out.read_text()), run


def test_the_reference_passes_every_case_strictly(siocheck_bin, tmp_path):
    data, run = report(tmp_path, siocheck_bin, "--strict")
    verdicts = {}
    for case in data["cases"]:
        verdicts.setdefault(case["verdict"], []).append(case["name"])
    assert "FAIL" not in verdicts and "NON-STRICT" not in verdicts, verdicts
    assert {name.split("@")[0].rsplit("/", 1)[0] for name in verdicts.get("UNIMPLEMENTED", [])} <= {"sio/recovery"}
    assert data["level"] == "extended"
    print(run.stdout[-2500:])


def test_the_suite_has_at_least_200_case_ids(siocheck_bin):
    run = conform(siocheck_bin, "--list")
    assert run.returncode == 0
    ids = {line.split()[0].split("@")[0] for line in run.stdout.splitlines() if line.startswith(("eio/", "sio/"))}
    assert len(ids) >= 200, len(ids)
    areas = {i.rsplit("/", 1)[0] for i in ids}
    assert areas >= {"eio/handshake", "eio/polling", "eio/websocket", "eio/upgrade", "eio/heartbeat", "eio/limits",
                     "eio/cors", "sio/connect", "sio/namespaces", "sio/events", "sio/acks", "sio/binary",
                     "sio/middleware", "sio/rooms", "sio/broadcast", "sio/disconnect", "sio/robustness",
                     "sio/recovery"}


STARTERS = {
    "node": ("node conformance/fixtures/starter/server.js --port {port}", ["node.txt"]),
    "python": ("/usr/bin/python3 conformance/fixtures/starter/server.py --port {port}",
               ["python.txt", "python-starter.txt"]),
}


@pytest.mark.parametrize("starter", STARTERS)
def test_the_starter_fixtures_pass_at_level_official(siocheck_bin, tmp_path, starter):
    # FIXTURE.md's starters, as a maintainer copies them: level official, with the baselines of the
    # library they run on (the python one adds what its stdlib JSON writes differently).
    command, baselines = STARTERS[starter]
    extra = [arg for name in baselines for arg in ("--known-failing", str(KNOWN_FAILING / name))]
    flaky = KNOWN_FAILING / f"{starter}-flaky.txt"
    if flaky.exists():
        extra += ["--known-flaky", str(flaky)]
    data, run = report(tmp_path, siocheck_bin, "--launch", command, "--level", "official", *extra)
    assert data["level"] == "official" and not data["regressed"]
    assert data["counts"]["PASS"] > 150


@pytest.mark.parametrize("fixture", ["node", "python"])
def test_other_fixtures_pass_except_their_known_failing_cases(siocheck_bin, tmp_path, fixture):
    command = {
        "node": "node conformance/fixtures/node/server.js --port {port}",
        "python": "/usr/bin/python3 conformance/fixtures/python/server.py --port {port}",
    }[fixture]
    flaky = KNOWN_FAILING / f"{fixture}-flaky.txt"
    data, run = report(tmp_path, siocheck_bin, "--launch", command, "--known-failing",
                       str(KNOWN_FAILING / f"{fixture}.txt"), *(["--known-flaky", str(flaky)] if flaky.exists() else []))
    assert not data["regressed"]
    print(run.stdout[-2500:])


def test_an_https_wss_target(servers, siocheck_bin, tmp_path):
    folder = tmp_path / "tls"
    folder.mkdir()
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    # Every polling request opens a TLS connection of its own, which on the sanitized dev build costs
    # tens of milliseconds: a pingTimeout of 2 s (interval as in the fixture) keeps a slow POST from
    # passing for a missed pong, while the cases still take their timings from the handshake.
    server = servers.start("--tls-cert", str(cert), "--tls-key", str(key), "--ping-timeout", "2000")
    slice_ = "eio/handshake,sio/connect,sio/events,eio/upgrade"
    data, _ = report(tmp_path, siocheck_bin, "--target", server.url, "--insecure", "--cases", slice_)
    assert data["target"].startswith("https://")
    assert data["counts"]["PASS"] > 50 and data["counts"]["FAIL"] == 0
    # Without --insecure the self-signed certificate is refused, and the message says what to do.
    refused = conform(siocheck_bin, "--target", server.url, "--cases", "eio/handshake/1")
    assert refused.returncode == 3
    assert f"the certificate of {server.url} failed verification" in refused.stderr
    assert "--insecure" in refused.stderr and "--ca-file" in refused.stderr
    # Trusting the certificate that signed it (here the certificate itself) is enough.
    trusted = conform(siocheck_bin, "--target", server.url, "--ca-file", str(cert), "--cases", "eio/handshake/1")
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    # A launched TLS server: its `listening https://...` line says to speak TLS.
    launched, _ = report(tmp_path, siocheck_bin, "--launch",
                         f"{siocheck_bin} serve --tls-cert {cert} --tls-key {key} --port {{port}}",
                         "--ca-file", str(cert), "--cases", "eio/handshake/1,sio/connect/1")
    assert launched["target"].startswith("https://") and launched["counts"]["PASS"] == 6


def test_parallel_and_serial_runs_agree(siocheck_bin, tmp_path):
    cases = "eio/polling,sio/acks,sio/broadcast"
    parallel, _ = report(tmp_path, siocheck_bin, "--cases", cases)
    serial, _ = report(tmp_path, siocheck_bin, "--cases", cases, "--jobs", "1")
    verdicts = lambda data: {c["name"]: c["verdict"] for c in data["cases"]}
    assert verdicts(parallel) == verdicts(serial)


def test_shards_cover_the_suite_once(siocheck_bin):
    names = lambda *args: [l.split()[0] for l in conform(siocheck_bin, "--list", *args).stdout.splitlines()
                           if l.startswith(("eio/", "sio/"))]
    whole = names()
    parts = [names("--shard", f"{i}/3") for i in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(whole)
    assert all(parts)


def test_a_stale_known_failing_entry_fails_the_run(siocheck_bin, tmp_path):
    listed = tmp_path / "known-failing.txt"
    listed.write_text("eio/handshake/5   # pretend this fails\n")
    run = conform(siocheck_bin, "--cases", "eio/handshake/5", "--known-failing", str(listed))
    assert run.returncode == 1
    assert "STALE eio/handshake/5" in run.stdout


def test_known_failing_entries_need_a_reason(siocheck_bin, tmp_path):
    listed = tmp_path / "known-failing.txt"
    listed.write_text("eio/handshake/5\n")
    run = conform(siocheck_bin, "--known-failing", str(listed), "--list")
    assert run.returncode == 2
    assert ":1: 'eio/handshake/5' has no reason" in run.stderr


def test_a_baseline_entry_that_names_no_case_is_a_usage_error(siocheck_bin, tmp_path):
    # A typo must not turn a gate green: the entry is refused before anything runs, with its line.
    for flag in ("--known-failing", "--known-flaky"):
        listed = tmp_path / "baseline.txt"
        listed.write_text("eio/handshake/1   # a real case\nsio/ackz/2   # a typo\n")
        run = conform(siocheck_bin, flag, str(listed), "--list")
        assert run.returncode == 2, run.stdout
        assert f"{listed}:2: 'sio/ackz/2' names no case" in run.stderr


def test_a_failing_case_in_the_known_failing_list_does_not_fail_the_run(siocheck_bin, tmp_path):
    listed = tmp_path / "known-failing.txt"
    listed.write_text("eio/handshake/1   # the fault below adds a key (a plain id covers its variants)\n")
    run = conform(siocheck_bin, "--launch", f"{siocheck_bin} serve --fault handshake-extra-key --port {{port}}",
                  "--cases", "eio/handshake", "--known-failing", str(listed))
    assert run.returncode == 0, run.stdout
    assert "3 known failing" in run.stdout


def test_usage_errors_exit_2_and_unreachable_targets_exit_3(siocheck_bin):
    assert conform(siocheck_bin, "--target", "ftp://x").returncode == 2
    assert conform(siocheck_bin, "--shard", "3/2").returncode == 2
    assert conform(siocheck_bin, "--launch", "true").returncode == 2  # no {port}
    assert conform(siocheck_bin, "--target", "http://127.0.0.1:1").returncode == 3
    died = conform(siocheck_bin, "--launch", "sh -c 'echo boom; exit 3' {port}")
    assert died.returncode == 3
    assert "exited with status 3" in died.stderr and "boom" in died.stderr
