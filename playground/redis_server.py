"""A private redis-server on a free loopback port, for lesson 11's message queue.

The runner starts one for a lesson whose manifest entry says ``needs_redis`` (unless it is given
``--message-queue``), and the tests start one as a fixture: the same code for both. Nothing is
saved to disk, it listens on loopback only, and it dies with the process that started it.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

STARTUP_TIMEOUT = 10.0  # seconds; redis-server answers PING within a few ms
INSTALL_HINT = "sudo apt-get install redis-server"
PING = b"*1\r\n$4\r\nPING\r\n"  # PING in Redis's wire protocol (RESP); the answer is +PONG
PR_SET_PDEATHSIG = 1


class RedisServerMissing(RuntimeError):
    pass


class RedisFailedToStart(RuntimeError):
    pass


def _die_with_parent() -> None:
    """In the child: SIGTERM when the process that started it dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server`` as a subprocess: ``start()`` returns once it answers PING.

    ``port=0`` picks a free port, and picks again if another process takes it first.
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", executable: str = "redis-server"):
        self.host, self.port, self.executable = host, port, executable
        self.process: subprocess.Popen | None = None
        self.output = None  # what it prints, in a file that start() opens and stop() closes
        self.final_output = ""

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

    def start(self, timeout: float = STARTUP_TIMEOUT) -> RedisServer:
        if shutil.which(self.executable) is None:
            raise RedisServerMissing(
                f"{self.executable} is not installed; lesson 11 needs it: {INSTALL_HINT}"
            )
        self.output = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by stop())
        pick_port = self.port == 0
        for _attempt in range(3 if pick_port else 1):
            if pick_port:
                self.port = _free_port(self.host)
            self.output.seek(0)
            self.output.truncate()
            self.process = subprocess.Popen(
                self.command(),
                stdout=self.output,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
            if self._wait_until_ponged(timeout):
                return self
        self.stop()
        raise RedisFailedToStart(f"redis-server did not start on {self.url}:\n{self.read_output()}")

    def ping(self) -> bool:
        """Whether the server answers PING right now."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as connection:
                connection.sendall(PING)
                return connection.recv(64) == b"+PONG\r\n"
        except OSError:
            return False

    def _wait_until_ponged(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ping():
                return True
            try:  # wait a little, or less if the server exits meanwhile (port taken, say)
                self.process.wait(timeout=0.02)
                return False
            except subprocess.TimeoutExpired:
                pass
        return False

    def read_output(self) -> str:
        if self.output is None or self.output.closed:
            return self.final_output
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it lingers; safe to call twice."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.output is not None and not self.output.closed:
            self.final_output = self.read_output()
            self.output.close()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
