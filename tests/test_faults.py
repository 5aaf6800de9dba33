"""Every deliberate bug of `siocheck serve --fault NAME` is caught by the conformance suite, and by
exactly the cases the catalogue names for it: the whole suite runs against the reference with each
fault on, and the cases whose verdict differs from the reference's are the declared ones, each FAIL
(CRASH for a fault that ends the process), and the run exits 1. A fault with no case (one the live
fuzzer finds) changes no verdict at all. Every advisory a case cites is reproduced by a fault that
declares that case. The catalogue comes from the binary itself, so a new fault is checked here."""

import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, _find_siocheck


def catalogue():
    listed = subprocess.run([str(_find_siocheck()), "serve", "--list-faults", "--json"], capture_output=True,
                            text=True, timeout=30, check=True)
    return json.loads(listed.stdout)


CATALOGUE = catalogue()
# The faults the conformance suite must catch; those with no cases are proven by the live fuzzer
# (tests/test_fuzz.py), which must report them as the catalogue's "fuzz" says.
FAULTS = [fault for fault in CATALOGUE if fault["cases"]]
# An advisory id as cases and faults write it.
ADVISORY = re.compile(r"\b(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b")


def fast_siocheck() -> Path:
    """The whole suite runs once per fault: with the release build that ci/package made (when it
    is at least as new as the dev build) it takes seconds a run, with the sanitized dev build far
    longer. Both are built from the same tree; SIOCHECK_BIN overrides as everywhere."""
    dev = _find_siocheck()
    release = ROOT / "build" / "package" / "tools" / "siocheck"
    if not os.environ.get("SIOCHECK_BIN") and release.is_file() and release.stat().st_mtime >= dev.stat().st_mtime:
        return release
    return dev


def whole_suite(binary, out, fault=None):
    command = f"{binary} serve --port {{port}}" + (f" --fault {fault}" if fault else "")
    run = subprocess.run([str(binary), "conform", "--launch", command, "--json", str(out)], capture_output=True,
                         text=True, timeout=600)
    data = json.loads(out.read_text()) if out.exists() else {"cases": []}
    return run, data


def matches(pattern, case):
    # The catalogue names a case id (every variant) or one id@variant, as --cases does.
    return case["name"] == pattern or case["id"] == pattern


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The whole suite against the reference, then against it with each fault on (four runs at a
    time: a run mostly waits on the network)."""
    binary = fast_siocheck()
    folder = tmp_path_factory.mktemp("faults")
    names = [None] + [fault["name"] for fault in CATALOGUE]
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = pool.map(lambda name: whole_suite(binary, folder / f"{name or 'reference'}.json", name), names)
        return dict(zip(names, done))


def test_the_catalogue_is_complete():
    assert len(FAULTS) >= 20
    names = [fault["name"] for fault in CATALOGUE]
    assert len(set(names)) == len(names)
    for fault in CATALOGUE:
        assert fault["cases"] or fault["fuzz"], f"fault {fault['name']} names no case and no fuzz finding"
        assert fault["fuzz"] in ("", "crash", "hang", "violation"), fault
        assert fault["description"]
        for advisory in fault["advisories"]:
            assert advisory, fault


def test_the_reference_passes_every_case(runs):
    run, data = runs[None]
    assert run.returncode == 0, run.stdout[-4000:]
    verdicts = {case["verdict"] for case in data["cases"]}
    assert verdicts <= {"PASS", "UNIMPLEMENTED"}, run.stdout[-4000:]
    patterns = {pattern for fault in FAULTS for pattern in fault["cases"]}
    for pattern in sorted(patterns):
        hit = [case for case in data["cases"] if matches(pattern, case)]
        assert hit, f"{pattern} names no case"
        assert all(case["verdict"] == "PASS" for case in hit), [(c["name"], c["verdict"]) for c in hit]


# What counts as catching a fault; a NON-STRICT or INFORMATIONAL verdict is not a failure.
FAILED = {"FAIL", "CRASH", "NOT RUN"}


@pytest.mark.parametrize("fault", CATALOGUE, ids=[fault["name"] for fault in CATALOGUE])
def test_the_fault_fails_exactly_its_cases(runs, fault):
    _, reference = runs[None]
    before = {case["name"]: case["verdict"] for case in reference["cases"]}
    run, data = runs[fault["name"]]
    assert data["cases"] and data["complete"], f"the run with {fault['name']} did not finish:\n{run.stdout[-3000:]}"
    after = {case["name"]: case["verdict"] for case in data["cases"]}
    assert after.keys() == before.keys()
    declared = {case["name"] for case in data["cases"] if any(matches(p, case) for p in fault["cases"])}
    for pattern in fault["cases"]:
        assert any(matches(pattern, case) for case in data["cases"]), f"{pattern} names no case"
    # A fault that ends the process is caught as CRASH: the case in flight, named exactly.
    expected = "CRASH" if fault["fuzz"] == "crash" else "FAIL"
    missed = sorted((name, after[name]) for name in declared if after[name] != expected)
    extra = sorted((name, verdict) for name, verdict in after.items()
                   if name not in declared and verdict in FAILED and before[name] not in FAILED)
    assert not missed, f"{fault['name']} is on, yet these declared cases do not {expected}: {missed}"
    assert not extra, f"{fault['name']} also fails cases it does not declare: {extra}"
    if declared:
        assert run.returncode == 1, f"a run that catches {fault['name']} exits 1:\n{run.stdout[-3000:]}"
    else:
        assert run.returncode == 0, run.stdout[-3000:]


def test_every_advisory_a_case_cites_has_its_fault(runs):
    """A case that names an advisory sends that advisory's input on its path: a fault reproduces
    the bug there, and the case is among those that catch it."""
    _, data = runs[None]
    cited = {}
    for case in data["cases"]:
        for advisory in ADVISORY.findall(" ".join((case["title"], case["requirement"], case["source"]))):
            cited.setdefault(advisory, set()).add(case["id"])
    assert cited, "no case cites an advisory"
    for advisory, ids in sorted(cited.items()):
        faults = [fault for fault in CATALOGUE if advisory in fault["advisories"]]
        assert faults, f"{advisory} is cited by {sorted(ids)}, yet no fault reproduces it"
        for case_id in sorted(ids):
            catching = [fault["name"] for fault in faults
                        if any(p == case_id or p.split("@")[0] == case_id for p in fault["cases"])]
            assert catching, f"{case_id} cites {advisory}, yet no fault reproducing it declares {case_id}"


def test_every_advisory_a_fault_reproduces_is_cited_by_its_cases(runs):
    _, data = runs[None]
    for fault in CATALOGUE:
        for advisory in fault["advisories"]:
            if not ADVISORY.fullmatch(advisory):
                continue  # a changelog fix ("engine.io 6.2.1") is named in the fault's description
            citing = [p for p in fault["cases"]
                      if any(matches(p, case) and advisory in case["source"] for case in data["cases"])]
            assert citing or fault["fuzz"], f"{fault['name']} reproduces {advisory}, yet none of its cases cites it"
