"""Lesson 03 — send vs emit.

Inside a handler, ``flask_socketio.send()``/``emit()`` reply to the sender; anywhere else they
need ``namespace=`` plus ``to=`` or ``broadcast=True`` (and an app context). The server object's
``socketio.emit()``/``socketio.send()`` work anywhere and address every client unless given ``to=``.
"""

from flask import request
from flask_socketio import emit, send

from playground.wiring import lesson_app


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:in-a-handler]
    @socketio.on("ask")
    def ask(text):
        send(text)  # arrives as the event "message"
        send({"text": text})  # still "message": a dict is sent as JSON anyway
        send({"text": text}, json=True)  # json=True only renames the event: "json"
        emit("answer", text)  # emit() names the event

    # --8<-- [end:in-a-handler]

    # --8<-- [start:arguments]
    @socketio.on("pair")
    def pair():
        emit("tuple", ("Alice", 42))  # a tuple: two arguments in the browser
        emit("list", ["Alice", 42])  # a list: one argument, an array
        try:
            emit("args", "Alice", 42)  # extra positional arguments are not payload
        except TypeError as error:
            emit("args_error", str(error))

    # --8<-- [end:arguments]

    # --8<-- [start:from-a-view]
    @app.post("/view/emit")
    def view_emit():
        emit("from_view", "no namespace, no to")  # there is no Socket.IO event here
        return "", 204

    @app.post("/view/emit-to/<sid>")
    def view_emit_to(sid):
        emit("from_view", "to one client", namespace="/", to=sid)
        return "", 204

    @app.post("/view/emit-broadcast")
    def view_emit_broadcast():
        emit("from_view", "to everyone", namespace="/", broadcast=True)
        return "", 204

    # --8<-- [end:from-a-view]

    # --8<-- [start:show-errors]
    @app.errorhandler(AttributeError)
    @app.errorhandler(TypeError)
    def show_error(error):
        # Shown so the page can display the failure; a real app would log it and say less.
        return f"{type(error).__name__}: {error}", 500

    # --8<-- [end:show-errors]

    # --8<-- [start:server-object]
    @socketio.on("compare")
    def compare(text):
        emit("reply", f"emit: {text}")  # the sender only
        socketio.emit("reply", f"socketio.emit: {text}")  # no to=: every client in "/"

    @app.post("/view/socketio-emit")
    def view_socketio_emit():
        socketio.emit("from_view", "socketio.emit from a view")  # works without any context
        return "", 204

    # --8<-- [end:server-object]

    # --8<-- [start:no-broadcast-argument]
    @app.post("/view/socketio-emit-broadcast")
    def view_socketio_emit_broadcast():
        # The server object has no broadcast parameter: it already broadcasts without to=.
        socketio.emit("from_view", "never sent", broadcast=True)
        return "", 204

    # --8<-- [end:no-broadcast-argument]

    # --8<-- [start:background]
    def in_the_background(sid):
        # A background task has no request and no app context.
        try:
            emit("from_thread", "flask_socketio.emit", namespace="/", broadcast=True)
        except RuntimeError as error:
            socketio.emit("thread_error", str(error), to=sid)
        with app.app_context():  # what flask_socketio.emit() was missing
            emit("from_thread", "flask_socketio.emit in app_context", namespace="/", broadcast=True)
        socketio.emit("from_thread", "socketio.emit")
        socketio.send("socketio.send")

    @socketio.on("start_task")
    def start_task():
        socketio.start_background_task(in_the_background, request.sid)

    # --8<-- [end:background]

    return app, socketio
