"""The HTML report of a run with failures, rendered in headless Chromium: the counts on the page
match the run's JSON, the filter works, the failing cases read with JavaScript off, and
screenshots are kept (build/reports/)."""

import json
import subprocess
from pathlib import Path

from conftest import ROOT, run_node


def test_the_html_report_shows_the_runs_counts(siocheck_bin, tmp_path):
    report_json, report_html = tmp_path / "report.json", tmp_path / "report.html"
    faulty = f"{siocheck_bin} serve --fault handshake-extra-key --fault auth-null-without-payload --port {{port}}"
    run = subprocess.run([str(siocheck_bin), "conform", "--launch", faulty, "--cases", "eio/handshake,sio/connect",
                          "--json", str(report_json), "--html", str(report_html)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, "a run with failures exits 1:\n" + run.stdout + run.stderr
    data = json.loads(report_json.read_text())
    assert data["schema"] == "siocheck.conform/1"
    assert data["counts"]["FAIL"] > 0

    artifacts = ROOT / "build" / "reports"
    artifacts.mkdir(parents=True, exist_ok=True)
    screenshot = artifacts / "conform-report.png"
    page = run_node("report_page.mjs", str(report_html), str(screenshot), timeout=120)
    assert "error" not in page, page.get("error")
    print(f"Chromium {page['browserVersion']}, playwright-core {page['playwrightVersion']}")
    assert page["errors"] == [], "the page's script failed"
    assert page["counts"] == data["counts"]
    expected = {}
    for case in data["cases"]:
        expected[(case["area"], case["verdict"])] = expected.get((case["area"], case["verdict"]), 0) + 1
    shown = {(cell["area"], cell["verdict"]): cell["n"] for cell in page["matrix"] if cell["area"] != "total"}
    assert {k: v for k, v in shown.items() if v} == expected
    assert page["cases"] == len(data["cases"])
    assert page["visibleAfterFilter"] == data["counts"]["FAIL"]
    assert screenshot.stat().st_size > 10_000


def test_the_html_report_reads_without_javascript(siocheck_bin, tmp_path):
    report_json, report_html = tmp_path / "report.json", tmp_path / "report.html"
    faulty = f"{siocheck_bin} serve --fault handshake-extra-key --port {{port}}"
    run = subprocess.run([str(siocheck_bin), "conform", "--launch", faulty, "--cases", "eio/handshake",
                          "--json", str(report_json), "--html", str(report_html)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    data = json.loads(report_json.read_text())
    failing = [case for case in data["cases"] if case["regression"]]
    assert failing
    artifacts = ROOT / "build" / "reports"
    artifacts.mkdir(parents=True, exist_ok=True)
    page = run_node("report_page.mjs", str(report_html), str(artifacts / "conform-report-nojs.png"), "--no-js",
                    timeout=120)
    assert "error" not in page, page.get("error")
    text = page["text"]
    # The facts, the counts and every failing case with what was expected and observed.
    assert data["target"] in text and f"FAIL {data['counts']['FAIL']}" in text
    assert page["open"] == len(failing)
    for case in failing:
        assert case["name"] in text
        for check in case["checks"]:
            if not check["ok"]:
                assert f"expected: {check['expected']}" in text
