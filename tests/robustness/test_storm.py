"""A reconnect storm: one client connecting and disconnecting 200 times, as fast as it can.

A server of its own (this module's), so that counting its file descriptors means something.
"""

import os

import pytest

from tests.robustness.checks import assert_nothing_reached, lesson_server
from tests.robustness.raw import RawSocket, second_client_in_a_room, unique
from tests.utils import wait_until

STORM = 200


@pytest.fixture(scope="module")
def rooms_server():
    """Lesson 05, for this module only (the other modules' clients leave sockets behind)."""
    yield from lesson_server("05")


def open_files(server) -> int:
    return len(os.listdir(f"/proc/{server.process.pid}/fd"))


def test_reconnect_storm(rooms_server, bystander, rooms_of):
    room = unique("storm")
    baseline = open_files(rooms_server)  # the bystander and the auditor connected, nobody else

    sids = []
    for _ in range(STORM):
        storm = RawSocket(rooms_server.url)
        try:
            sids.append(storm.connect())
            storm.call("join", room)  # each time in the same room: it must empty every time
        finally:
            storm.close()  # gone without a word: no Socket.IO DISCONNECT, just the close frame

    assert len(set(sids)) == STORM  # a new sid each time
    # The server forgets every one of them: no room keeps a member that left...
    for sid in sids:
        wait_until(lambda sid=sid: rooms_of(sid) == [], what=f"{sid} out of its rooms")
    # ...nobody is left in the storm's room: a newcomer's message reaches the newcomer only...
    newcomer = RawSocket(rooms_server.url)
    try:
        newcomer.connect()
        newcomer.call("join", room)
        assert newcomer.call("say", room, "anyone?") == ["sent"]
        assert [event for _, event, _ in newcomer.received.events] == ["said"]
    finally:
        newcomer.close()
    # ...and every connection's file descriptor is closed again.
    wait_until(
        lambda: rooms_of(sids[-1]) == [] and open_files(rooms_server) <= baseline,
        what=f"the server back to {baseline} open files",
    )
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)
