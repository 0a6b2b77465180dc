"""Lesson 11's worker: a process with no Flask app and no clients that emits to browsers.

    python -m lessons.lesson11_message_queue.worker redis://127.0.0.1:6379 --room ops

It reports the steps of a pretend job to a room, through the message queue that the lesson's
servers share: each server delivers every event to its own clients in that room.
"""

import argparse
import os
import time

from flask_socketio import SocketIO

MAX_STEPS = 10


def run_job(message_queue: str, room: str, steps: int = 3, delay: float = 0.2) -> None:
    # --8<-- [start:emitter]
    # No app: this SocketIO can only publish to the queue. async_mode="threading", or it picks
    # eventlet (installed here) for a process that serves nobody.
    socketio = SocketIO(message_queue=message_queue, async_mode="threading")
    for step in range(1, steps + 1):
        time.sleep(delay)  # the work, in a real worker
        socketio.emit("progress", {"step": step, "steps": steps, "pid": os.getpid()}, to=room)
    socketio.emit("done", {"steps": steps, "pid": os.getpid()}, to=room)
    # --8<-- [end:emitter]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m lessons.lesson11_message_queue.worker",
        description="Report a pretend job's progress to a room, through the message queue.",
    )
    parser.add_argument("message_queue", help="the servers' queue, e.g. redis://127.0.0.1:6379")
    parser.add_argument("--room", default="ops", help="who hears it (default: ops)")
    parser.add_argument("--steps", type=int, default=3, choices=range(1, MAX_STEPS + 1))
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per step")
    args = parser.parse_args(argv)
    run_job(args.message_queue, args.room, args.steps, max(0.0, min(args.delay, 5.0)))


if __name__ == "__main__":
    main()
