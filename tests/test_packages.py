"""The packages of ci/package, installed the ways users install them: the Debian package with
dpkg, the tarball unpacked into a prefix, the npm packages into a fresh project. Each installed
siocheck grades the Node fixture with its installed baseline and exits 0, and serves the signaling
demo from its installed data; the binary needs nothing but the C library; the version agrees
everywhere; and the CI recipes of conformance/README.md run as written, in a clean folder with a
fresh HOME. ci/test builds the packages before pytest; run alone, this module builds them."""

import os
import re
import shutil
import subprocess
import tarfile
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = ROOT / "build" / "packages"
VERSION = re.search(r"project\(siocheck VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
# What a bare system has: the C library and its loader.
C_LIBRARY = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2"}


@pytest.fixture(scope="module")
def packages():
    if not (PACKAGES / f"siocheck_{VERSION}_amd64.deb").exists():
        subprocess.run([str(ROOT / "ci" / "package")], check=True, cwd=ROOT, timeout=3600)
    return PACKAGES


def clean_env(home: Path) -> dict:
    """A fresh HOME and a PATH with no build of siocheck on it (Node stays: the fixture needs it)."""
    path = [p for p in os.environ["PATH"].split(":") if p and "siocheck" not in p and str(ROOT) not in p]
    node_dir = str(Path(shutil.which("node")).parent)
    return {"HOME": str(home), "PATH": ":".join([node_dir] + path), "LANG": "C.UTF-8",
            "NODE_PATH": str(ROOT / "node_modules")}


def grades_the_node_fixture(binary: Path, share: Path, tmp_path: Path, env: dict | None = None):
    # The Node fixture as installed; its socket.io comes from NODE_PATH, as a project's would.
    junit = tmp_path / "siocheck.xml"
    fixture = f"node {share}/conformance/fixtures/node/server.js --port {{port}}"
    run = subprocess.run([str(binary), "conform", "--launch", fixture, "--known-failing",
                          str(share / "conformance" / "known-failing" / "node.txt"), "--junit", str(junit)],
                         capture_output=True, text=True, timeout=600, cwd=tmp_path,
                         env=env or clean_env(tmp_path / "home"))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert junit.stat().st_size > 10_000


def serves_the_signaling_demo(binary: Path, tmp_path: Path):
    server = subprocess.Popen([str(binary), "serve", "--app", "signaling", "--port", "0", "--log", "off"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                              env=clean_env(tmp_path / "home"))
    try:
        line = server.stdout.readline()
        assert line.startswith("listening http://"), line + server.stderr.read()
        url = line.split()[1]
        page = urllib.request.urlopen(url + "/", timeout=10).read().decode()
        bundle = urllib.request.urlopen(url + "/socket.io.min.js", timeout=10).read()
        assert "<html" in page.lower() and len(bundle) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_tarball_unpacked_into_a_prefix(packages, tmp_path):
    prefix = tmp_path / "prefix"
    with tarfile.open(packages / f"siocheck-{VERSION}-linux-x86_64.tar.gz") as archive:
        archive.extractall(prefix)
    root = prefix / f"siocheck-{VERSION}-linux-x86_64"
    binary, share = root / "bin" / "siocheck", root / "share" / "siocheck"
    for data in ("conformance/FIXTURE.md", "conformance/fixtures/starter/server.js",
                 "conformance/known-failing/node.txt", "conformance/CLIENT-ADAPTER.md",
                 "conformance/adapters/minimal/adapter.py", "conformance/known-failing/client-node.txt",
                 "scenarios/chat-room.yaml",
                 "scenarios/signaling/index.html", "scenarios/signaling/socket.io.min.js"):
        assert (share / data).is_file(), data
    grades_the_node_fixture(binary, share, tmp_path)
    serves_the_signaling_demo(binary, tmp_path)


def test_the_debian_package_installed_with_dpkg(packages, tmp_path):
    deb = packages / f"siocheck_{VERSION}_amd64.deb"
    info = subprocess.run(["dpkg-deb", "--field", str(deb), "Version", "Depends"], capture_output=True, text=True,
                          check=True).stdout
    assert f"Version: {VERSION}" in info and "libc6" in info, info
    subprocess.run(["dpkg", "-i", str(deb)], check=True, capture_output=True)
    try:
        binary = Path("/usr/bin/siocheck")
        assert binary.is_file()
        grades_the_node_fixture(binary, Path("/usr/share/siocheck"), tmp_path)
        serves_the_signaling_demo(binary, tmp_path)
    finally:
        subprocess.run(["dpkg", "-r", "siocheck"], check=True, capture_output=True)
    assert not Path("/usr/bin/siocheck").exists()


def npm_install(project: Path, packages: Path, env: dict):
    project.mkdir(parents=True)
    (project / "package.json").write_text('{"name": "my-server", "version": "1.0.0", "private": true}\n')
    run = subprocess.run(["npm", "install", "--save-dev", "--no-audit", "--no-fund",
                          str(packages / f"siocheck-{VERSION}.tgz"), str(packages / f"siocheck-linux-x64-{VERSION}.tgz")],
                         capture_output=True, text=True, timeout=300, cwd=project, env=env)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_npm_packages_in_a_fresh_project(packages, tmp_path):
    env = clean_env(tmp_path / "home")
    project = tmp_path / "project"
    npm_install(project, packages, env)
    launcher = project / "node_modules" / ".bin" / "siocheck"
    version = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, env=env, cwd=project)
    assert version.returncode == 0 and f"siocheck {VERSION} (commit " in version.stdout
    share = project / "node_modules" / "@siocheck" / "linux-x64" / "share" / "siocheck"
    grades_the_node_fixture(launcher, share, tmp_path, env)
    serves_the_signaling_demo(launcher, tmp_path)
    # The launcher passes the exit status through: a usage error is still 2.
    assert subprocess.run([str(launcher), "conform", "--cases", "sio/ackz", "--list"], capture_output=True,
                          env=env, cwd=project).returncode == 2


def test_the_binary_needs_only_the_c_library(packages, tmp_path):
    with tarfile.open(packages / f"siocheck-{VERSION}-linux-x86_64.tar.gz") as archive:
        archive.extractall(tmp_path)
    binary = tmp_path / f"siocheck-{VERSION}-linux-x86_64" / "bin" / "siocheck"
    ldd = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout
    libraries = {Path(line.split()[0]).name for line in ldd.splitlines() if line.strip()}
    assert libraries <= C_LIBRARY, ldd
    assert "not stripped" not in subprocess.run(["file", str(binary)], capture_output=True, text=True).stdout
    size = binary.stat().st_size
    # The newest C library it needs is the one the READMEs name (Debian 12's).
    symbols = subprocess.run(["objdump", "-T", str(binary)], capture_output=True, text=True, check=True).stdout
    glibc = max((tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_([0-9.]+)", symbols)))
    assert glibc <= (2, 36), glibc
    print(f"stripped binary: {size} bytes; ldd: {sorted(libraries)}; needs glibc {glibc}")
    # 13.7 MB at 0.2.0's packaging, 15.2 MB with client mode (its scripted server is a second Beast
    # HTTP/WebSocket server): a guard against a sudden doubling, not a budget.
    assert size < 20_000_000, f"the stripped binary grew to {size} bytes"


def test_the_version_agrees_everywhere(packages, tmp_path):
    with tarfile.open(packages / f"siocheck-{VERSION}-linux-x86_64.tar.gz") as archive:
        archive.extractall(tmp_path)
    binary = tmp_path / f"siocheck-{VERSION}-linux-x86_64" / "bin" / "siocheck"
    line = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    assert re.fullmatch(rf"siocheck {re.escape(VERSION)} \(commit [0-9a-f]{{12}}\)\n", line), line
    assert (ROOT / "CHANGELOG.md").read_text().split("\n## ")[1].startswith(VERSION)
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert f'"version": "{VERSION}"' in (ROOT / "packaging" / "npm" / "siocheck" / "package.json").read_text()


RECIPES = re.findall(r"<!-- recipe: (\w+) -->\n```sh\n(.*?)```", (ROOT / "conformance" / "README.md").read_text(), re.S)


@pytest.mark.parametrize("name,script", RECIPES, ids=[name for name, _ in RECIPES])
def test_a_ci_recipe_runs_as_written(packages, tmp_path, name, script):
    # The recipe's folder holds what a project has: its server (the Node starter), its baseline,
    # and the release files it downloaded. Then the recipe's lines run, as written.
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(ROOT / "conformance" / "fixtures" / "starter" / "server.js", work / "server.js")
    shutil.copy(ROOT / "conformance" / "known-failing" / "node.txt", work / "known-failing.txt")
    for release in packages.iterdir():
        if release.suffix in (".gz", ".tgz"):
            shutil.copy(release, work / release.name)
    (work / "package.json").write_text('{"name": "my-server", "version": "1.0.0", "private": true}\n')
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=900,
                         cwd=work, env=clean_env(tmp_path / "home"))
    assert run.returncode == 0, f"recipe {name}:\n{script}\n{run.stdout[-3000:]}{run.stderr[-3000:]}"
    assert (work / "siocheck.xml").stat().st_size > 10_000


def test_there_are_recipes_for_npm_and_for_the_tarball():
    assert {name for name, _ in RECIPES} == {"npm", "tarball"}
