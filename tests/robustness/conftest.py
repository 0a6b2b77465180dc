"""Fixtures of the bad-input suite: live eventlet lesson servers and the clients that watch them.

Each case sends one bad input, then checks that the server still serves a second, well-behaved
client, and that nothing reached a bystander connected elsewhere (another room, another
namespace). A bystander's own round trip comes last: events on one connection arrive in order, so
once it has its answer it has everything sent to it before.
"""

from __future__ import annotations

import time

import pytest

from lessons.lesson05_rooms.app import DEMO_TOKENS
from playground import manifest
from playground.lesson_process import LessonProcess
from tests.robustness.measure import Bystander, Unharmed
from tests.robustness.raw import RECEIVE_TIMEOUT, RawSocket, unique


def start(lesson_id: str):
    server = LessonProcess(manifest.find(lesson_id)).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def rooms_server():
    """Lesson 05 (rooms; /chat with demo tokens), served as `nox -s lesson -- 05` serves it.

    One for the whole suite: starting a server costs more than most cases here.
    """
    yield from start("05")


@pytest.fixture(scope="module")
def errors_server():
    """Lesson 08 (handlers that raise, on_error, refused connections)."""
    yield from start("08")


@pytest.fixture(scope="module")
def namespaces_server():
    """Lesson 01 (the same events in / and /chat)."""
    yield from start("01")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Show the output of the test's servers next to a failure."""
    report = yield
    if report.failed and hasattr(item, "funcargs"):
        for name, value in item.funcargs.items():
            if isinstance(value, LessonProcess):
                report.sections.append((f"{name} output", value.read_output()[-4000:]))
    return report


@pytest.fixture
def raw_clients():
    """``raw_clients(server, headers=None)``: RawSockets closed after the test."""
    opened = []

    def open_raw(server, **kwargs) -> RawSocket:
        raw = RawSocket(server.url, **kwargs)
        opened.append(raw)
        return raw

    yield open_raw
    for raw in opened:
        raw.close()


@pytest.fixture
def bystander(rooms_server, raw_clients):
    """A lesson 05 client in a room of its own, there before the bad input arrives."""
    raw = raw_clients(rooms_server)
    raw.connect()
    raw.room = unique("bystanders")
    raw.call("join", raw.room)
    return raw


def assert_nothing_reached(raw: RawSocket) -> None:
    """Nothing was sent to the lesson 05 client ``raw``: its next request's answer is the first
    thing it gets."""
    assert sorted(raw.call("rooms")[0]) == sorted([raw.sids["/"], raw.room])
    assert raw.received.events == []
    assert raw.received.disconnects == []


@pytest.fixture
def rooms_of(rooms_server, raw_clients):
    """``rooms_of(sid)``: the rooms lesson 05's server has ``sid`` in, in "/" (its `rooms` event).

    Lesson 05's `rooms` handler answers `rooms(sid)` for any sid of the namespace, read from the
    server's own room table: an empty list once the server has forgotten the client.
    """
    auditor = raw_clients(rooms_server)
    auditor.connect()
    return lambda sid: auditor.call("rooms", sid)[0]


def eventually(check, timeout: float = RECEIVE_TIMEOUT, what: str = ""):
    """Repeat ``check()`` (itself a round trip to a server) until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {what or check}")
    return result


# --- a bystander in another lesson or namespace, and the server's memory (tests/robustness/
# measure.py): what the cases added for issue 12 assert besides their own checks ------------


@pytest.fixture
def unharmed():
    """``unharmed(pid, url, namespace, event, *args, answer=..., auth=...)``: an ``Unharmed``
    whose bystander (a ``Bystander`` of those arguments) is connected now; closed after."""
    made = []

    def watch(pid: int, url: str, namespace: str, event: str, *args, **kwargs) -> Unharmed:
        watched = Unharmed(pid, Bystander(url, namespace, event, *args, **kwargs))
        made.append(watched)
        return watched

    yield watch
    for watched in made:
        watched.bystander.close()


@pytest.fixture
def chat_unharmed(rooms_server, unharmed):
    """Lesson 05 watched by a member of the /chat group blue (another namespace than "/")."""
    auth = {"name": "Bea", "group": "blue", "token": DEMO_TOKENS["blue"]}
    return unharmed(
        rooms_server.process.pid, rooms_server.url, "/chat", "say", "still here", auth=auth
    )
