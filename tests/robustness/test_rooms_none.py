"""Rooms and sids that are not names: None above all, the room python-socketio keeps a
namespace's connected clients in (socketio/base_manager.py). A client that can pass it to
``close_room``/``leave_room`` cuts every other client of the namespace off, or itself: events
dropped while the transports stay up, disconnect handlers never run, rooms kept for good.

Each lesson handler that takes a room or a sid from a client refuses anything but a string of
1 to 100 characters (playground/wiring.py ``room_name``), and its acknowledgement says why.
"""

from __future__ import annotations

import pytest

from playground import manifest
from playground.lesson_process import LessonProcess
from playground.redis_server import RedisServer
from tests.robustness.checks import lesson_server
from tests.robustness.raw import RawSocket, second_client_in_a_room, unique
from tests.utils import wait_until

MUST = "must be a string of 1 to 100 characters, not"


def member(server, raw_clients, room=None):
    """A raw client of lesson 05 in "/", in a room of its own (or ``room``)."""
    raw = raw_clients(server)
    raw.sid = raw.connect()
    raw.room = room or unique("room")
    raw.call("join", raw.room)
    return raw


@pytest.mark.parametrize("event", ["close", "leave"])
def test_close_or_leave_of_none_cuts_nobody_off(
    event, rooms_server, raw_clients, chat_unharmed, rooms_of
):
    lobby = unique("lobby")
    bystander = member(rooms_server, raw_clients, lobby)
    mallory = member(rooms_server, raw_clients, lobby)

    assert mallory.call(event, None) == [{"error": f"a room {MUST} None"}]

    # Mallory and the bystander are still clients of "/": both are answered, both hear the lobby.
    assert mallory.call("say", lobby, "still here?") == ["sent"]
    said = {"room": lobby, "from": mallory.sid, "text": "still here?"}
    for raw in (mallory, bystander):
        raw.wait_until(lambda raw=raw: ("/", "said", [said]) in raw.received.events, "the message")
    assert sorted(bystander.call("rooms")[0]) == sorted([bystander.sid, lobby])
    # A client that leaves is forgotten, rooms and all (a client cut off would be kept for good).
    mallory.close()
    wait_until(lambda: rooms_of(mallory.sid) == [], "Mallory out of every room")
    second_client_in_a_room(rooms_server.url)
    chat_unharmed.check()


BAD_ROOMS = {
    "join-None": ("join", [None], f"a room {MUST} None"),
    "join-empty": ("join", [""], f"a room {MUST} 0 characters"),
    "join-object": ("join", [{"room": "x"}], f"a room {MUST} an object"),
    "join-long": ("join", ["x" * 101], f"a room {MUST} 101 characters"),
    "say-None": ("say", [None, "to whom?"], f"a room {MUST} None"),
    "say-list": ("say", [["a", "b"], "to whom?"], f"a room {MUST} a list"),
    "say_to_others-empty": ("say_to_others", ["", "to whom?"], f"a room {MUST} 0 characters"),
    "whisper-None": ("whisper", [None, "to whom?"], f"a sid {MUST} None"),
    "whisper-empty": ("whisper", ["", "to whom?"], f"a sid {MUST} 0 characters"),
    "close-empty": ("close", [""], f"a room {MUST} 0 characters"),
    "rooms-number": ("rooms", [7], f"a sid {MUST} a number"),
}


@pytest.mark.parametrize("event, args, error", BAD_ROOMS.values(), ids=BAD_ROOMS.keys())
def test_a_room_that_is_not_a_name_is_refused(
    event, args, error, rooms_server, raw_clients, chat_unharmed
):
    bad = member(rooms_server, raw_clients)

    assert bad.call(event, *args) == [{"error": error}]

    # Nothing came back but the answer (to=None would have answered the sender), nothing changed.
    assert bad.received.events == []
    assert sorted(bad.call("rooms")[0]) == sorted([bad.sid, bad.room])
    second_client_in_a_room(rooms_server.url)
    chat_unharmed.check()


# --- lesson 04: skip_sid from a client ---------------------------------------------------------


@pytest.fixture(scope="module")
def broadcast_server():
    yield from lesson_server("04")


@pytest.mark.parametrize(
    "skip, error",
    [
        ("", f"a sid {MUST} 0 characters"),
        ([7], f"a sid {MUST} a number"),
        (["x"] * 101, "at most 100 sids at once"),
    ],
    ids=["empty", "number-in-a-list", "101-sids"],
)
def test_lesson_04_refuses_a_skip_that_is_not_sids(skip, error, broadcast_server, unharmed):
    watched = unharmed(broadcast_server.process.pid, broadcast_server.url, "/other", "shout", "hi")
    bad = RawSocket(broadcast_server.url)
    try:
        bad.connect()
        assert bad.call("shout_skipping", "to everyone?", skip) == [{"error": error}]
        assert bad.received.events == []  # nothing was broadcast, not even to the sender
        assert bad.call("shout_skipping", "fine", [bad.sids["/"]]) == ["sent"]
    finally:
        bad.close()
    watched.check()


# --- lesson 11: the same handlers on a message queue -------------------------------------------


@pytest.fixture(scope="module")
def queue_server():
    """Lesson 11 on a private Redis, as `nox -s lesson -- 11` runs it."""
    with RedisServer() as redis:
        server = LessonProcess(manifest.find("11"), args=("--message-queue", redis.url)).start()
        yield server
        server.stop()


@pytest.mark.parametrize(
    "event, args", [("join", [None]), ("say", [None, "anyone?"])], ids=["join-None", "say-None"]
)
def test_lesson_11_refuses_a_room_that_is_not_a_name(event, args, queue_server, unharmed):
    watched = unharmed(queue_server.process.pid, queue_server.url, "/", "rooms")
    bad = RawSocket(queue_server.url)
    try:
        sid = bad.connect()
        assert bad.call(event, *args) == [{"error": f"a room {MUST} None"}]
        assert bad.call("rooms") == [[sid]]
        assert bad.received.events == []
    finally:
        bad.close()
    watched.check()
