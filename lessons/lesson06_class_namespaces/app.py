"""Lesson 06 — class-based namespaces: the decorator variant.

A small chat in `/chat` written with `@socketio.on` decorators. app_ns.py writes the same chat as a
`Namespace` class, and one test suite, run against both, proves that they behave the same.
"""

from flask import request
from flask_socketio import emit, send

from lessons.lesson06_class_namespaces.precedence import add_lobby
from playground.wiring import lesson_app


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:chat]
    @socketio.on("connect", namespace="/chat")
    def connect(auth):
        emit("welcome", "Welcome to /chat")  # emit() in a handler: the sender only

    @socketio.on("disconnect", namespace="/chat")
    def disconnect(reason):
        emit("left", {"sid": request.sid, "reason": reason}, broadcast=True, include_self=False)

    @socketio.on("say", namespace="/chat")
    def say(text):
        emit("said", text, broadcast=True)  # everyone in /chat, the sender too

    @socketio.on("message", namespace="/chat")  # the event a client's send() emits
    def message(text):
        send(text, broadcast=True)

    # No handler for "dance": the event is ignored.
    # --8<-- [end:chat]

    add_lobby(socketio)  # "/": a decorator and a class method for the same events
    return app, socketio
