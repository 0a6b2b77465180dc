"""The runner with lesson 13, as ``nox -s lesson -- 13`` runs it: the whole stack, one URL.

No lesson claim here: these back the page's "Run it" section. The runner starts Redis, three
gunicorn servers and nginx, prints the one URL and every process behind it, and leaves nothing
behind when it is stopped with Ctrl-C or killed; a missing program or a busy port is one line.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request

import pytest
import socketio as python_socketio

from playground import deployment
from playground.lesson_process import LessonProcess
from playground.run import EXIT_PORT_IN_USE, parse_args
from tests.utils import running, wait_until


def pids_behind(runner: LessonProcess) -> dict[str, int]:
    """The processes the runner says it started: nginx, each gunicorn master, redis-server."""
    printed = runner.read_output()
    found = dict(re.findall(r"^  (nginx|server \d|redis-server)\S* .*?\(pid (\d+)", printed, re.M))
    return {name: int(pid) for name, pid in found.items()}


@pytest.fixture
def runner(lesson):
    server = LessonProcess(lesson).start()  # ready once nginx answers: everything is up
    yield server
    server.stop()


def test_the_runner_prints_one_url_and_what_runs_behind_it_and_stops_on_ctrl_c(runner):
    printed = runner.read_output()
    assert len(re.findall(r"http://127\.0\.0\.1:\d+/ ", printed)) == 1, printed
    assert f"http://127.0.0.1:{runner.port}/   (Ctrl-C to stop)" in printed
    pids = pids_behind(runner)
    assert sorted(pids) == ["nginx", "redis-server", "server 1", "server 2", "server 3"], printed
    assert "--worker-class gevent --workers 1 playground.deployment:wsgi_app('13')" in printed
    with urllib.request.urlopen(runner.url + "/") as page:
        assert "sticky sessions" in page.read().decode()

    os.kill(runner.process.pid, signal.SIGINT)  # Ctrl-C, to the runner alone
    assert runner.process.wait(timeout=15) == 0
    assert not [name for name, pid in pids.items() if running(pid)]


def test_a_killed_runner_leaves_nothing_behind(runner):
    pids = pids_behind(runner)
    workers = [int(pid) for pid in re.findall(r"workers \[(\d+)\]", runner.read_output())]
    assert len(workers) == 3
    os.kill(runner.process.pid, signal.SIGKILL)  # no chance to clean up
    runner.process.wait(timeout=5)
    every = [*pids.values(), *workers]
    wait_until(lambda: not [pid for pid in every if running(pid)], "every process gone", 15)


@pytest.mark.parametrize("missing", ["nginx", "gunicorn"])
def test_a_missing_program_is_one_line_saying_what_to_install(
    lesson, missing, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither on this PATH
    monkeypatch.setitem(deployment.FALLBACKS, missing, ())
    args = parse_args(["13", "--port", "0"])  # the runner's own options and defaults
    assert deployment.serve(lesson, args) == 1
    hint = deployment.INSTALL_HINTS[missing]
    assert capsys.readouterr().err.splitlines() == [
        f"error: {missing} is not installed; lesson 13 needs it: {hint}"
    ]


def test_a_busy_port_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "playground.run", "13", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == EXIT_PORT_IN_USE
    assert result.stderr.splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use; choose another with --port"
    ]


def test_gunicorn_serves_the_lesson_configured_from_its_environment(lesson, monkeypatch):
    monkeypatch.setenv(deployment.CONFIG_VARIABLE, json.dumps({"ASYNC_MODE": "threading"}))
    app = deployment.wsgi_app(lesson.id)
    assert app.config["ASYNC_MODE"] == "threading"
    assert lesson.title in app.test_client().get("/").text


# --8<-- [start:dead-ends]
@pytest.mark.parametrize(
    ("worker", "error"),
    [
        # gunicorn 26 removed its eventlet worker.
        ("eventlet", "ImportError: Entry point ('gunicorn.workers', 'eventlet') not found"),
        # gevent-websocket's worker: unmaintained since 2017, and not needed (simple-websocket).
        (
            "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
            "ModuleNotFoundError: No module named 'geventwebsocket'",
        ),
    ],
    ids=["eventlet", "geventwebsocket"],
)
def test_the_old_recipes_worker_classes_do_not_start(worker, error):
    command = [
        deployment.executable("gunicorn"),
        *("--config", str(deployment.GUNICORN_CONF), "--bind", "127.0.0.1:0"),
        *("--worker-class", worker, "playground.deployment:wsgi_app('13')"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert f"Error: class uri '{worker}' invalid or not found" in result.stderr
    assert error in result.stderr


# --8<-- [end:dead-ends]


def test_gunicorns_threaded_worker_serves_polling_and_websocket(lesson):
    """The other recipe that works: ``-k gthread --threads 100`` with async_mode='threading'."""
    with deployment.Stack(lesson, servers=1, worker="gthread") as stack:
        [server] = stack.servers
        assert "--worker-class gthread --workers 1 --threads 100" in " ".join(server.command())
        with python_socketio.SimpleClient() as client:
            client.connect(stack.url, transports=["polling", "websocket"], wait_timeout=5)
            where = client.call("where", timeout=5)
            assert where["pid"] == server.worker_pids[0]
            assert where["transport"] in ("polling", "websocket")
            upgraded = client.client.eio.transport()  # the client's own view, after the upgrade
            assert upgraded == "websocket"
