"""Measure the floors the issues set, without making them timed tests.

Run with ``nox -s floors`` (it runs ``python -m scripts.floors``):

- each lesson, in each async mode, accepts a Socket.IO connection within 2 s of its start;
- the playground (every lesson live in one process) stays within 400 MB RSS with a client
  connected to every lesson, and stops within 2 s of SIGTERM.

Exits 1 when a measurement is over its floor.
"""

from __future__ import annotations

import sys
import time

import socketio

from playground import manifest
from playground.lesson_process import LessonProcess, PlaygroundProcess
from playground.run import ASYNC_MODES
from scripts.measure import rss_mb

STARTUP_FLOOR_S = 2.0
PLAYGROUND_RSS_FLOOR_MB = 400
STOP_FLOOR_S = 2.0


def time_to_first_connection(lesson: manifest.Lesson, async_mode: str) -> float:
    server = LessonProcess(lesson, async_mode=async_mode)
    started = time.monotonic()
    try:
        server.start()  # returns as soon as the port accepts TCP connections
        client = socketio.SimpleClient()
        client.connect(server.url, transports=["websocket"], wait_timeout=10)
        elapsed = time.monotonic() - started
        client.disconnect()
        return elapsed
    finally:
        server.stop()


def playground_figures() -> tuple[float, float]:
    """(RSS in MB with a client on every lesson, seconds from SIGTERM to exit)."""
    with PlaygroundProcess() as playground:
        clients = []
        for lesson in manifest.lessons():
            client = socketio.SimpleClient()
            path = f"lessons/{lesson.id}/socket.io"
            client.connect(playground.url, socketio_path=path, wait_timeout=10)
            clients.append(client)
        rss = rss_mb(playground.pid)
        for client in clients:
            client.disconnect()
        started = time.monotonic()
        playground.stop(timeout=10)  # SIGTERM; SIGKILL only after 10 s, far over the floor
        return rss, time.monotonic() - started


def main() -> int:
    over = 0

    def report(what: str, value: float, unit: str, floor: float) -> None:
        nonlocal over
        over += value > floor
        verdict = "ok" if value <= floor else "OVER"
        print(f"{what:<56}{value:>9.2f} {unit:<3} (floor {floor:g} {unit}) {verdict}", flush=True)

    for lesson in manifest.lessons():
        for mode in ASYNC_MODES:
            elapsed = time_to_first_connection(lesson, mode)
            report(f"{lesson.package} first connection, {mode}", elapsed, "s", STARTUP_FLOOR_S)
    rss, stop = playground_figures()
    report(
        f"playground RSS, {len(manifest.lessons())} lessons live",
        rss,
        "MB",
        PLAYGROUND_RSS_FLOOR_MB,
    )
    report("playground stop after SIGTERM", stop, "s", STOP_FLOOR_S)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
