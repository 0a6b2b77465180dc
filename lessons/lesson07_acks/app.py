"""Lesson 07 — acknowledgements.

A client that emits with a callback gets the handler's return value back as an acknowledgement;
the server can ask the same of a client with ``emit(..., callback=fn)`` or wait for its answer
with ``socketio.call()``, which raises ``socketio.exceptions.TimeoutError`` when none comes.
"""

import time

from flask import request
from flask_socketio import emit
from socketio import exceptions

from playground.wiring import lesson_app


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:return-values]
    @socketio.on("ack_none")
    def ack_none(name):
        pass  # returns None: the acknowledgement carries no arguments

    @socketio.on("ack_one")
    def ack_one(name):
        return f"Hello {name}"  # one value: one argument

    @socketio.on("ack_tuple")
    def ack_tuple(name):
        return name, len(name), True  # a tuple: one argument per element

    @socketio.on("ack_list")
    def ack_list(name):
        return [name, len(name)]  # a list is one argument, an array

    # --8<-- [end:return-values]

    # --8<-- [start:server-asks]
    @socketio.on("ask_me")
    def ask_me(question):
        def answered(*args):
            # Runs when the browser calls its ack function, with the browser's arguments.
            # Flask-SocketIO restores the asker's request context, so emit() replies to it.
            emit("answered", list(args))

        emit("question", question, callback=answered)

    # --8<-- [end:server-asks]

    # --8<-- [start:call]
    @socketio.on("call_me")
    def call_me(timeout):
        # call() blocks until the browser answers. Every event runs in its own greenlet (or
        # thread), so the server keeps receiving, the answer included, while this one waits.
        started = time.monotonic()
        try:
            answer = socketio.call("question", "Who are you?", to=request.sid, timeout=timeout)
        except exceptions.TimeoutError as error:  # not Python's built-in TimeoutError
            emit(
                "call_timed_out",
                {
                    "error": f"{type(error).__module__}.{type(error).__qualname__}",
                    "is_builtin_timeout_error": isinstance(error, TimeoutError),
                    "waited_s": round(time.monotonic() - started, 3),
                },
            )
        else:
            emit("call_returned", {"type": type(answer).__name__, "answer": answer})

    # --8<-- [end:call]

    return app, socketio
