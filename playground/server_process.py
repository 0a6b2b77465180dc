"""A server as a child process on a loopback port: started, waited for, stopped, never orphaned.

The base of LessonProcess (playground/lesson_process.py) and RedisServer
(playground/redis_server.py).
It imports nothing of the project, so the runner can use RedisServer without import cycles.
"""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import tempfile
import time

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child: get SIGTERM when the process that started it dies, even by SIGKILL.

    So a test run or a playground that is killed leaves no server behind. The signal comes when
    the *thread* that started the child exits: start servers from a thread that outlives them
    (not a thread pool's worker).
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the server is told to use it; see start() for the race)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server subprocess. ``port=0`` picks a free port, and picks again if it was taken.

    Subclasses give ``command()`` and ``is_ready()``; ``popen_options()`` may add to Popen's.
    """

    failure: type[Exception] = RuntimeError  # what start() raises
    startup_timeout = 15.0  # seconds
    # A playground.forkserver.ForkServer (the test suite sets one): Python servers started as
    # ``python -m module`` are then forked from it, warm, instead of starting cold.
    warm_parent = None

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.process: subprocess.Popen | None = None
        self.output = None  # what it prints, in a file that start() opens and stop() closes
        self.final_output = ""

    def command(self) -> list[str]:
        raise NotImplementedError

    def is_ready(self) -> bool:
        raise NotImplementedError

    def popen_options(self) -> dict:
        return {}

    def port_was_taken(self) -> bool:
        """After the server exited during start(): whether to try again on another port."""
        return True

    def start(self, timeout: float | None = None):
        """Start the server; return once it is ready, or raise ``failure`` with its output."""
        # The output goes to a file: a pipe nobody reads would fill up and block the server.
        self.output = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by stop())
        pick_port = self.port == 0
        for _attempt in range(3 if pick_port else 1):
            if pick_port:
                self.port = free_port(self.host)
            self.output.seek(0)
            self.output.truncate()
            self.process = self._spawn(self.command())
            if self._wait_until_ready(timeout or self.startup_timeout):
                return self
            if not self.port_was_taken():
                break
        self.stop()
        raise self.failure(f"{self} did not start on port {self.port}:\n{self.read_output()}")

    def _spawn(self, command: list[str]):
        """The child process: forked from the warm parent when one is set and can run it."""
        warm, options = self.warm_parent, self.popen_options()
        if warm is not None and command[:2] == [sys.executable, "-m"]:
            module, *argv = command[2:]
            if warm.can_run(argv):
                return warm.spawn(
                    module, argv, stdout=self.output, env=options.get("env"), cwd=options.get("cwd")
                )
        return subprocess.Popen(
            command,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent if sys.platform == "linux" else None,
            **options,
        )

    def _wait_until_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return True
            try:  # wait a little, or less if the server exits meanwhile
                self.process.wait(timeout=0.02)
                return False
            except subprocess.TimeoutExpired:
                pass
        return False

    def read_output(self) -> str:
        """What the server printed so far (all of it, once stopped)."""
        if self.output is None or self.output.closed:
            return self.final_output
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def _signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM, then SIGKILL if it lingers; safe to call twice."""
        if self.process is not None and self.process.returncode is None:
            try:
                self._signal(signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                self.process.wait()
        if self.output is not None and not self.output.closed:
            self.final_output = self.read_output()
            self.output.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
