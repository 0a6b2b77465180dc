"""A lesson server as a subprocess, started exactly as ``nox -s lesson`` starts it.

Used by the test suite's live-server fixture and by the playground launcher.
"""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from playground.manifest import ROOT, Lesson
from playground.run import EXIT_PORT_IN_USE
from playground.server_process import ServerProcess, free_port

__all__ = ["LessonFailedToStart", "LessonProcess", "free_port", "playground_process"]

STARTUP_TIMEOUT = ServerProcess.startup_timeout  # lessons listen in well under 1 s


class LessonFailedToStart(RuntimeError):
    pass


class LessonProcess(ServerProcess):
    """``python -m playground.run`` for one lesson on a loopback port, in a process group."""

    failure = LessonFailedToStart
    startup_timeout = STARTUP_TIMEOUT

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
        super().__init__(port, host)
        self.lesson = lesson
        self.async_mode = async_mode
        self.variant = variant
        self.args = tuple(args)  # more runner options, e.g. ("--monkey-patch",)
        self.env = env

    def __str__(self) -> str:
        return f"lesson {self.lesson.id}"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "playground.run", self.lesson.id]
        command += ["--async-mode", self.async_mode, "--host", self.host, "--port", str(self.port)]
        command += ["--variant", self.variant] if self.variant else []
        return command + list(self.lesson.run_args) + list(self.args)  # the manifest's, then ours

    def popen_options(self) -> dict:
        return {
            "cwd": ROOT,
            "env": {**os.environ, "PYTHONUNBUFFERED": "1", **(self.env or {})},
            "start_new_session": True,  # its own process group: stop() reaches all of it
        }

    def is_ready(self) -> bool:
        """Ready when it accepts a TCP connection."""
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def port_was_taken(self) -> bool:
        return self.process.returncode == EXIT_PORT_IN_USE

    def _signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)


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
