"""Lesson 04 — broadcast.

`emit(..., broadcast=True)` sends an event to every client connected to the handler's namespace,
and `include_self=False` or `skip_sid=` leave chosen clients out. `socketio.emit()` broadcasts the
same way from code that is not a Socket.IO handler, such as an HTTP view.
"""

from flask import request
from flask_socketio import emit

from playground.wiring import lesson_app, room_names

MAX_ANNOUNCEMENT = 200  # characters


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:broadcast]
    @socketio.on("shout")
    @socketio.on("shout", namespace="/other")
    def shout(text):
        # Everyone connected to this handler's namespace receives it, the sender too.
        emit("shouted", text, broadcast=True)
        # The sender's acknowledgement leaves after the broadcast: when it arrives, so has
        # everything the broadcast sent to this client.
        return "sent"

    # --8<-- [end:broadcast]

    # --8<-- [start:exclude]
    @socketio.on("shout_to_others")
    def shout_to_others(text):
        emit("shouted", text, broadcast=True, include_self=False)  # all but request.sid
        return "sent"

    @socketio.on("shout_skipping")
    def shout_skipping(text, skip):
        # skip: one sid or a list of sids. The sender still receives unless it is listed.
        skip = None if skip is None else room_names(skip, "sid")  # None: skip_sid's default
        emit("shouted", text, broadcast=True, skip_sid=skip)
        return "sent"

    # --8<-- [end:exclude]

    # --8<-- [start:announce]
    @app.post("/announce")
    def announce():
        text = request.form.get("text", "").strip()
        # --8<-- [start:announce-body]
        if not text:
            return {"error": "The announcement is empty."}, 400
        if len(text) > MAX_ANNOUNCEMENT:
            return {
                "error": f"The announcement has {len(text)} characters; "
                f"the limit is {MAX_ANNOUNCEMENT}."
            }, 400
        # No Socket.IO client is behind an HTTP request, so no emit() here: socketio.emit()
        # sends to every client of one namespace, "/" unless namespace= says otherwise.
        socketio.emit("announcement", text)
        return {"sent": text}
        # --8<-- [end:announce-body]

    # --8<-- [end:announce]

    # --8<-- [start:callback]
    @socketio.on("poll")
    def poll(question):
        def answered(answer):
            # Runs once per client that acknowledges, in the sender's request context:
            # request.sid is the sender's, so this emit() goes back to the sender.
            emit("poll_answer", answer)

        emit("poll", question, broadcast=True, callback=answered)
        return "sent"

    # --8<-- [end:callback]

    return app, socketio
