"""Every entry point of the project: `nox -l` lists them."""

from __future__ import annotations

import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT))
from playground import manifest  # noqa: E402  (standard library only: usable before installing)
from tests.chromium import SYSTEM_CHROMIUM  # noqa: E402  (standard library only, too)

PYPROJECT = nox.project.load_toml("pyproject.toml")
# The browser client served from playground/static, pinned in pyproject.toml.
SOCKETIO_CLIENT_VERSION = PYPROJECT["tool"]["playground"]["socketio-client"]
VENDOR_DIR = ROOT / "playground/static/vendor/socket.io-client"

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "uv|virtualenv"  # uv when present: much faster installs
nox.options.reuse_existing_virtualenvs = True


def install(session: nox.Session, *groups: str) -> None:
    """The project (editable) plus the named dependency groups of pyproject.toml."""
    requirements = [r for group in groups for r in nox.project.dependency_groups(PYPROJECT, group)]
    session.install("-e", ".", *requirements)


@nox.session
def playground(session: nox.Session) -> None:
    """Start every lesson and print the playground's one URL (-- --port N)."""
    install(session)
    session.run("python", "-m", "playground", *session.posargs)


@nox.session
def lesson(session: nox.Session) -> None:
    """Run one lesson's server: -- 01 [--async-mode threading|gevent|eventlet] [--port N]."""
    try:  # before installing anything, so a typo costs nothing
        found = manifest.find(session.posargs[0] if session.posargs else "")
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    install(session)
    # The manifest's run_args too (lesson 11: --monkey-patch), as the tests and the playground.
    session.run("python", "-m", "playground.run", *session.posargs, *found.run_args)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole suite: test_client tests and Playwright browser tests (-- pytest args)."""
    install(session, "test")
    if not SYSTEM_CHROMIUM.exists():
        # Playwright's own Chromium: a download (a no-op once done). Where downloads are blocked
        # it fails in a second, and the tests then say which package to install instead.
        session.run("python", "-m", "playwright", "install", "chromium", success_codes=[0, 1])
    session.run("pytest", *session.posargs)


@nox.session
def screenshots(session: nox.Session) -> None:
    """Regenerate the guide's screenshots (docs/assets/screenshots) by running the suite."""
    install(session, "test")
    session.run("pytest", "--screenshots", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the guide strictly into site/; `-- serve` serves it with live reload."""
    install(session, "docs")
    session.env["NO_MKDOCS_2_WARNING"] = "1"  # mkdocs-material's end-of-life banner
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:])
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint and check formatting (-- --fix to apply fixes)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    fix = "--fix" in session.posargs
    session.run("ruff", "check", *(["--fix"] if fix else []), ".")
    session.run("ruff", "format", *([] if fix else ["--check", "--diff"]), ".")


@nox.session
def floors(session: nox.Session) -> None:
    """Measure the floors: lesson start-to-connection time, playground memory and stop time."""
    install(session, "test")
    session.run("python", "scripts/floors.py", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """Soak lesson 05: 200 clients in 20 rooms talk for 60 s; writes docs/assets/soak.json."""
    install(session, "soak")
    session.run("python", "scripts/soak.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark the async modes, and Node's socket.io if node is there: docs/assets/bench.*."""
    import shutil

    install(session, "bench")
    node_args = []
    if shutil.which("node") and shutil.which("npm"):
        tmp = Path(session.create_tmp())
        package = "socket.io@4.8.4"  # pinned: the server users would pick instead of Python
        session.run("npm", "install", "--prefix", str(tmp), package, external=True)
        node_args = ["--node-modules", str(tmp / "node_modules")]
    session.run("python", "scripts/bench.py", *node_args, *session.posargs)


@nox.session(venv_backend="none")
def vendor(session: nox.Session) -> None:
    """Refresh the pinned socket.io browser client from the npm registry (needs npm)."""
    tmp = Path(session.create_tmp())
    package = f"socket.io-client@{SOCKETIO_CLIENT_VERSION}"
    session.run("npm", "pack", package, "--pack-destination", str(tmp), external=True)
    [tarball] = tmp.glob("socket.io-client-*.tgz")
    session.run("tar", "-xzf", str(tarball), "-C", str(tmp), external=True)
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("dist/socket.io.min.js", "LICENSE"):
        (VENDOR_DIR / Path(name).name).write_bytes((tmp / "package" / name).read_bytes())
    session.log(f"{package} copied to {VENDOR_DIR.relative_to(ROOT)}")
