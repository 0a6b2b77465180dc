"""Fixtures of the bad-input suite: live eventlet lesson servers and the clients that watch them.

Each case sends one bad input, then checks that the server still serves a second, well-behaved
client, and that nothing reached a bystander connected elsewhere (another room, another
namespace). A bystander's own round trip comes last: events on one connection arrive in order, so
once it has its answer it has everything sent to it before.
"""

from __future__ import annotations

import pytest

from lessons.lesson05_rooms.app import DEMO_TOKENS
from tests.robustness.checks import lesson_server
from tests.robustness.raw import RawSocket, unique
from tests.robustness.unharmed import Bystander, Unharmed


@pytest.fixture(scope="session")
def rooms_server():
    """Lesson 05 (rooms; /chat with demo tokens), served as `nox -s lesson -- 05` serves it.

    One for the whole suite: starting a server costs more than most cases here.
    """
    yield from lesson_server("05")


@pytest.fixture(scope="module")
def errors_server():
    """Lesson 08 (handlers that raise, on_error, refused connections)."""
    yield from lesson_server("08")


@pytest.fixture(scope="module")
def namespaces_server():
    """Lesson 01 (the same events in / and /chat)."""
    yield from lesson_server("01")


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


@pytest.fixture
def rooms_of(rooms_server, raw_clients):
    """``rooms_of(sid)``: the rooms lesson 05's server has ``sid`` in, in "/" (its `rooms` event).

    Lesson 05's `rooms` handler answers `rooms(sid)` for any sid of the namespace, read from the
    server's own room table: an empty list once the server has forgotten the client.
    """
    auditor = raw_clients(rooms_server)
    auditor.connect()
    return lambda sid: auditor.call("rooms", sid)[0]


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
def playground_unharmed(playground, unharmed):
    """The playground (the suite's one) watched by a client of lesson 01's /chat, a lesson these
    tests leave be."""
    url = f"{playground.url}lessons/01"
    return unharmed(playground.pid, url, "/chat", "greet", "Bea", answer="greeting")


@pytest.fixture
def chat_unharmed(rooms_server, unharmed):
    """Lesson 05 watched by a member of the /chat group blue (another namespace than "/")."""
    auth = {"name": "Bea", "group": "blue", "token": DEMO_TOKENS["blue"]}
    return unharmed(
        rooms_server.process.pid, rooms_server.url, "/chat", "say", "still here", auth=auth
    )
