"""Lesson 06 — class-based namespaces: the class variant.

The chat of app.py written as one `Namespace` subclass: a method `on_<event>` per event, and
`self.emit()` / `self.send()`, which default to the class's namespace and to all of its clients.
"""

from flask import request
from flask_socketio import Namespace

from lessons.lesson06_class_namespaces.precedence import add_lobby
from playground.wiring import lesson_app


# --8<-- [start:chat]
# --8<-- [start:chat-connect]
class Chat(Namespace):
    def on_connect(self, auth):
        # self.emit() sends to every client of /chat unless told otherwise: room= picks one.
        self.emit("welcome", "Welcome to /chat", room=request.sid)

    # --8<-- [end:chat-connect]
    # --8<-- [start:chat-disconnect]
    def on_disconnect(self, reason):
        self.emit("left", {"sid": request.sid, "reason": reason}, include_self=False)

    # --8<-- [end:chat-disconnect]
    # --8<-- [start:chat-say]
    def on_say(self, text):
        self.emit("said", text)  # no namespace, no room: everyone in /chat, the sender too

    # --8<-- [end:chat-say]
    # --8<-- [start:chat-message]
    def on_message(self, text):  # the event a client's send() emits
        self.send(text)

    # --8<-- [end:chat-message]
    # No on_dance: a "dance" event is ignored.


# --8<-- [end:chat]


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:register]
    socketio.on_namespace(Chat("/chat"))  # one instance serves every client of /chat
    # --8<-- [end:register]

    add_lobby(socketio)  # "/": a decorator and a class method for the same events
    return app, socketio
