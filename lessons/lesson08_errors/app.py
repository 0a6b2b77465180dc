"""Lesson 08 — errors.

When a handler raises, Flask-SocketIO hands the exception to the namespace's `on_error` handler,
else to `on_error_default`, whose return value becomes the client's acknowledgement; an exception
no handler takes reaches the client as nothing at all. A `connect` handler refuses a connection
with `return False` or with `raise ConnectionRefusedError(message, data)`, which the client gets;
any other exception in it is refused only if the error handler returns False.
"""

from flask import request
from flask_socketio import ConnectionRefusedError

from playground.wiring import lesson_app

TOKEN = "letmein"  # what /strict asks for in the client's auth


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:divide]
    @socketio.on("divide")
    @socketio.on("divide", namespace="/strict")
    @socketio.on("divide", namespace="/bare")
    def divide(a, b):
        return a / b  # the quotient is the ack; divide(1, 0) raises ZeroDivisionError

    # --8<-- [end:divide]

    # --8<-- [start:report]
    def report(handler, e):
        # request.event is the event that failed: its name and the arguments it came with.
        return {
            "handler": handler,
            "event": request.event["message"],
            "args": list(request.event["args"]),
            "error": f"{type(e).__name__}: {e}",
        }

    # --8<-- [end:report]

    # --8<-- [start:handlers]
    # --8<-- [start:strict-handler]
    @socketio.on_error("/strict")  # errors of /strict only
    def strict_error_handler(e):
        if request.event["message"] == "connect":
            # The connect handler failed. Refuse: any other return value accepts the connection.
            return False
        return report("on_error('/strict')", e)  # returned: the acknowledgement

    # --8<-- [end:strict-handler]
    # --8<-- [start:default-handler]
    @socketio.on_error_default  # errors of every namespace without its own on_error
    def default_error_handler(e):
        if request.namespace == "/bare":
            # on_error_default takes /bare too: no namespace can opt out. Re-raising hands the
            # exception back to Flask-SocketIO, exactly as if no error handler were registered.
            raise
        return report("on_error_default", e)

    # --8<-- [end:default-handler]
    # --8<-- [end:handlers]

    # --8<-- [start:connect]
    @socketio.on("connect", namespace="/strict")
    def strict_connect(auth):
        # auth is whatever JSON the client sent: with auth="abc", auth.get() raises an
        # AttributeError, which goes to strict_error_handler above.
        if not auth:
            return False  # refused, with python-socketio's default reason
        if auth.get("token") != TOKEN:
            # The message and the data (any JSON) go to the client's connect_error.
            raise ConnectionRefusedError("unauthorized", {"field": "token"})

    # --8<-- [end:connect]

    return app, socketio
