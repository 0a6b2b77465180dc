"""A private redis-server on a free loopback port, for lesson 11's message queue.

The runner starts one for a lesson whose manifest entry says ``needs_redis`` (unless it is given
``--message-queue``), and the tests start one as a fixture: the same code for both. Nothing is
saved to disk, it listens on loopback only, and it dies with the process that started it.
"""

from __future__ import annotations

import shutil
import socket

from playground.server_process import ServerProcess

INSTALL_HINT = "sudo apt-get install redis-server"
PING = b"*1\r\n$4\r\nPING\r\n"  # PING in Redis's wire protocol (RESP); the answer is +PONG
CHANNEL = "flask-socketio"  # Flask-SocketIO's default channel on the queue


class RedisServerMissing(RuntimeError):
    pass


class RedisFailedToStart(RuntimeError):
    pass


class RedisServer(ServerProcess):
    """``redis-server`` as a subprocess: ``start()`` returns once it answers PING."""

    failure = RedisFailedToStart
    startup_timeout = 10.0  # seconds; redis-server answers PING within a few ms

    def __init__(self, port: int = 0, host: str = "127.0.0.1", executable: str = "redis-server"):
        super().__init__(port, host)
        self.executable = executable

    def __str__(self) -> str:
        return "redis-server"

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}"

    def command(self) -> list[str]:
        return [
            self.executable,
            *("--port", str(self.port), "--bind", self.host),
            *("--save", "", "--appendonly", "no"),  # a queue for this run only: no files
            *("--daemonize", "no"),  # stays our child, so stop() and PDEATHSIG reach it
        ]

    def start(self, timeout: float | None = None) -> RedisServer:
        if shutil.which(self.executable) is None:
            raise RedisServerMissing(
                f"{self.executable} is not installed; lessons 11 and 13 need it: {INSTALL_HINT}"
            )
        return super().start(timeout)

    def is_ready(self) -> bool:
        return self.ping()

    def ping(self) -> bool:
        """Whether the server answers PING right now."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as connection:
                connection.sendall(PING)
                return connection.recv(64) == b"+PONG\r\n"
        except OSError:
            return False


def subscribers(queue_url: str, channel: str = CHANNEL) -> int:
    """How many processes listen on the queue's channel now (Redis's PUBSUB NUMSUB).

    python-socketio subscribes a server at its first connection, not at its start: a server that
    must hear the others' emits from the start is connected to once, then counted here.
    """
    import redis  # here: the runner imports this module before it needs a Redis client

    with redis.Redis.from_url(queue_url) as client:
        [(_, count)] = client.pubsub_numsub(channel)
        return count
