"""A server as a child process on a loopback port: started, waited for, stopped, never orphaned.

The base of every server the project starts: LessonProcess and PlaygroundProcess
(playground/lesson_process.py), RedisServer (playground/redis_server.py) and the benchmark's
NodeServer (scripts/bench.py). It imports nothing of the project, so the runner can use
RedisServer without import cycles.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
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


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port.

    Checked before starting because eventlet binds with SO_REUSEPORT: a second server on a busy
    port would silently share it instead of failing.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def next_free_port(host: str, first: int) -> int:
    """The first port from ``first`` on that nothing listens on now: one to suggest to a user."""
    for port in range(first, min(first + 100, 65536)):
        if port_is_free(host, port):
            return port
    return free_port(host)


class ServerProcess:
    """A server subprocess. ``port=0`` picks a free port, and picks again if it was taken.

    Subclasses give ``command()``; ``is_ready()`` (by default: the port accepts a TCP connection)
    and ``popen_options()`` (added to Popen's) may be overridden. A server that picks its own
    port (``child_picks_port``) is told 0 and says which in its output: its ``is_ready()`` reads
    it there (``find_in_output()``) and sets ``port``.
    """

    failure: type[Exception] = RuntimeError  # what start() raises
    startup_timeout = 15.0  # seconds
    child_picks_port = False
    # A playground.forkserver.ForkServer (the test suite sets one): Python servers started as
    # ``python -m module`` are then forked from it, warm, instead of starting cold.
    warm_parent = None

    def __init__(self, port: int = 0, host: str = "127.0.0.1"):
        self.host, self.port = host, port
        self.process: subprocess.Popen | None = None
        self.output = None  # what it prints, in a file that start() opens and stop() closes
        self.final_output = ""

    @property
    def url(self) -> str:
        """Where it answers (an HTTP server's; others say otherwise)."""
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def is_ready(self) -> bool:
        """Ready when it accepts a TCP connection."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def popen_options(self) -> dict:
        return {}

    def port_was_taken(self) -> bool:
        """After the server exited during start(): whether to try again on another port."""
        return True

    def start(self, timeout: float | None = None):
        """Start the server; return once it is ready, or raise ``failure`` with its output."""
        self._launch()
        self._await_ready(timeout)
        return self

    def _launch(self) -> None:
        # The output goes to a file: a pipe nobody reads would fill up and block the server.
        self.output = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by stop())
        self._pick_port = self.port == 0 and not self.child_picks_port
        self._attempts_left = 3 if self._pick_port else 1
        self._spawn_attempt()

    def _spawn_attempt(self) -> None:
        if self._pick_port:
            self.port = free_port(self.host)  # picked again if it was taken
        self._attempts_left -= 1
        self.output.seek(0)
        self.output.truncate()
        self.process = self._spawn(self.command())

    def _await_ready(self, timeout: float | None) -> None:
        while not self._wait_until_ready(timeout or self.startup_timeout):
            if not (self._attempts_left and self.port_was_taken()):
                self.stop()
                where = f" on port {self.port}" if self.port else ""
                raise self.failure(f"{self} did not start{where}:\n{self.read_output()}")
            self._spawn_attempt()

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
        # pread, which moves no offset: the child writes through this same open file, so a
        # seek here would send its next lines over the first ones (the line that says ready).
        descriptor = self.output.fileno()
        printed = os.pread(descriptor, os.fstat(descriptor).st_size, 0)
        return printed.decode(errors="replace")

    def find_in_output(self, pattern: str) -> re.Match | None:
        """The first match of ``pattern`` (a regex, ``^`` and ``$`` at each line) in the output."""
        return re.search(pattern, self.read_output(), re.MULTILINE)

    @property
    def pid(self) -> int:
        return self.process.pid

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


def start_together(servers: list[ServerProcess], timeout: float | None = None) -> list:
    """Start ``servers`` at once, so that their start-ups overlap; return once all are ready.

    From the calling thread, as ``start()`` (see ``die_with_parent``). If one fails, all are
    stopped and its failure is raised.
    """
    try:
        for server in servers:
            server._launch()
        for server in servers:
            server._await_ready(timeout)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def stop_together(servers: list[ServerProcess], timeout: float = 5.0) -> None:
    """Stop ``servers`` at once: each is told to stop first, then each is waited for."""
    for server in servers:
        if server.process is not None and server.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it has just exited: stop() reaps it
                server._signal(signal.SIGTERM)
    for server in servers:
        server.stop(timeout)
