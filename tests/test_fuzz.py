"""siocheck fuzz and siocheck replay: no finding on the reference server; every crash, hang and
protocol-violation fault of the catalogue found within 60 s (the target launched, so the fuzzer can
restart it), minimised, and reproduced by replay (and not by the clean server); the command line's
errors."""

import json
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import LONG_HEARTBEAT, ROOT
from test_faults import CATALOGUE

FUZZ_FAULTS = [fault for fault in CATALOGUE if fault["fuzz"]]


def siocheck(siocheck_bin, *args, timeout=240):
    return subprocess.run([str(siocheck_bin), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def serve(siocheck_bin, *extra):
    return f"{siocheck_bin} serve --port {{port}} --log off {' '.join(LONG_HEARTBEAT)} {' '.join(extra)}".strip()


def test_the_catalogue_has_each_kind_of_fuzz_fault():
    assert {fault["fuzz"] for fault in FUZZ_FAULTS} == {"crash", "hang", "violation"}


def test_no_finding_on_the_reference(siocheck_bin, tmp_path):
    findings, reports = tmp_path / "findings", tmp_path / "reports"
    reports.mkdir()
    run = siocheck(siocheck_bin, "fuzz", "--duration", "15", "--jobs", "2", "--seed", "7", "--findings",
                   str(findings), "--quiet", "--json", str(reports / "fuzz.json"), "--junit", str(reports / "fuzz.xml"))
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "no findings" in run.stdout
    sequences = int(run.stdout.split(" sequences")[0].split()[-1])
    assert sequences >= 300, run.stdout  # the sanitized build; the release build does far more
    assert not findings.exists()
    # The run engine's reports: one passing unit for the campaign.
    data = json.loads((reports / "fuzz.json").read_text())
    assert data["schema"] == "siocheck.fuzz/1" and data["facts"]["seed"] == "7"
    assert [(c["id"], c["verdict"]) for c in data["cases"]] == [("fuzz/campaign", "PASS")]
    assert int(data["facts"]["sequences"]) == sequences
    suite = ET.parse(reports / "fuzz.xml").getroot()
    assert suite.get("tests") == "1" and not list(suite.iter("failure"))


@pytest.mark.parametrize("fault", FUZZ_FAULTS, ids=[fault["name"] for fault in FUZZ_FAULTS])
def test_the_fuzzer_finds_the_fault_and_replay_reproduces_it(siocheck_bin, tmp_path, fault):
    faulty = serve(siocheck_bin, "--fault", fault["name"])
    report = tmp_path / "report.json"
    run = siocheck(siocheck_bin, "fuzz", "--launch", faulty, "--duration", "60", "--max-findings", "1", "--seed",
                   "1", "--jobs", "2", "--findings", str(tmp_path / "found"), "--quiet", "--json", str(report))
    assert run.returncode == 1, run.stdout + run.stderr[-3000:]
    files = list((tmp_path / "found").glob("*.json"))
    assert len(files) == 1, run.stdout
    finding = json.loads(files[0].read_text())
    assert finding["kind"] == fault["fuzz"], finding
    assert finding["found_after_s"] < 60
    assert finding["minimised"], finding
    assert 1 <= len(finding["steps"]) <= finding["steps_before_minimising"]
    if fault["fuzz"] == "crash":
        assert finding["code"] == "killed by signal 6", finding  # std::abort()
    if fault["name"] == "binary-ack-wrong-id":
        assert finding["code"] == "ack for an id never asked for", finding

    # The finding is a failing unit of the run's report, with its steps and how to replay it.
    data = json.loads(report.read_text())
    assert data["schema"] == "siocheck.fuzz/1" and data["regressed"]
    [unit] = data["cases"]
    assert unit["verdict"] == "FAIL" and unit["title"] == f"{finding['kind']}: {finding['code']}"
    assert f"replay: siocheck replay {files[0]}" in unit["details"]

    replayed = tmp_path / "replay.xml"
    again = siocheck(siocheck_bin, "replay", str(files[0]), "--launch", faulty, "--junit", str(replayed))
    assert again.returncode == 1, again.stdout + again.stderr
    assert f"REPRODUCED {finding['kind']}: {finding['code']}" in again.stdout
    assert "1 finding replayed against" in again.stdout and "1 reproduced" in again.stdout
    assert len(list(ET.parse(replayed).getroot().iter("failure"))) == 1

    clean = siocheck(siocheck_bin, "replay", str(files[0]), "--launch", serve(siocheck_bin), "--junit", str(replayed))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "not reproduced" in clean.stdout
    assert not list(ET.parse(replayed).getroot().iter("failure"))


def test_replay_reads_bytes_that_are_not_utf8(siocheck_bin, tmp_path):
    # A POST body with bytes that are no UTF-8 is written as base64; the reference closes only
    # that session, so the finding does not reproduce.
    finding = {"siocheck": "fuzz finding", "version": 1, "kind": "crash", "code": "killed by signal 6",
               "steps": [{"op": "open", "conn": 0, "transport": "polling"},
                         {"op": "text", "conn": 0, "data": "40"},
                         {"op": "post", "conn": 0, "data": {"base64": "NDJbIv8iXQ=="}}]}
    path = tmp_path / "f.json"
    path.write_text(json.dumps(finding))
    run = siocheck(siocheck_bin, "replay", str(path), "--trace")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not reproduced" in run.stdout
    assert "POST body 42[\"\\xff\"]" in run.stdout


@pytest.mark.parametrize("args,needle", [
    (["fuzz", "--jobs", "0"], "--jobs"),
    (["fuzz", "--duration", "-1"], "--duration"),
    (["fuzz", "--launch", "true"], "{port}"),
    (["fuzz", "--target", "ftp://x"], "--target"),
    (["replay", "no-such-file.json"], "no-such-file.json"),
])
def test_command_line_errors_exit_2(siocheck_bin, args, needle):
    run = siocheck(siocheck_bin, *args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert needle in run.stderr


@pytest.mark.parametrize("content,needle", [
    ("{not json", "is not JSON"),
    ('{"steps": []}', "is not a finding of siocheck fuzz"),
    ('{"siocheck": "fuzz finding", "steps": [{"op": "teleport"}]}', 'unknown op "teleport"'),
    ('{"siocheck": "fuzz finding", "steps": [{"op": "open", "conn": 9, "transport": "polling"}]}', '"conn" must be'),
])
def test_replay_names_what_is_wrong_with_a_file(siocheck_bin, tmp_path, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content)
    run = siocheck(siocheck_bin, "replay", str(path))
    assert run.returncode == 2, run.stdout + run.stderr
    assert str(path) in run.stderr and needle in run.stderr


FIXTURES = {
    "node": "node conformance/fixtures/node/server.js --port {port} " + " ".join(LONG_HEARTBEAT),
    "python": "/usr/bin/python3 conformance/fixtures/python/server.py --port {port} " + " ".join(LONG_HEARTBEAT),
}
FINDINGS = sorted((ROOT / "fuzz" / "findings").glob("*/*.json"))


@pytest.mark.parametrize("path", FINDINGS, ids=[f"{p.parent.name}/{p.stem}" for p in FINDINGS])
def test_a_committed_finding_is_real_on_its_server_and_absent_on_the_reference(siocheck_bin, path):
    # fuzz/findings/SERVER/NAME.json: what the fuzzer found in that fixture (the README there says
    # why each is a deviation); it must still reproduce there, and never on the reference.
    finding = json.loads(path.read_text())
    there = siocheck(siocheck_bin, "replay", str(path), "--launch", FIXTURES[path.parent.name])
    assert there.returncode == 1, there.stdout + there.stderr
    assert f"REPRODUCED {finding['kind']}: {finding['code']}" in there.stdout
    here = siocheck(siocheck_bin, "replay", str(path), "--launch", serve(siocheck_bin))
    assert here.returncode == 0, here.stdout + here.stderr
