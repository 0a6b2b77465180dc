"""Lesson 06 — a decorator and a class method for the same event: which one runs?

Both variants (app.py and app_ns.py) call add_lobby(), so this demo is the same program in each
and the test suite that proves the variants identical covers it too.
"""

from flask_socketio import Namespace, emit


# --8<-- [start:lobby]
class Lobby(Namespace):
    # emit() from flask_socketio works in a method too: it answers the sender only.
    def on_connect(self, auth):
        emit("handled", {"event": "connect", "by": "class"})

    def on_greet(self):
        emit("handled", {"event": "greet", "by": "class"})

    def on_wave(self):
        emit("handled", {"event": "wave", "by": "class"})


# --8<-- [end:lobby]


# --8<-- [start:add-lobby]
def add_decorated_handlers(socketio):
    @socketio.on("connect")
    def connect(auth):
        emit("handled", {"event": "connect", "by": "decorator"})

    @socketio.on("greet")
    def greet():
        emit("handled", {"event": "greet", "by": "decorator"})


def add_lobby(socketio):
    add_decorated_handlers(socketio)
    # No namespace argument: Namespace() is "/". Registered last, yet it answers only "wave".
    socketio.on_namespace(Lobby())


# --8<-- [end:add-lobby]
