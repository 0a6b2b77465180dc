"""A private redis-server on a free loopback port, for lesson 11's message queue.

The runner starts one for a lesson whose manifest entry says ``needs_redis`` (unless it is given
``--message-queue``), and the tests start one as a fixture: the same code for both. It listens on
loopback only, asks for a random password (the URL carries it: ``redis://:PASSWORD@127.0.0.1:N``),
works in a temporary directory of its own (a ``SAVE`` from anyone cannot write into the checkout;
removed on stop), and dies with the process that started it.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import tempfile
from pathlib import Path

from playground.server_process import ServerProcess

INSTALL_HINT = "sudo apt-get install redis-server"
CHANNEL = "flask-socketio"  # Flask-SocketIO's default channel on the queue


def resp(*words: str) -> bytes:
    """A command in Redis's wire protocol (RESP)."""
    parts = [f"*{len(words)}"] + [f"${len(w.encode())}\r\n{w}" for w in words]
    return ("\r\n".join(parts) + "\r\n").encode()


class RedisServerMissing(RuntimeError):
    pass


class RedisFailedToStart(RuntimeError):
    pass


class RedisServer(ServerProcess):
    """``redis-server`` as a subprocess: ``start()`` returns once it answers PING."""

    failure = RedisFailedToStart
    startup_timeout = 10.0  # seconds; redis-server answers PING within a few ms

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        executable: str = "redis-server",
        password: str | None = None,  # given: a handle on a server started elsewhere
    ):
        super().__init__(port, host)
        self.executable = executable
        self.password = password or secrets.token_hex(16)
        self.directory: Path | None = None  # its working directory, while it runs

    def __str__(self) -> str:
        return "redis-server"

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@{self.host}:{self.port}"

    def command(self) -> list[str]:
        # The settings in a file only we can read: a password on the command line would show
        # in every user's process list.
        config = self.directory / "redis.conf"
        config.write_text(
            f"port {self.port}\nbind {self.host}\nrequirepass {self.password}\n"
            f"dir {self.directory}\n"
            'save ""\nappendonly no\n'  # a queue for this run only: no files unless asked
            "daemonize no\n"  # stays our child, so stop() and PDEATHSIG reach it
        )
        return [self.executable, str(config)]

    def popen_options(self) -> dict:
        return {"cwd": self.directory}

    def start(self, timeout: float | None = None) -> RedisServer:
        if shutil.which(self.executable) is None:
            raise RedisServerMissing(
                f"{self.executable} is not installed; lessons 11 and 13 need it: {INSTALL_HINT}"
            )
        self.directory = Path(tempfile.mkdtemp(prefix="redis-"))  # mode 0700: ours alone
        try:
            return super().start(timeout)
        except BaseException:
            self._remove_directory()
            raise

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        self._remove_directory()

    def _remove_directory(self) -> None:
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def is_ready(self) -> bool:
        return self.ping()

    def ping(self) -> bool:
        """Whether the server answers PING right now (after AUTH with the password)."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as connection:
                connection.sendall(resp("AUTH", self.password) + resp("PING"))
                answer = b""
                while len(answer) < len(b"+OK\r\n+PONG\r\n") and (part := connection.recv(64)):
                    answer += part
                return answer == b"+OK\r\n+PONG\r\n"
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
