"""Lesson 01 — namespaces.

One Socket.IO connection can carry several namespaces. Each namespace has its own handlers,
even for the same event name, and a handler's replies stay in the namespace it runs in.
"""

from flask import request
from flask_socketio import emit

from playground.wiring import lesson_app


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:same-event]
    @socketio.on("greet")  # no namespace given: the default namespace, "/"
    def greet(name):
        emit("greeting", f"Hello {name}, from /")

    @socketio.on("greet", namespace="/chat")  # same event name, another namespace
    def greet_in_chat(name):
        emit("greeting", f"Hello {name}, from /chat")  # emit() replies in /chat

    # --8<-- [end:same-event]

    # --8<-- [start:three-ways]
    @socketio.on("shout", namespace="/chat")
    def shout(text):
        emit("echo", text.upper())

    @socketio.event(namespace="/chat")  # the function's name is the event name
    def whisper(text):
        emit("echo", text.lower())

    def backwards(text):
        emit("echo", text[::-1])

    socketio.on_event("backwards", backwards, namespace="/chat")
    # --8<-- [end:three-ways]

    # --8<-- [start:whoami]
    @socketio.on("whoami")
    @socketio.on("whoami", namespace="/chat")
    def whoami():
        # request.sid is per namespace: one connection, one sid for each namespace it joined.
        emit("you_are", {"namespace": request.namespace, "sid": request.sid})

    # --8<-- [end:whoami]

    return app, socketio
