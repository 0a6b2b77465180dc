"""Measure the floors the issues set, without making them timed tests.

Run with ``nox -s floors`` (it runs ``python -m scripts.floors``):

- each lesson, in each async mode, accepts a Socket.IO connection within 2 s of its start;
- the playground (every lesson live in one process) stays within 400 MB RSS with a client
  connected to every lesson, and stops within 2 s of SIGTERM.

A lesson deployed as several servers (lesson 13: gunicorn processes behind nginx) is measured in
the modes it runs in, and its figure printed without a verdict: the floor is one process's. So is
the memory of the playground's whole process tree, its own-process lessons included.

Exits 1 when a measurement is over its floor.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import socketio

from playground import manifest
from playground.claims import live_modes
from playground.lesson_process import LessonProcess, PlaygroundProcess
from playground.run import ASYNC_MODES
from scripts.measure import rss_mb, tree_rss_mb

STARTUP_FLOOR_S = 2.0
PLAYGROUND_RSS_FLOOR_MB = 400
STOP_FLOOR_S = 2.0


def connect(lesson: manifest.Lesson, base: str, **options) -> socketio.SimpleClient:
    """A client connected to the lesson served at ``base``, with what it asks for: lesson 09
    accepts a connection with a token only, which its ``POST /login`` gives."""
    auth = None
    if lesson.id == "09":
        login = urllib.request.Request(f"{base}/login", data=b"user=floors", method="POST")
        with urllib.request.urlopen(login, timeout=10) as answer:
            auth = {"token": json.load(answer)["token"]}
    client = socketio.SimpleClient()
    client.connect(base, auth=auth, wait_timeout=10, **options)
    return client


def time_to_first_connection(lesson: manifest.Lesson, async_mode: str) -> float:
    server = LessonProcess(lesson, async_mode=async_mode)
    started = time.monotonic()
    try:
        server.start()  # returns as soon as the port accepts TCP connections
        client = connect(lesson, server.url, transports=["websocket"])
        elapsed = time.monotonic() - started
        client.disconnect()
        return elapsed
    finally:
        server.stop()


def playground_figures() -> tuple[float, float, float]:
    """(RSS in MB with a client on every lesson, the same for its whole process tree, seconds
    from SIGTERM to exit)."""
    with PlaygroundProcess() as playground:
        clients = [
            connect(
                lesson,
                f"{playground.url}lessons/{lesson.id}",
                socketio_path=f"lessons/{lesson.id}/socket.io",
            )
            for lesson in manifest.lessons()
        ]
        rss, tree_rss = rss_mb(playground.pid), tree_rss_mb(playground.pid)
        for client in clients:
            client.disconnect()
        started = time.monotonic()
        playground.stop(timeout=10)  # SIGTERM; SIGKILL only after 10 s, far over the floor
        return rss, tree_rss, time.monotonic() - started


def main() -> int:
    over = 0

    def report(what: str, value: float, unit: str, floor: float | None) -> None:
        nonlocal over
        if floor is None:
            print(f"{what:<56}{value:>9.2f} {unit:<3} (no floor)", flush=True)
            return
        over += value > floor
        verdict = "ok" if value <= floor else "OVER"
        print(f"{what:<56}{value:>9.2f} {unit:<3} (floor {floor:g} {unit}) {verdict}", flush=True)

    for lesson in manifest.lessons():
        floor = None if lesson.deployed else STARTUP_FLOOR_S
        for mode in [mode for mode in ASYNC_MODES if mode in live_modes(lesson)]:
            elapsed = time_to_first_connection(lesson, mode)
            report(f"{lesson.package} first connection, {mode}", elapsed, "s", floor)
    rss, tree_rss, stop = playground_figures()
    live = f"{len(manifest.lessons())} lessons live"
    report(f"playground RSS, {live}", rss, "MB", PLAYGROUND_RSS_FLOOR_MB)
    report("playground and its own-process lessons, RSS summed", tree_rss, "MB", None)
    report("playground stop after SIGTERM", stop, "s", STOP_FLOOR_S)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
