"""DNS rebinding: a page on another site whose name now resolves to 127.0.0.1.

Its requests reach the loopback server with the other site's name in ``Host`` (and in
``Origin``: engine.io's same-origin check, which compares the two, lets them through). Every
server the project starts answers 421 to a Host that does not name it, before anything runs:
the lesson server (`nox -s lesson`), the playground (its index, the lessons mounted in it, and
its redirects, which would echo the Host into ``Location``) and the suite's own test servers.
"""

from __future__ import annotations

import base64
import http.client
import os

import pytest

from playground import manifest
from playground.lesson_process import LessonProcess
from tests.myths.live_app import LiveApp
from tests.robustness.raw import ENGINEIO_PATH
from tests.utils import WAIT_S

REBOUND = "rebound.example"  # the attacker's name, resolving to 127.0.0.1 by now


def request(host: str, port: int, method: str, path: str, headers: dict, body=None):
    """(status, headers, body) of one request with exactly these headers (Host included)."""
    connection = http.client.HTTPConnection(host, port, timeout=WAIT_S)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def as_page_of(name: str, port: int) -> dict:
    """The headers a browser sends for a page at http://name:port to its own server."""
    return {"Host": f"{name}:{port}", "Origin": f"http://{name}:{port}"}


def websocket_upgrade(headers: dict) -> dict:
    return {
        **headers,
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
    }


def as_rebound_page(port: int, method: str, path: str, extra: dict):
    """What a rebound page gets for one request to the server on ``port``."""
    body = "40" if method == "POST" else None
    return request("127.0.0.1", port, method, path, {**as_page_of(REBOUND, port), **extra}, body)


def assert_misdirected(answer, port: int) -> None:
    status, headers, body = answer
    assert status == 421, answer
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.startswith("421 Misdirected Request: ") and body.count("\n") == 1, body
    assert f"127.0.0.1:{port}" in body and "--allow-host" in body
    assert "Set-Cookie" not in headers and "Location" not in headers


# --- the lesson server (nox -s lesson) ---------------------------------------------------------

REBOUND_REQUESTS = {
    "lesson-page": ("GET", "/", {}),
    "polling-handshake": ("GET", ENGINEIO_PATH + "polling", {}),
    "websocket-handshake": ("GET", ENGINEIO_PATH + "websocket", websocket_upgrade({})),
    "polling-post": ("POST", ENGINEIO_PATH + "polling&sid=anything", {"Content-Length": "2"}),
    "static-file": ("GET", "/_playground/static/console.js", {}),
}


def test_a_host_with_another_port_is_refused(rooms_server, chat_unharmed):
    port = rooms_server.port
    for host in (f"127.0.0.1:{port + 1}", f"localhost:{port + 1}", f"[::1]:{port + 1}"):
        headers = {"Host": host}
        assert_misdirected(request("127.0.0.1", port, "GET", "/", headers), port)
    chat_unharmed.check()


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]", "127.0.0.2"])
def test_loopback_names_with_the_servers_port_are_served(name, rooms_server, chat_unharmed):
    port = rooms_server.port
    handshake = ENGINEIO_PATH + "polling"
    status, _, body = request("127.0.0.1", port, "GET", handshake, as_page_of(name, port))
    assert status == 200 and body.startswith('0{"sid":'), body
    # Without the port too (simple-websocket's client leaves it out), but never another name.
    assert request("127.0.0.1", port, "GET", "/", {"Host": name})[0] == 200
    assert_misdirected(request("127.0.0.1", port, "GET", "/", {"Host": f"{name}.{REBOUND}"}), port)
    chat_unharmed.check()


@pytest.fixture(scope="module")
def lan_server():
    """Lesson 05 told to answer to one more name, as `--host 0.0.0.0 --allow-host NAME` would."""
    with LessonProcess(manifest.find("05"), args=("--allow-host", "lessons.test")) as server:
        yield server


def test_a_name_allowed_on_purpose_is_served_and_only_it(lan_server, unharmed):
    watched = unharmed(lan_server.process.pid, lan_server.url, "/", "rooms")
    port = lan_server.port
    for host in (f"lessons.test:{port}", "lessons.test:8080", "LESSONS.TEST"):  # any port
        status, _, body = request("127.0.0.1", port, "GET", "/", {"Host": host})
        assert status == 200 and "Rooms" in body, (host, status)
    for host in (f"lessons.test.{REBOUND}:{port}", f"test:{port}", f"{REBOUND}:{port}"):
        assert_misdirected(request("127.0.0.1", port, "GET", "/", {"Host": host}), port)
    watched.check()


# --- the playground: one server, every lesson mounted ------------------------------------------


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LESSON_05 = "/lessons/05" + ENGINEIO_PATH
PLAYGROUND_REQUESTS = {
    "index": ("GET", "/", {}),
    "mounted-lesson-page": ("GET", "/lessons/09/", {}),
    "redirect-echoing-host": ("GET", "/lessons/05", {}),
    "mounted-handshake": ("GET", LESSON_05 + "polling", {}),
    "mounted-websocket": ("GET", LESSON_05 + "websocket", websocket_upgrade({})),
    "lesson-09-login": ("POST", "/lessons/09/login", FORM),
    "no-lesson-here": ("GET", "/lessons/99/", {}),
}


@pytest.fixture
def lesson_server_watched(rooms_server, chat_unharmed):
    return rooms_server.port, chat_unharmed


@pytest.fixture
def playground_watched(playground, playground_unharmed):
    return playground.port, playground_unharmed


@pytest.fixture
def watched(request):
    """(port, Unharmed) of the server the case names: in set-up, where starting it belongs."""
    return request.getfixturevalue(f"{request.param}_watched")


SERVERS = {"lesson_server": REBOUND_REQUESTS, "playground": PLAYGROUND_REQUESTS}
REBOUND_CASES = [
    pytest.param(server, *asked, id=f"{server}-{name}")
    for server, requests in SERVERS.items()
    for name, asked in requests.items()
]


@pytest.mark.parametrize("watched, method, path, extra", REBOUND_CASES, indirect=["watched"])
def test_a_rebound_page_gets_nothing(watched, method, path, extra):
    port, bystander = watched

    answer = as_rebound_page(port, method, path, extra)

    assert_misdirected(answer, port)
    bystander.check()


def test_the_playgrounds_redirect_names_the_loopback_host_it_was_asked_for(
    playground, playground_unharmed
):
    port = playground.port
    asked = {"Host": f"localhost:{port}"}
    status, headers, _ = request("127.0.0.1", port, "GET", "/lessons/05", asked)
    assert status in (301, 308)
    assert headers["Location"] in ("/lessons/05/", f"http://localhost:{port}/lessons/05/")
    playground_unharmed.check()


# --- the suite's own test servers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def myths_server():
    with LiveApp("socketio.run", async_mode="eventlet") as server:
        yield server


def test_the_myths_test_server_refuses_a_rebound_page_too(myths_server, unharmed):
    watched = unharmed(myths_server.process.pid, myths_server.url, "/", "echo", "still here")
    port = myths_server.port
    for method, path, extra in REBOUND_REQUESTS.values():
        assert_misdirected(as_rebound_page(port, method, path, extra), port)
    status, _, body = request("127.0.0.1", port, "GET", "/", {"Host": f"127.0.0.1:{port}"})
    assert status == 200 and "socket.io.min.js" in body
    watched.check()
