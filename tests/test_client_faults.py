"""Every deliberate bug of the Node client adapter (`adapter.js --fault NAME`, the catalogue of
conformance/adapters/node/faults/) is caught by the client cases it names: those cases pass without the
fault and FAIL (not CRASH, not NON-STRICT) with it, while every other case of their areas still passes
(or is INFORMATIONAL). The catalogue comes from the adapter itself, so a fault added without cases fails
here. Each fault runs only the areas of its cases.

Cases that conformance/known-failing/client-node.txt lists are left out of the comparison. This
machine may be loaded, and timing cases then slip now and then: a case whose verdict is not the expected
one is run again, up to twice (as --known-flaky does), and only a miss every time counts."""

import fnmatch
import json
import subprocess

import pytest

from conftest import ROOT, _node

ADAPTER = ["node", str(ROOT / "conformance" / "adapters" / "node" / "adapter.js")]
KNOWN_FAILING = ROOT / "conformance" / "known-failing" / "client-node.txt"
PASSING = ("PASS", "INFORMATIONAL")


def catalogue():
    listed = subprocess.run([_node(), *ADAPTER[1:], "--list-faults"], capture_output=True, text=True, timeout=30,
                            check=True, cwd=ROOT)
    return json.loads(listed.stdout)


CATALOGUE = catalogue()


def known_failing():
    if not KNOWN_FAILING.exists():
        return []
    patterns = []
    for line in KNOWN_FAILING.read_text().splitlines():
        pattern = line.split("#", 1)[0].strip()
        if pattern:
            patterns.append(pattern)
    return patterns


def baselined(case, patterns):
    return any(fnmatch.fnmatchcase(case["name"], p) or fnmatch.fnmatchcase(case["id"], p) for p in patterns)


def area(case_id):
    return case_id.rsplit("/", 1)[0]


def named(case, declared):
    # A fault names a case id (every variant) or one id@variant, as --cases does.
    return case["name"] in declared or case["id"] in declared


def run_client(siocheck_bin, tmp_path, patterns, *adapter_args, name="report"):
    out = tmp_path / f"{name}.json"
    run = subprocess.run([str(siocheck_bin), "conform", "--client", "--cases", ",".join(patterns), "--json", str(out),
                          "--", *ADAPTER, *adapter_args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.exists(), f"no report (exit status {run.returncode}):\n{run.stdout[-4000:]}{run.stderr[-4000:]}"
    data = json.loads(out.read_text())
    assert data["complete"], f"the run stopped early (exit status {run.returncode}):\n{run.stdout[-4000:]}"
    return data["cases"]


def misses(siocheck_bin, tmp_path, cases, ok, *adapter_args):
    """The cases for which ok(case) is false, each run again up to twice: those that miss every time."""
    missed = [case for case in cases if not ok(case)]
    for attempt in range(2):
        if not missed:
            break
        again = run_client(siocheck_bin, tmp_path, [case["name"] for case in missed], *adapter_args,
                           name=f"again-{attempt}")
        missed = [case for case in again if not ok(case)]
    return missed


def shown(case):
    failed = [f"{c['what']}: expected {c['expected']}, observed {c['observed']}" for c in case["checks"] if not c["ok"]]
    return f"{case['name']} {case['verdict']} ({case['reason'] or '; '.join(failed)[:400]})"


def test_the_catalogue_is_complete():
    assert len(CATALOGUE) >= 15
    names = [fault["name"] for fault in CATALOGUE]
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    for fault in CATALOGUE:
        assert isinstance(fault["description"], str) and fault["description"].strip(), fault
        assert isinstance(fault["cases"], list) and fault["cases"], f"fault {fault['name']} names no case"
        assert len(set(fault["cases"])) == len(fault["cases"]), fault


def test_every_declared_case_exists(siocheck_bin):
    listed = subprocess.run([str(siocheck_bin), "conform", "--client", "--list", "--", *ADAPTER], capture_output=True,
                            text=True, timeout=60, check=True, cwd=ROOT)
    ids = {line.split()[0] for line in listed.stdout.splitlines() if line.startswith("client/")}
    assert ids, listed.stdout
    missing = [(fault["name"], case) for fault in CATALOGUE for case in fault["cases"] if case.split("@")[0] not in ids]
    assert not missing, f"declared cases that name no client case: {missing}"


def test_the_declared_cases_pass_without_a_fault(siocheck_bin, tmp_path):
    declared = sorted({case for fault in CATALOGUE for case in fault["cases"]})
    cases = run_client(siocheck_bin, tmp_path, declared)
    missed = misses(siocheck_bin, tmp_path, cases, lambda case: case["verdict"] == "PASS")
    assert not missed, "declared cases that do not PASS without a fault:\n" + "\n".join(map(shown, missed))


@pytest.mark.parametrize("fault", CATALOGUE, ids=[fault["name"] for fault in CATALOGUE])
def test_the_cases_catch_the_fault(siocheck_bin, tmp_path, fault):
    declared = set(fault["cases"])
    areas = sorted({area(case) for case in declared})
    skip = known_failing()
    cases = run_client(siocheck_bin, tmp_path, areas, "--fault", fault["name"])
    seen = {case["name"] for case in cases} | {case["id"] for case in cases}
    assert declared <= seen, f"declared cases not run: {sorted(declared - seen)}"

    ours = [case for case in cases if named(case, declared)]
    uncaught = misses(siocheck_bin, tmp_path, ours, lambda case: case["verdict"] == "FAIL", "--fault", fault["name"])
    assert not uncaught, f"{fault['name']} is on, yet these cases do not FAIL:\n" + "\n".join(map(shown, uncaught))

    others = [case for case in cases if not named(case, declared) and not baselined(case, skip)]
    hurt = misses(siocheck_bin, tmp_path, others, lambda case: case["verdict"] in PASSING, "--fault", fault["name"])
    assert not hurt, f"{fault['name']} also breaks cases it does not name (3 runs):\n" + "\n".join(map(shown, hurt))
