"""Lesson 11 — more than one server: a Redis message queue.

Server processes that share ``message_queue='redis://…'`` pass every emit through Redis, so a
broadcast or a room message reaches the clients of every process. A process with no app and no
clients of its own (``worker.py``) emits through the same queue, to the browsers of every server.
"""

import os
import subprocess
import sys

from flask import request
from flask_socketio import emit, join_room, rooms

from playground.wiring import lesson_app, room_name

MAX_ROOM = 20  # characters


def create_app(**config):
    # config["MESSAGE_QUEUE"] (the runner's --message-queue) becomes SocketIO(message_queue=...).
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:handlers]
    @socketio.on("join")
    def join(room):
        join_room(room_name(room))  # kept by this process: only emits travel through the queue
        return {"rooms": rooms(), "pid": os.getpid()}

    @socketio.on("rooms")
    def my_rooms():
        return rooms()

    @socketio.on("announce")
    def announce(text):
        # Every client of every server on the queue; pid says which process sent it.
        emit("announcement", {"text": text, "pid": os.getpid()}, broadcast=True)
        return "sent"

    @socketio.on("say")
    def say(room, text):
        # The room's members, whichever server each of them is connected to.
        room = room_name(room)
        emit("said", {"room": room, "text": text, "pid": os.getpid()}, to=room)
        return "sent"

    # --8<-- [end:handlers]

    # --8<-- [start:start-worker]
    workers = []  # the last worker this server started

    @app.post("/worker")
    def start_worker():
        queue = app.config["MESSAGE_QUEUE"]
        if not queue:
            return {"error": "this server has no message queue"}, 409
        body = request.get_json()  # JSON only: a cross-site form cannot start a worker
        room = body.get("room") if isinstance(body, dict) else None
        if not isinstance(room, str) or not 0 < len(room) <= MAX_ROOM:
            return {"error": f"a room of 1 to {MAX_ROOM} characters is required"}, 400
        if workers and workers[-1].poll() is None:
            return {"error": "a worker is running", "pid": workers[-1].pid}, 409
        # The job runs in a process of its own, as a Celery or RQ worker would; it reaches the
        # browsers through the queue, not through this server.
        command = [sys.executable, "-m", "lessons.lesson11_message_queue.worker", queue]
        workers[:] = [subprocess.Popen([*command, "--room", room])]
        return {"pid": workers[-1].pid, "room": room}, 202

    # --8<-- [end:start-worker]

    return app, socketio
