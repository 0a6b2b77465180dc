"""Measure the startup floor: a lesson accepts a Socket.IO connection within 2 s of starting.

Run with ``nox -s floors``. For every lesson and async mode it starts the server exactly as
``nox -s lesson`` does and times, from the process's start, the first successful Socket.IO
connection of a python-socketio client. Exits 1 when a measurement is over the floor.
"""

from __future__ import annotations

import sys
import time

import socketio

from playground import manifest
from playground.process import LessonProcess
from playground.run import ASYNC_MODES

FLOOR_S = 2.0


def time_to_first_connection(lesson: manifest.Lesson, async_mode: str) -> float:
    server = LessonProcess(lesson, async_mode=async_mode)
    started = time.monotonic()
    try:
        server.start()  # returns as soon as the port accepts TCP connections
        client = socketio.SimpleClient()
        client.connect(server.url, transports=["websocket"], wait_timeout=FLOOR_S * 5)
        elapsed = time.monotonic() - started
        client.disconnect()
        return elapsed
    finally:
        server.stop()


def main() -> int:
    over = 0
    print(f"{'lesson':<24}{'async mode':<12}{'first connection':>18}")
    for lesson in manifest.lessons():
        for mode in ASYNC_MODES:
            elapsed = time_to_first_connection(lesson, mode)
            over += elapsed > FLOOR_S
            flag = "" if elapsed <= FLOOR_S else f"  over the {FLOOR_S} s floor"
            print(f"{lesson.package:<24}{mode:<12}{elapsed:>16.2f} s{flag}", flush=True)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
