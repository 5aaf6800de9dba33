"""siocheck model: the RapidCheck model of rooms, broadcasts and acks passes short runs against the
reference server, the Node fixture and the python fixture; with each of three planted faults it
fails, shrinks to at most 6 steps and writes a scenario that fails on the faulted server and passes
on the clean one; usage errors exit 2 naming the flag."""

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import LONG_HEARTBEAT, ROOT, start_fixture

# Short runs: CI time on the ASan build. `siocheck model --runs 1000` is the real check.
RUNS = "15"
STEPS = "20"
# Each fault with a seed that finds it within a few dozen runs (any seed finds it in enough runs;
# these keep CI short). The same seed draws the same runs, so these stay put.
FAULTS = {"broadcast-includes-sender": "5", "rooms-kept-on-disconnect": "6", "broadcast-duplicates": "6"}


def siocheck(siocheck_bin, *args, cwd=ROOT, timeout=240):
    return subprocess.run([str(siocheck_bin), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def shrunk_steps(stdout: str) -> int:
    found = re.search(r"shrunk \(\d+ shrinks\) to (\d+) steps", stdout)
    assert found, stdout
    return int(found.group(1))


def test_passes_against_the_embedded_reference(siocheck_bin, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    run = siocheck(siocheck_bin, "model", "--runs", RUNS, "--max-steps", STEPS, "--seed", "11",
                   "--transport", "mixed", "--json", str(reports / "model.json"), cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "seed 11 (repeat this check with --seed 11)" in run.stdout
    assert re.search(rf"OK: {RUNS} runs \(\d+ steps\) passed", run.stdout), run.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["reports"], "a passing check writes no scenario"
    data = json.loads((reports / "model.json").read_text())
    assert [(c["verdict"], c["details"].split(" (")[0]) for c in data["cases"]] == [("PASS", f"{RUNS} runs")]


@pytest.mark.parametrize("kind", ["node", "python"])
def test_passes_against_the_fixture(servers, siocheck_bin, kind, tmp_path):
    server = start_fixture(servers, kind, *LONG_HEARTBEAT)
    run = siocheck(siocheck_bin, "model", "--target", server.url, "--runs", RUNS, "--max-steps", STEPS,
                   "--seed", "12", "--transport", "mixed", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(rf"OK: {RUNS} runs \(\d+ steps\) passed", run.stdout), run.stdout


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_is_found_shrunk_and_replayed_as_a_scenario(siocheck_bin, tmp_path, fault):
    found, junit, report = tmp_path / "found.yaml", tmp_path / "model.xml", tmp_path / "model.json"
    run = siocheck(siocheck_bin, "model", "--fault", fault, "--runs", "200", "--seed", FAULTS[fault],
                   "--scenario-out", str(found), "--junit", str(junit), "--json", str(report), cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    # The counterexample reaches the run engine's reports: one failing unit, its steps in the details.
    data = json.loads(report.read_text())
    assert data["schema"] == "siocheck.model/1" and data["facts"]["seed"] == FAULTS[fault]
    [unit] = data["cases"]
    assert unit["id"] == "model/rooms-broadcasts-acks" and unit["verdict"] == "FAIL" and unit["regression"]
    assert "<- fails" not in unit["details"] and f"the counterexample as a scenario: {found}" in unit["details"]
    failures = list(ET.parse(junit).getroot().iter("failure"))
    assert len(failures) == 1 and failures[0].get("message").startswith("FAIL: step ")
    assert f"FAULT ON: {fault}" in run.stderr
    steps = shrunk_steps(run.stdout)
    assert 1 <= steps <= 6, run.stdout
    # One numbered line per step, the last one marked, then what was expected and observed.
    assert re.search(rf"^ +{steps}\. .*<- fails$", run.stdout, re.M), run.stdout
    assert "expected: " in run.stdout and "observed: " in run.stdout
    assert found.is_file() and f"the counterexample as a scenario: {found}" in run.stdout

    faulty = siocheck(siocheck_bin, "scenario", str(found), "--launch",
                      f"{siocheck_bin} serve --port {{port}} --fault {fault} " + " ".join(LONG_HEARTBEAT))
    assert faulty.returncode == 1, faulty.stdout + faulty.stderr
    assert "FAIL " in faulty.stdout
    clean = siocheck(siocheck_bin, "scenario", str(found))
    assert clean.returncode == 0, found.read_text() + clean.stdout + clean.stderr


def test_the_same_seed_finds_the_same_counterexample(siocheck_bin, tmp_path):
    outputs = []
    for name in ("one.yaml", "two.yaml"):
        run = siocheck(siocheck_bin, "model", "--fault", "broadcast-includes-sender", "--runs", "50", "--seed", "5",
                       "--scenario-out", str(tmp_path / name), cwd=tmp_path)
        assert run.returncode == 1, run.stdout + run.stderr
        outputs.append(run.stdout[run.stdout.index("FAILED"):run.stdout.index("wire trace")])
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("args, flag", [
    (["--fault", "no-such-fault"], "--fault"),
    (["--fault", "broadcast-duplicates", "--target", "http://127.0.0.1:9"], "--fault"),
    (["--max-clients", "0"], "--max-clients"),
    (["--runs", "0"], "--runs"),
    (["--transport", "carrier-pigeon"], "--transport"),
    (["--target", "ftp://example"], "--target"),
    (["--launch", "true"], "--launch"),
])
def test_usage_errors_exit_2_naming_the_flag(siocheck_bin, tmp_path, args, flag):
    run = siocheck(siocheck_bin, "model", *args, cwd=tmp_path, timeout=60)
    assert run.returncode == 2, run.stdout + run.stderr
    assert flag in run.stderr, run.stderr


def test_a_target_at_level_official_is_refused(siocheck_bin, tmp_path):
    run = siocheck(siocheck_bin, "model", "--launch",
                   f"{siocheck_bin} serve --port {{port}} --fixture-level official " + " ".join(LONG_HEARTBEAT),
                   cwd=tmp_path, timeout=60)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "level official" in run.stderr and "needs level extended" in run.stderr
