"""The process-supervision base (playground/server_process.py) beyond the lessons: a server that
picks its own port and says so, the default readiness, and a failed start's report."""

import os
import sys
import urllib.request

import pytest

from playground.lesson_process import LessonFailedToStart, PlaygroundProcess
from playground.server_process import ServerProcess


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
