"""Lesson 13 runs as a deployment: nginx in front of three gunicorn servers sharing a Redis.

The suite's ``live_server`` is replaced by that stack (``Stack``, as ``nox -s lesson -- 13``
starts it, with ``logger`` and ``engineio_logger`` on), once for the whole folder; ``front()``
puts nginx in the variant a test needs on the stack's one port. Smaller stacks (one gunicorn
with four workers, one that accepts another origin) are started where a test needs them.

Every stack runs gunicorn's ``worker`` for the test's ``server_mode``: gevent's, whatever
``--async-mode`` asks, as the lesson's claims.toml says (``live_modes``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from playground import manifest
from playground.deployment import WORKERS, DeploymentMissing, Stack
from playground.redis_server import RedisServerMissing
from playground.server_process import ServerProcess, free_port

LESSON = manifest.by_package(Path(__file__).parent.name)
CAPTURED = manifest.ROOT / "docs" / "assets" / "deploying"  # log lines the guide shows
# gunicorn's worker class for each async mode it has one for (gunicorn 26 removed eventlet's).
WORKER_OF_MODE = {mode: worker for worker, mode in WORKERS.items()}


def start_stack(lesson=LESSON, **options) -> Stack:
    """A stack, or one line saying what to install."""
    try:
        return Stack(lesson, **options).start()
    except (DeploymentMissing, RedisServerMissing) as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="package")
def worker(server_mode) -> str:
    """gunicorn's worker class for the test's async mode."""
    return WORKER_OF_MODE[server_mode]


@pytest.fixture(scope="package")
def stack(worker):
    deployed = start_stack(worker=worker, debug_logs=True)
    yield deployed
    deployed.stop()


@pytest.fixture(scope="package")
def live_server(stack):
    """What ``lesson_page`` opens: the stack's one URL (nginx)."""
    return stack


@pytest.fixture
def front(stack):
    """``front(sticky=True, upgrade=True)``: nginx so configured on the stack's port."""
    yield lambda **options: stack.reconfigure(**options)
    stack.reconfigure()  # the next test finds the deployment as documented


class Frontend(ServerProcess):
    """Another site on another loopback port: a page that connects to the stack, cross-origin.

    The usual case is a JavaScript front end served by its own dev server (port 3000, say)
    talking to the Socket.IO server; here ``python -m http.server`` serves that page.
    """

    PAGE = """<!doctype html><meta charset="utf-8"><title>Another site</title>
<script src="{backend}/_playground/static/vendor/socket.io-client/socket.io.min.js"></script>
<p>A page of {origin}, whose scripts connect to {backend}.</p>"""

    def __init__(self, backend: str, port: int):
        super().__init__(port)
        self.backend = backend
        self.folder = tempfile.TemporaryDirectory(prefix="frontend-")
        page = self.PAGE.format(backend=backend, origin=self.url)
        (Path(self.folder.name) / "index.html").write_text(page)

    def __str__(self) -> str:
        return f"the other site on port {self.port}"

    def command(self) -> list[str]:
        bind = ("--bind", self.host, "--directory", self.folder.name)
        return [sys.executable, "-m", "http.server", *bind, str(self.port)]

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self.folder.cleanup()


@pytest.fixture(scope="module")
def frontend_port():
    return free_port()


@pytest.fixture(scope="module")
def frontend(stack, frontend_port):
    site = Frontend(stack.url, frontend_port).start()
    yield site
    site.stop()


@pytest.fixture
def capture(request):
    """``capture(name, text)``: saved for the guide when pytest runs with --screenshots."""

    def save(name: str, text: str) -> None:
        if request.config.getoption("--screenshots"):
            CAPTURED.mkdir(parents=True, exist_ok=True)
            (CAPTURED / f"{name}.txt").write_text(text.rstrip("\n") + "\n")

    return save
