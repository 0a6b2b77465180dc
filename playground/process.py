"""A lesson server as a subprocess, started exactly as ``nox -s lesson`` starts it.

Used by the test suite's live-server fixture and by the playground launcher.
"""

from __future__ import annotations

import ctypes
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from playground.manifest import ROOT, Lesson
from playground.run import EXIT_PORT_IN_USE

STARTUP_TIMEOUT = 15.0  # seconds; lessons listen in well under 1 s


class LessonFailedToStart(RuntimeError):
    pass


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the process that started it dies, even by SIGKILL.

    So a test run or a playground that is killed leaves no lesson server behind. The signal
    comes when the *thread* that started the child exits: start servers from a thread that
    outlives them (not a thread pool's worker).
    """
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the server is told to use it; see start() for the race)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LessonProcess:
    """``python -m playground.run`` for one lesson on a loopback port.

    ``port=0`` picks a free port, and picks again if another process takes it first.
    """

    def __init__(
        self,
        lesson: Lesson,
        *,
        async_mode: str = "eventlet",
        port: int = 0,
        host: str = "127.0.0.1",
        variant: str | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        self.lesson = lesson
        self.async_mode = async_mode
        self.host = host
        self.port = port
        self.variant = variant
        self.args = tuple(args)  # more runner options, e.g. ("--monkey-patch",)
        self.env = env
        self.process: subprocess.Popen | None = None
        # The server's output goes to a file: a pipe nobody reads would fill up and block it.
        self.output = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by stop())
        self.final_output = ""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "playground.run", self.lesson.id]
        command += ["--async-mode", self.async_mode, "--host", self.host, "--port", str(self.port)]
        command += ["--variant", self.variant] if self.variant else []
        return command + list(self.lesson.run_args) + list(self.args)  # the manifest's, then ours

    def start(self, timeout: float = STARTUP_TIMEOUT) -> LessonProcess:
        """Start the server and return once it accepts connections; raise with its output if not."""
        pick_port = self.port == 0
        for _attempt in range(3 if pick_port else 1):
            if pick_port:
                self.port = free_port(self.host)
            self.output.seek(0)
            self.output.truncate()
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **(self.env or {})},
                stdout=self.output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() reaches all of it
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
            if self._wait_until_listening(timeout):
                return self
            if self.process.returncode != EXIT_PORT_IN_USE:
                break
        self.stop()
        raise LessonFailedToStart(
            f"lesson {self.lesson.id} did not start on {self.url}:\n{self.read_output()}"
        )

    def _wait_until_listening(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return True
            except OSError:
                pass
            try:  # wait a little, or less if the server exits meanwhile
                self.process.wait(timeout=0.02)
                return False
            except subprocess.TimeoutExpired:
                pass
        return False

    def read_output(self) -> str:
        """What the server printed so far (all of it, once stopped)."""
        if self.output.closed:
            return self.final_output
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    def stop(self, timeout: float = 5.0) -> None:
        """SIGTERM the server's process group, SIGKILL it if it lingers; safe to call twice."""
        if self.process is not None and self.process.returncode is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                self.process.wait()
        if not self.output.closed:
            self.final_output = self.read_output()
            self.output.close()

    def __enter__(self) -> LessonProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def playground_process(*args: str, timeout: float = STARTUP_TIMEOUT) -> Iterator[tuple]:
    """``python -m playground --port 0 ARGS`` once it has printed its URL.

    Yields ``(process, url, printed_lines)``; the process is killed on exit if still running.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "playground", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    # A thread reads the output so that waiting for the URL line can time out.
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    try:
        printed = []
        while not printed or "Playground:" not in printed[-1]:
            try:
                printed.append(lines.get(timeout=timeout))
            except queue.Empty:
                output = "".join(printed)
                raise LessonFailedToStart(f"the playground printed no URL:\n{output}") from None
        url = re.search(r"http://\S+", printed[-1]).group(0)
        yield process, url, printed
    finally:
        process.terminate()  # SIGTERM: the launcher stops the lessons it runs in processes too
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
