"""Fixtures for siocheck's pytest harness.

They locate the built `siocheck` binary, start servers on free ports with a readiness check (the
"listening" line, never a sleep), stop them at the end of the test, and attach each server's log to
the report of a failing test.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS_DIR = Path(__file__).resolve().parent / "js"


def _find_siocheck() -> Path:
    env = os.environ.get("SIOCHECK_BIN")
    candidates = [Path(env)] if env else [ROOT / "build" / "dev" / "tools" / "siocheck",
                                          ROOT / "build" / "release" / "tools" / "siocheck"]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise pytest.UsageError(
        "siocheck binary not found (looked at: " + ", ".join(map(str, candidates)) +
        "). Build it with `cmake --preset dev && cmake --build --preset dev`, or set SIOCHECK_BIN.")


@pytest.fixture(scope="session")
def siocheck_bin() -> Path:
    return _find_siocheck()


@dataclass
class Server:
    """A running `siocheck serve`."""
    process: subprocess.Popen
    url: str  # http://127.0.0.1:PORT
    port: int
    log_path: Path
    _stderr_thread: threading.Thread | None = None
    exit_code: int | None = None

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle: str, timeout: float = 5.0) -> str:
        """Waits until `needle` appears in the log (the server logs synchronously, line by line)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if needle in text:
                return text
            time.sleep(0.01)
        raise AssertionError(f"'{needle}' not in the server log after {timeout}s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._stderr_thread:
            self._stderr_thread.join(timeout=5)
        self.exit_code = self.process.returncode
        return self.exit_code


@dataclass
class ServerFactory:
    binary: Path
    tmp: Path
    servers: list[Server] = field(default_factory=list)

    def start(self, *args: str, ready_timeout: float = 15.0) -> Server:
        """Starts `siocheck serve` on a free port with `args`."""
        return self.start_command([str(self.binary), "serve", "--host", "127.0.0.1", "--port", "0", *args],
                                  ready_timeout=ready_timeout)

    def start_command(self, cmd: list[str], ready_timeout: float = 15.0) -> Server:
        """Starts any server command that prints `listening http://HOST:PORT` when ready."""
        index = len(self.servers)
        log_path = self.tmp / f"server-{index}.log"
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        log_file = open(log_path, "w", buffering=1)

        def pump_stderr() -> None:
            for line in process.stderr:
                log_file.write(line)
            log_file.close()

        thread = threading.Thread(target=pump_stderr, daemon=True)
        thread.start()
        line_box: list[str] = []

        def read_ready_line() -> None:
            line_box.append(process.stdout.readline())

        reader = threading.Thread(target=read_ready_line, daemon=True)
        reader.start()
        reader.join(timeout=ready_timeout)
        line = line_box[0].strip() if line_box else ""
        if not line.startswith("listening "):
            process.kill()
            process.wait()
            thread.join(timeout=5)
            raise AssertionError(
                f"`{' '.join(cmd)}` did not print its listening line within {ready_timeout}s "
                f"(exit status {process.returncode}); stdout: {line!r}; log:\n{log_path.read_text()}")
        url = line.split(" ", 1)[1]
        server = Server(process=process, url=url, port=int(url.rsplit(":", 1)[1]), log_path=log_path,
                        _stderr_thread=thread)
        self.servers.append(server)
        return server


# Tests that are not about the heartbeat run the server with a long one, so a busy machine cannot
# cause a spurious ping timeout.
LONG_HEARTBEAT = ("--ping-interval", "25000", "--ping-timeout", "20000")

# The Socket.IO fixture implementations (conformance/FIXTURE.md). Each command takes --port 0 and
# the heartbeat overrides, and prints the `listening` line.
FIXTURE_COMMANDS = {
    "node": lambda binary: ["node", str(ROOT / "conformance" / "fixtures" / "node" / "server.js")],
    "python": lambda binary: ["/usr/bin/python3", str(ROOT / "conformance" / "fixtures" / "python" / "server.py")],
    "reference": lambda binary: [str(binary), "serve"],
}


def start_fixture(servers: "ServerFactory", kind: str, *args: str) -> "Server":
    """Starts the fixture `kind` (reference, node or python) on a free port."""
    cmd = FIXTURE_COMMANDS[kind](servers.binary) + ["--host", "127.0.0.1", "--port", "0", *args]
    return servers.start_command(cmd)


@pytest.fixture
def servers(siocheck_bin, tmp_path, request):
    factory = ServerFactory(siocheck_bin, tmp_path)
    yield factory
    for server in factory.servers:
        server.stop()
    request.node.server_logs = [(s.url, s.log()) for s in factory.servers]


@pytest.fixture
def server(servers) -> Server:
    """The reference server with a long heartbeat."""
    return servers.start(*LONG_HEARTBEAT)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown":
        for url, log in getattr(item, "server_logs", []):
            if not all_passed(item):
                report.sections.append((f"siocheck serve log ({url})", log or "<empty>"))


def all_passed(item) -> bool:
    return not getattr(item, "_siocheck_failed", False)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    outcome = yield
    if outcome.excinfo is not None:
        item._siocheck_failed = True


# ---- Node.js helpers -------------------------------------------------------------------------

def _node() -> str:
    node = shutil.which("node")
    if not node:
        raise pytest.UsageError("node is not on PATH; siocheck's interop tests need Node.js 20")
    if not (ROOT / "node_modules" / "engine.io-client").is_dir():
        raise pytest.UsageError("node_modules is missing: run ci/setup (npm ci) first")
    return node


def run_node(script: str, *args: str, timeout: float = 60.0, env: dict | None = None) -> dict:
    """Runs tests/js/<script> and returns the JSON object it prints on its last stdout line."""
    full_env = dict(os.environ)
    full_env["NODE_PATH"] = str(ROOT / "node_modules")
    if env:
        full_env.update(env)
    result = subprocess.run([_node(), str(JS_DIR / script), *args], capture_output=True, text=True,
                            timeout=timeout, cwd=ROOT, env=full_env)
    # Split on "\n" only: JSON output may hold U+2028 and other characters that splitlines() breaks on.
    lines = [line for line in result.stdout.split("\n") if line.strip()]
    if result.returncode != 0 or not lines:
        raise AssertionError(f"node {script} {' '.join(args)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return json.loads(lines[-1])


# The signaling app (scenarios/SIGNALING.md) on the reference and on Node. Same arguments as
# FIXTURE_COMMANDS; each also serves the demo page on / and the socket.io-client bundle.
SIGNALING_COMMANDS = {
    "reference": lambda binary: [str(binary), "serve", "--app", "signaling"],
    "node": lambda binary: ["node", str(ROOT / "conformance" / "fixtures" / "node" / "signaling.js")],
}


def start_signaling(servers: "ServerFactory", kind: str) -> "Server":
    """Starts the signaling app `kind` (reference or node) on a free port, with a long heartbeat."""
    cmd = SIGNALING_COMMANDS[kind](servers.binary) + ["--host", "127.0.0.1", "--port", "0", *LONG_HEARTBEAT]
    return servers.start_command(cmd)
