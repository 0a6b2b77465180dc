"""Lesson 02 — reserved events.

`connect` and `disconnect` run once per namespace a client joins and leaves, and `message` and
`json` are the events that `send()` uses. The browser client refuses to emit `connect`,
`disconnect` and four other names, but the server accepts them from any client that does not.
"""

from flask import request
from flask_socketio import disconnect, emit, send

from playground.wiring import lesson_app


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)
    names = {}  # request.sid -> the name the client gave in its auth

    # --8<-- [start:connect]
    @socketio.on("connect")
    @socketio.on("connect", namespace="/chat")
    def on_connect(auth):
        # Once per namespace the client joins, before any of its events in that namespace.
        names[request.sid] = auth.get("name") if isinstance(auth, dict) else None
        emit(
            "welcome",
            {
                "sid": request.sid,  # this namespace's session id: the browser's socket.id
                "namespace": request.namespace,
                "args": request.args.to_dict(),  # the query string of the connection URL
                "auth": auth,  # the client's `auth` for this namespace, or None
            },
        )

    # --8<-- [end:connect]

    # --8<-- [start:disconnect]
    @socketio.on("disconnect")
    @socketio.on("disconnect", namespace="/chat")
    def on_disconnect(reason):
        # reason is one of socketio.reason: CLIENT_DISCONNECT, SERVER_DISCONNECT, TRANSPORT_CLOSE…
        left = {"sid": request.sid, "name": names.pop(request.sid, None), "reason": reason}
        # The leaving client cannot hear this: tell everyone else in the namespace (lesson 04).
        emit("left", left, broadcast=True, include_self=False)

    @socketio.on("kick me")  # any string can be an event name, even one with a space
    def kick():
        disconnect()  # the server ends this client's session in this namespace

    # --8<-- [end:disconnect]

    # --8<-- [start:incoming]
    @socketio.on("message")  # a browser's socket.send(x) arrives here, whatever x is
    def handle_message(data):
        emit("received", {"handler": "message", "type": type(data).__name__, "data": data})

    @socketio.on("json")  # only an event named "json" arrives here
    def handle_json(data):
        emit("received", {"handler": "json", "type": type(data).__name__, "data": data})

    # --8<-- [end:incoming]

    # --8<-- [start:outgoing]
    @socketio.event  # the function's name is the event name: "echo"
    def echo(data):
        send(data)  # the browser gets a "message" event
        send(data, json=True)  # and a "json" event: json=True only changes the event's name

    # --8<-- [end:outgoing]

    return app, socketio
