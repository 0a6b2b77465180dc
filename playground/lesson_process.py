"""A lesson server as a subprocess, started exactly as ``nox -s lesson`` starts it.

Used by the test suite's live-server fixture and by the playground launcher; and the launcher
itself as a subprocess (PlaygroundProcess), for the tests and the floors.
"""

from __future__ import annotations

import os
import sys

from playground import app_file
from playground.manifest import ROOT, Lesson
from playground.run import DEFAULT_ASYNC_MODE, EXIT_PORT_IN_USE
from playground.server_process import ServerProcess, free_port

__all__ = ["LessonFailedToStart", "LessonProcess", "PlaygroundProcess", "free_port"]


class LessonFailedToStart(RuntimeError):
    pass


class LessonProcess(ServerProcess):
    """``python -m playground.run`` for one lesson on a loopback port, in a process group."""

    failure = LessonFailedToStart

    def __init__(
        self,
        lesson: Lesson,
        *,
        async_mode: str = DEFAULT_ASYNC_MODE,
        port: int = 0,
        host: str = "127.0.0.1",
        variant: str | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        super().__init__(port, host)
        self.lesson = lesson
        if lesson.deployed:  # nginx, gunicorn servers and Redis: a few seconds, more when busy
            self.startup_timeout = 60.0
        self.async_mode = async_mode
        self.variant = variant
        self.args = tuple(args)  # more runner options, e.g. ("--monkey-patch",)
        self.env = env

    def __str__(self) -> str:
        return f"lesson {self.lesson.id}"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "playground.run", self.lesson.id]
        command += ["--async-mode", self.async_mode, "--host", self.host, "--port", str(self.port)]
        command += ["--variant", self.variant] if self.variant else []
        command += app_file.runner_args(self.lesson, self.variant)  # an exercise's file
        return command + list(self.lesson.run_args) + list(self.args)  # the manifest's, then ours

    def popen_options(self) -> dict:
        return {
            "cwd": ROOT,
            "env": {**os.environ, "PYTHONUNBUFFERED": "1", **(self.env or {})},
            "start_new_session": True,  # its own process group: stop() reaches all of it
        }

    def is_ready(self) -> bool:
        if self.lesson.deployed:  # nginx answers a moment before the runner says what runs
            return "(Ctrl-C to stop)" in self.read_output() and super().is_ready()
        return super().is_ready()

    def port_was_taken(self) -> bool:
        return self.process.returncode == EXIT_PORT_IN_USE

    def _signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)


class PlaygroundProcess(ServerProcess):
    """``python -m playground --port 0 ARGS``: ready once it has printed its one URL (``url``)."""

    failure = LessonFailedToStart
    # Seconds: it imports and mounts every lesson and starts two in processes of their own (15 s
    # is enough on a quiet machine, not on a busy one).
    startup_timeout = 60.0
    child_picks_port = True  # the launcher binds port 0, then prints the URL it got
    url: str | None = None  # the one it printed (with its trailing /), once it has started

    def __init__(self, *args: str):
        super().__init__()
        self.args = args

    def __str__(self) -> str:
        return "the playground"

    @property
    def printed(self) -> list[str]:
        """The lines it has printed so far."""
        return self.read_output().splitlines(keepends=True)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "playground", "--port", "0", *self.args]

    def popen_options(self) -> dict:
        return {"cwd": ROOT}

    def is_ready(self) -> bool:
        found = self.find_in_output(r"^Playground: (http://[^\s/]+:(\d+)/)")
        if found:
            self.url, self.port = found[1], int(found[2])
        return found is not None
