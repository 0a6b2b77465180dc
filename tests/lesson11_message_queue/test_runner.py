"""The runner with a lesson that needs Redis, as ``nox -s lesson -- 11`` runs it.

No lesson claim here: these back the page's "Run it" section. The runner starts a private
redis-server when the manifest says ``needs_redis`` and no ``--message-queue`` is given, says
where it is, and stops it on the way out; the manifest's ``--monkey-patch`` patches whichever
async library the server runs on.
"""

import os
import re
import signal
import subprocess
import sys

import pytest
import socketio as python_socketio

from playground.lesson_process import LessonProcess, free_port
from playground.redis_server import INSTALL_HINT, RedisServer
from playground.server_process import port_is_free
from tests.utils import WAIT_S, wait_until

QUEUE_LINE = re.compile(
    r"^Message queue: (redis://:(\w+)@127\.0\.0\.1:(\d+)) "
    r"\(a private redis-server, stopped with this server\)$",
    re.MULTILINE,
)


def private_redis(server: LessonProcess) -> tuple[str, RedisServer]:
    """The URL the runner printed (its password in it), and a handle that can PING that server."""
    found = QUEUE_LINE.search(server.read_output())
    assert found, server.read_output()
    return found[1], RedisServer(port=int(found[3]), password=found[2])


def test_the_runner_starts_its_own_redis_says_where_and_stops_it_on_ctrl_c(lesson):
    server = LessonProcess(lesson).start()
    try:
        url, redis = private_redis(server)
        second = re.search(
            rf"^A second server on it: nox -s lesson -- 11 --port (\d+) "
            rf"--message-queue {re.escape(url)}$",
            server.read_output(),
            re.MULTILINE,
        )
        assert second, server.read_output()
        port = int(second[1])  # the first port after the lesson's that nothing listens on
        assert port > server.port and port_is_free("127.0.0.1", port)
        assert redis.ping()

        os.kill(server.process.pid, signal.SIGINT)  # Ctrl-C, to the runner alone
        try:  # a bound, not a pause: it stops its redis-server first (given WAIT_S itself)
            code = server.process.wait(timeout=2 * WAIT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the runner did not stop on Ctrl-C; it printed:\n{server.read_output()}")
        assert code == 0, server.read_output()
        assert not redis.ping()  # the runner stopped it before exiting
    finally:
        server.stop()


def test_a_killed_runner_takes_its_redis_with_it(lesson):
    server = LessonProcess(lesson).start()
    try:
        _, redis = private_redis(server)
        os.kill(server.process.pid, signal.SIGKILL)  # no chance to clean up
        server.process.wait(timeout=WAIT_S)
        wait_until(lambda: not redis.ping(), "redis-server gone with the runner that started it")
    finally:
        server.stop()


def test_without_redis_server_the_runner_says_what_to_install_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "playground.run", "11", "--port", str(free_port())],
        env={**os.environ, "PATH": str(tmp_path)},  # no redis-server on this PATH
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: redis-server is not installed; lessons 11 and 13 need it: {INSTALL_HINT}"
    ]
    assert INSTALL_HINT == "sudo apt-get install redis-server"


def test_lesson_11_runs_patched_in_gevent_and_as_is_in_threading(lesson):
    """``--monkey-patch`` (the manifest's) patches gevent too, and is a no-op in threading."""
    with RedisServer() as redis:
        queue = ("--message-queue", redis.url)
        with (
            LessonProcess(lesson, async_mode="gevent", args=queue) as gevent_server,
            LessonProcess(lesson, async_mode="threading", args=queue) as threading_server,
            python_socketio.SimpleClient() as alice,
            python_socketio.SimpleClient() as bob,
        ):
            assert "--monkey-patch" in gevent_server.command()
            assert "--monkey-patch" in threading_server.command()
            # Polling: a quick disconnect in threading mode (see the shared notes).
            alice.connect(gevent_server.url, transports=["polling"])
            bob.connect(threading_server.url, transports=["polling"])
            assert alice.call("join", "ops", timeout=WAIT_S)["pid"] == gevent_server.process.pid
            assert bob.call("say", ("ops", "across modes"), timeout=WAIT_S) == "sent"
            assert alice.receive(timeout=WAIT_S) == [
                "said",
                {"room": "ops", "text": "across modes", "pid": threading_server.process.pid},
            ]
