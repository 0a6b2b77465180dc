"""The process-supervision base (playground/server_process.py) beyond the lessons: a server that
picks its own port and says so, the default readiness, and a failed start's report."""

import os
import sys
import time
import urllib.request

import pytest

from playground.lesson_process import LessonFailedToStart, PlaygroundProcess
from playground.server_process import ServerProcess
from tests.utils import WAIT_S


class HttpServer(ServerProcess):
    """Python's http.server, serving this folder: on a port given (0: the base picks one)."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "http.server", str(self.port), "--bind", self.host]

    def popen_options(self) -> dict:
        return {"env": {**os.environ, "PYTHONUNBUFFERED": "1"}}


class HttpServerOnItsOwnPort(HttpServer):
    """The same, told port 0: it binds a free port itself and prints which."""

    child_picks_port = True

    def is_ready(self) -> bool:
        found = self.find_in_output(r"^Serving HTTP on \S+ port (\d+) ")
        if found:
            self.port = int(found[1])
        return found is not None


@pytest.mark.parametrize("server_class", [HttpServer, HttpServerOnItsOwnPort])
def test_a_server_is_ready_on_the_port_it_got_and_stopped_after(server_class):
    with server_class() as server:
        assert server.port != 0
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/") as response:
            assert response.status == 200
        assert f"port {server.port}" in server.read_output()
    assert server.process.returncode is not None
    assert "GET / HTTP/1.1" in server.read_output()  # kept once stopped, for a report


def test_a_playground_that_fails_to_start_says_why():
    with pytest.raises(LessonFailedToStart) as failed:
        PlaygroundProcess("--async-mode", "nonsense").start()
    assert str(failed.value).startswith("the playground did not start:\n")
    assert "invalid choice: 'nonsense'" in str(failed.value)


class Printer(ServerProcess):
    """A child that prints numbered lines as fast as it can, then "done", and waits to be
    stopped: ready once it has begun."""

    LINES = 20_000

    def command(self) -> list[str]:
        lines = f"for n in range({self.LINES}): print(n, flush=True)"
        program = f"import signal\nprint('began', flush=True)\n{lines}\nprint('done', flush=True)"
        return [sys.executable, "-c", program + "\nsignal.pause()"]  # until stop()'s SIGTERM

    def is_ready(self) -> bool:
        return "began" in self.read_output()


def test_reading_the_output_while_the_child_writes_loses_nothing():
    # The child writes to the same open file that read_output() reads: a read that moved the
    # file's offset would put the child's next lines over its first ones.
    with Printer() as printer:
        deadline = time.monotonic() + WAIT_S
        while not printer.read_output().endswith("done\n"):  # as a readiness check polls it
            assert time.monotonic() < deadline, printer.read_output()[-200:]
        assert printer.read_output().splitlines() == [
            "began",
            *map(str, range(Printer.LINES)),
            "done",
        ]
