"""Every deliberate bug of `siocheck serve --fault NAME` is caught by the conformance suite: the cases
the catalogue names for it pass on the reference and FAIL (not NON-STRICT) with the fault on, and the
run exits 1. The catalogue comes from the binary itself, so a new fault without cases fails here."""

import json
import subprocess

import pytest

from conftest import _find_siocheck


def catalogue():
    listed = subprocess.run([str(_find_siocheck()), "serve", "--list-faults", "--json"], capture_output=True,
                            text=True, timeout=30, check=True)
    return json.loads(listed.stdout)


CATALOGUE = catalogue()
# The faults the conformance suite must catch; those with no cases are proven by the live fuzzer
# (tests/test_fuzz.py), which must report them as the catalogue's "fuzz" says.
FAULTS = [fault for fault in CATALOGUE if fault["cases"]]


def run_cases(siocheck_bin, tmp_path, patterns, *launch):
    out = tmp_path / "report.json"
    run = subprocess.run([str(siocheck_bin), "conform", *launch, "--cases", ",".join(patterns), "--json", str(out)],
                         capture_output=True, text=True, timeout=300)
    return run, json.loads(out.read_text())


def matches(pattern, case):
    # The catalogue names a case id (every variant) or one id@variant, as --cases does.
    return case["name"] == pattern or case["id"] == pattern


def test_the_catalogue_is_complete():
    assert len(FAULTS) >= 20
    names = [fault["name"] for fault in CATALOGUE]
    assert len(set(names)) == len(names)
    for fault in CATALOGUE:
        assert fault["cases"] or fault["fuzz"], f"fault {fault['name']} names no case and no fuzz finding"
        assert fault["fuzz"] in ("", "crash", "hang", "violation"), fault
        assert fault["description"]


def test_the_declared_cases_pass_on_the_reference(siocheck_bin, tmp_path):
    patterns = sorted({pattern for fault in FAULTS for pattern in fault["cases"]})
    run, data = run_cases(siocheck_bin, tmp_path, patterns)
    assert run.returncode == 0, run.stdout[-4000:]
    for pattern in patterns:
        hit = [case for case in data["cases"] if matches(pattern, case)]
        assert hit, f"{pattern} names no case"
        assert all(case["verdict"] == "PASS" for case in hit), [(c["name"], c["verdict"]) for c in hit]


@pytest.mark.parametrize("fault", FAULTS, ids=[fault["name"] for fault in FAULTS])
def test_the_suite_catches_the_fault(siocheck_bin, tmp_path, fault):
    launch = ("--launch", f"{siocheck_bin} serve --fault {fault['name']} --port {{port}}")
    run, data = run_cases(siocheck_bin, tmp_path, fault["cases"], *launch)
    assert run.returncode == 1, f"a run that catches {fault['name']} exits 1:\n{run.stdout[-4000:]}{run.stderr}"
    for pattern in fault["cases"]:
        hit = [case for case in data["cases"] if matches(pattern, case)]
        assert hit, f"{pattern} names no case"
        # A fault that ends the process is caught as CRASH: the case in flight, named exactly.
        expected = "CRASH" if fault["fuzz"] == "crash" else "FAIL"
        missed = [(case["name"], case["verdict"]) for case in hit if case["verdict"] != expected]
        assert not missed, f"{fault['name']} is on, yet these cases do not {expected}: {missed}"
