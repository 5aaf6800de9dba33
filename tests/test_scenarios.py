"""siocheck scenario: every script of scenarios/ against every target (the reference, the Node
fixture, the python fixture with its known-failing list), the script checker's errors, and a fault
that the scripts about it catch with file:line, client, expected and observed."""

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import LONG_HEARTBEAT, ROOT

SCENARIOS = ROOT / "scenarios"
SCRIPTS = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
TARGETS = {
    "reference": "{bin} serve --port {{port}} " + " ".join(LONG_HEARTBEAT),
    "node": "node conformance/fixtures/node/server.js --port {{port}} " + " ".join(LONG_HEARTBEAT),
    "python": "/usr/bin/python3 conformance/fixtures/python/server.py --port {{port}} " + " ".join(LONG_HEARTBEAT),
}


def scenario(siocheck_bin, *args, timeout=300):
    return subprocess.run([str(siocheck_bin), "scenario", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


@pytest.fixture(scope="module")
def runs(siocheck_bin, tmp_path_factory):
    """One run of the whole folder per target (started by --launch), read back from its JSON and
    JUnit reports."""
    out = {}
    for target, launch in TARGETS.items():
        folder = tmp_path_factory.mktemp(target)
        report, junit = folder / "scenarios.json", folder / "scenarios.xml"
        known = SCENARIOS / "known-failing" / f"{target}.txt"
        extra = ["--known-failing", str(known)] if known.exists() else []
        run = scenario(siocheck_bin, "scenarios/", "--launch", launch.format(bin=siocheck_bin), "--json", str(report),
                       "--junit", str(junit), *extra)
        cases = {}
        if report.exists():
            data = json.loads(report.read_text())
            assert data["schema"] == "siocheck.scenario/1"
            for case in data["cases"]:
                failure = "\n".join(f"{c['what']}\n  expected: {c['expected']}\n  observed: {c['observed']}"
                                    for c in case["checks"] if not c["ok"])
                cases[Path(case["name"]).name] = (case["verdict"], case["baseline"], failure)
        # The JUnit file says the same: a failure only for a regression, a skip for the rest.
        if junit.exists():
            for case in ET.parse(junit).getroot().iter("testcase"):
                verdict, baseline, _ = cases[Path(case.get("name")).name]
                assert (case.find("failure") is not None) == (verdict == "FAIL" and baseline != "known-failing")
                assert (case.find("skipped") is not None) == (verdict == "UNIMPLEMENTED" or baseline == "known-failing")
        out[target] = (run, cases, known)
    return out


def test_the_library_has_at_least_25_scripts(siocheck_bin):
    assert len(SCRIPTS) >= 25, SCRIPTS
    check = scenario(siocheck_bin, "--check", "scenarios/")
    assert check.returncode == 0, check.stderr
    assert f"{len(SCRIPTS)} scripts are valid" in check.stdout


@pytest.mark.parametrize("target", list(TARGETS))
def test_each_target_run_exits_clean(runs, target):
    run, _, _ = runs[target]
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("target", list(TARGETS))
def test_script_on_target(runs, target, script):
    run, cases, known = runs[target]
    assert script in cases, f"{script} did not run against {target}:\n{run.stdout[-3000:]}{run.stderr[-2000:]}"
    verdict, baseline, failure = cases[script]
    listed = known.exists() and any(line.split("#")[0].strip() == Path(script).stem
                                    for line in known.read_text().splitlines())
    if listed:
        assert (verdict, baseline) == ("FAIL", "known-failing"), \
            f"{script} is listed in {known.name} but {verdict}s: remove it from the list"
    elif script == "signaling.yaml":
        assert verdict == "UNIMPLEMENTED"  # needs the signaling app: see the test below
    else:
        assert verdict == "PASS", failure


def test_a_bad_script_is_refused_with_its_position(siocheck_bin, tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\nclients:\n  a: {}\nsteps:\n  - connect: a\n"
                   "  - expect: {client: a, event: e, withn: 3}\n")
    run = scenario(siocheck_bin, str(bad))
    assert run.returncode == 2
    assert f"{bad}:6:35: steps[1].expect: unknown key 'withn'" in run.stderr
    unknown = tmp_path / "who.yaml"
    unknown.write_text("name: who\nclients:\n  a: {}\nsteps:\n  - connect: b\n")
    run = scenario(siocheck_bin, str(unknown))
    assert run.returncode == 2
    assert f"{unknown}:5:14: steps[0].connect: no client named 'b' (the clients are: a)" in run.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nclients: {a: {}\nsteps: []\n")
    run = scenario(siocheck_bin, str(broken))
    assert run.returncode == 2 and f"{broken}:3:1: not valid YAML" in run.stderr
    assert scenario(siocheck_bin, str(tmp_path / "missing.yaml")).returncode == 2
    assert scenario(siocheck_bin, "scenarios/", "--target", "http://127.0.0.1:1").returncode == 3


def test_a_fault_fails_the_scripts_about_it(siocheck_bin):
    launch = f"{siocheck_bin} serve --fault broadcast-includes-sender --port {{port}} " + " ".join(LONG_HEARTBEAT)
    run = scenario(siocheck_bin, "scenarios/chat-room.yaml", "scenarios/broadcast-everyone.yaml",
                   "scenarios/official-echo.yaml", "--launch", launch)
    assert run.returncode == 1, run.stdout
    assert "PASS  scenarios/official-echo.yaml" in run.stdout
    assert (run.stdout + run.stderr).count("official-echo.yaml") == 1, "each script is listed once"
    # The failure names file:line:col, the step and client, expected and observed, with the trace.
    assert "scenarios/chat-room.yaml:25:5: expect_nothing (client alice)" in run.stdout
    assert 'expected: no event among ["chat"]' in run.stdout
    assert 'observed: 2/dyn-' in run.stdout and '["chat",{"from":"alice","text":"hi all"}]' in run.stdout
    assert "scenarios/broadcast-everyone.yaml:15:5: expect_nothing (client alice)" in run.stdout
    assert "trace:" in run.stdout
    # Trace lines name the script's clients; each failure says how to run it again alone.
    assert " alice -> " in run.stdout or " alice <- " in run.stdout
    assert "rerun: siocheck scenario scenarios/chat-room.yaml --launch" in run.stdout
    assert "3 scripts against" in run.stdout and "1 passed, 2 failed" in run.stdout


def test_a_stale_known_failing_entry_fails_the_run(siocheck_bin, tmp_path):
    listed = tmp_path / "known.txt"
    listed.write_text("official-echo   # pretend it fails\n")
    run = scenario(siocheck_bin, "scenarios/official-echo.yaml", "--known-failing", str(listed))
    assert run.returncode == 1
    assert "STALE scenarios/official-echo.yaml" in run.stdout


def test_a_known_flaky_script_runs_again_and_never_fails_the_run(siocheck_bin, tmp_path):
    # chat-room.yaml fails every time on this fault: as known flaky it is run twice more, and the
    # run still passes; official-echo.yaml passes once. The reports say which was which.
    launch = f"{siocheck_bin} serve --fault broadcast-includes-sender --port {{port}} " + " ".join(LONG_HEARTBEAT)
    flaky = tmp_path / "flaky.txt"
    flaky.write_text("chat-room   # fails on this fault; here to show the retries\n")
    report, junit, page = tmp_path / "run.json", tmp_path / "run.xml", tmp_path / "run.html"
    run = scenario(siocheck_bin, "scenarios/chat-room.yaml", "scenarios/official-echo.yaml", "--launch", launch,
                   "--known-flaky", str(flaky), "--json", str(report), "--junit", str(junit), "--html", str(page))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FLAKY FAIL  scenarios/chat-room.yaml" in run.stdout and "3 attempts" in run.stdout
    assert "1 known flaky" in run.stdout
    cases = {Path(c["name"]).name: c for c in json.loads(report.read_text())["cases"]}
    assert (cases["chat-room.yaml"]["verdict"], cases["chat-room.yaml"]["baseline"]) == ("FAIL", "known-flaky")
    assert cases["chat-room.yaml"]["attempts"] == 3 and not cases["chat-room.yaml"]["regression"]
    assert (cases["official-echo.yaml"]["verdict"], cases["official-echo.yaml"]["attempts"]) == ("PASS", 1)
    assert not list(ET.parse(junit).getroot().iter("failure"))
    html = page.read_text()
    assert "<title>siocheck scenario report</title>" in html and "scenarios/chat-room.yaml" in html


def test_a_known_failing_script_is_skipped_in_junit_with_its_reason(siocheck_bin, tmp_path):
    launch = f"{siocheck_bin} serve --fault broadcast-includes-sender --port {{port}} " + " ".join(LONG_HEARTBEAT)
    known = tmp_path / "known.txt"
    known.write_text("chat-room   # the sender hears its own broadcast on this fault\n"
                     "no-such-script   # names nothing of this run: noted, not an error\n")
    junit = tmp_path / "run.xml"
    run = scenario(siocheck_bin, "scenarios/chat-room.yaml", "--launch", launch, "--known-failing", str(known),
                   "--junit", str(junit))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "KNOWN FAIL  scenarios/chat-room.yaml" in run.stdout
    assert f"{known}:2: 'no-such-script' names no script of this run" in run.stderr
    [skipped] = list(ET.parse(junit).getroot().iter("skipped"))
    assert skipped.get("message").startswith("known failing (the sender hears its own broadcast on this fault)")


@pytest.mark.parametrize("target", ["reference", "node"])
def test_the_signaling_scenario_on_both_signaling_apps(siocheck_bin, target):
    launch = {
        "reference": f"{siocheck_bin} serve --app signaling --port {{port}} ",
        "node": "node conformance/fixtures/node/signaling.js --port {port} ",
    }[target] + " ".join(LONG_HEARTBEAT)
    run = scenario(siocheck_bin, "scenarios/", "--app", "signaling", "--launch", launch)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "PASS  scenarios/signaling.yaml" in run.stdout
    assert f"{len(SCRIPTS)} scripts against" in run.stdout and "1 passed, 0 failed" in run.stdout


def test_a_script_needing_a_feature_runs_only_when_the_run_declares_it(siocheck_bin, tmp_path):
    script = tmp_path / "needs.yaml"
    script.write_text("name: needs an echo feature\nrequires: {features: [echo-twice]}\nclients:\n  a: {}\n"
                      "steps:\n  - connect: a\n  - emit: {client: a, event: message, args: [1]}\n"
                      "  - expect: {client: a, event: message-back, args: [1]}\n"
                      "  - expect: {client: a, event: message-back, args: [1], within: 300}\n")
    skipped = scenario(siocheck_bin, str(script))
    assert skipped.returncode == 0, skipped.stdout
    assert "needs feature echo-twice (say --feature echo-twice if the target has it)" in skipped.stdout
    # Declared, it runs: the reference echoes once, so the second expect fails.
    run = scenario(siocheck_bin, str(script), "--feature", "echo-twice")
    assert run.returncode == 1
    assert f"{script}:9:5: expect (client a)" in run.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrequires: {features: [Echo]}\nclients:\n  a: {}\nsteps:\n  - connect: a\n")
    refused = scenario(siocheck_bin, str(bad))
    assert refused.returncode == 2 and "is not a feature name" in refused.stderr
