"""Lesson 13 — deploying: gunicorn, nginx, sticky sessions and the 400s.

The app is small on purpose: what this lesson teaches is around it (gunicorn.conf.py, the nginx
template, playground/deployment.py). ``where`` tells a client which server process answers it,
over which transport and in which rooms; ``join`` puts it in a room of that process; ``announce``
broadcasts through the Redis queue to the clients of every server.
"""

import os

from flask import request
from flask_socketio import emit, join_room, rooms

from playground.wiring import lesson_app


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:handlers]
    @socketio.on("where")
    def where():
        # The process that holds this client's session, the transport it is on now, its rooms.
        transport = socketio.server.transport(request.sid)
        return {"pid": os.getpid(), "transport": transport, "rooms": rooms()}

    @socketio.on("join")
    def join(room):
        join_room(str(room)[:20])  # kept by this process only: see what happens when it dies
        return rooms()

    @socketio.on("announce")
    def announce(text):
        # Every client of every server: the emit travels through the message queue.
        emit("announcement", {"text": str(text)[:200], "pid": os.getpid()}, broadcast=True)
        return "sent"

    # --8<-- [end:handlers]

    return app, socketio
