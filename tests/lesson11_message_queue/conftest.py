"""Lesson 11 runs as several processes: a private redis-server and two lesson servers on it.

The suite's ``live_server`` (server A: the one ``lesson_page`` opens) is replaced by one that uses
this folder's Redis, and ``server_b`` is a second server on the same queue. Both are started as
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


def start_on_queue(redis_server, async_mode: str) -> LessonProcess:
    """A lesson server on the queue, once it listens to the queue too.

    python-socketio subscribes to the channel at the server's first connection, not at its
    start: one connection, and Redis is asked until it counts one more subscriber.
    """
    before = subscribers(redis_server.url)
    queue = ("--message-queue", redis_server.url)
    server = LessonProcess(LESSON, async_mode=async_mode, args=queue).start()
    with python_socketio.SimpleClient() as first:
        first.connect(server.url, transports=["websocket"])
    wait_until(lambda: subscribers(redis_server.url) == before + 1, "the server subscribed")
    return server


@pytest.fixture(scope="package")
def live_server(redis_server, server_mode):
    """Server A: ``python -m playground.run 11 --message-queue redis://… --monkey-patch``."""
    server = start_on_queue(redis_server, server_mode)
    yield server
    server.stop()


@pytest.fixture(scope="package")
def server_b(redis_server, server_mode):
    """Server B: another process, another port, the same queue."""
    server = start_on_queue(redis_server, server_mode)
    yield server
    server.stop()


# --8<-- [end:redis]
