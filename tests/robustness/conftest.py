"""Fixtures of the bad-input suite: live eventlet lesson servers and the clients that watch them.

Each case sends one bad input, then checks that the server still serves a second, well-behaved
client, and that nothing reached a bystander connected elsewhere (another room, another
namespace). A bystander's own round trip comes last: events on one connection arrive in order, so
once it has its answer it has everything sent to it before.
"""

from __future__ import annotations

import pytest

from tests.robustness.checks import lesson_server
from tests.robustness.raw import RawSocket, unique


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
