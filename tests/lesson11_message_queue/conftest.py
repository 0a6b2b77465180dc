"""Lesson 11 runs as several processes: a private redis-server and two lesson servers on it.

The suite's ``live_server`` (server A: the one ``lesson_page`` opens) is replaced by one that uses
this folder's Redis, and ``server_b`` is a second server on the same queue. Both start together, as
``nox -s lesson -- 11 --message-queue redis://…`` starts them (with the manifest's
``--monkey-patch``, which patches eventlet or gevent and does nothing in threading mode), once for
the whole folder and async mode.
"""

from pathlib import Path

import pytest
import socketio as python_socketio

from playground import manifest
from playground.lesson_process import LessonProcess
from playground.redis_server import RedisServer, RedisServerMissing, subscribers
from playground.server_process import start_together, stop_together
from tests.utils import wait_until

LESSON = manifest.by_package(Path(__file__).parent.name)


# --8<-- [start:redis]
def start_redis() -> RedisServer:
    """A private redis-server on a free loopback port, or one line saying what to install."""
    try:
        return RedisServer().start()
    except RedisServerMissing as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="package")
def redis_server():
    server = start_redis()
    yield server
    server.stop()


def start_on_queue(redis_server, async_mode: str, count: int) -> list[LessonProcess]:
    """``count`` lesson servers on the queue, started together, once each listens to it too.

    python-socketio subscribes to the channel at the server's first connection, not at its
    start: one connection each, and Redis is asked until it counts that many more subscribers.
    """
    before = subscribers(redis_server.url)
    queue = ("--message-queue", redis_server.url)
    servers = [LessonProcess(LESSON, async_mode=async_mode, args=queue) for _ in range(count)]
    start_together(servers)  # their imports overlap
    for server in servers:
        with python_socketio.SimpleClient() as first:
            first.connect(server.url, transports=["websocket"])
    wait_until(lambda: subscribers(redis_server.url) == before + count, "the servers subscribed")
    return servers


@pytest.fixture(scope="package")
def servers(redis_server, server_mode):
    """Servers A and B: ``python -m playground.run 11 --message-queue redis://… --monkey-patch``
    twice, two processes on two ports, on the same queue."""
    started = start_on_queue(redis_server, server_mode, count=2)
    yield started
    stop_together(started)


@pytest.fixture(scope="package")
def live_server(servers):
    """Server A: the one ``lesson_page`` opens."""
    return servers[0]


@pytest.fixture(scope="package")
def server_b(servers):
    """Server B: another process, another port, the same queue."""
    return servers[1]


# --8<-- [end:redis]
