"""What the bad-input cases share besides fixtures: their servers and the checks they end with."""

from __future__ import annotations

from playground import manifest
from playground.lesson_process import LessonProcess
from tests.robustness.raw import RawSocket


def lesson_server(lesson_id: str):
    """For a fixture: ``yield from lesson_server("05")`` serves that lesson while it is in use."""
    with LessonProcess(manifest.find(lesson_id)) as server:
        yield server


def assert_nothing_reached(raw: RawSocket) -> None:
    """Nothing was sent to the lesson 05 client ``raw``: its next request's answer is the first
    thing it gets."""
    assert sorted(raw.call("rooms")[0]) == sorted([raw.sids["/"], raw.room])
    assert raw.received.events == []
    assert raw.received.disconnects == []
