"""Lesson 05 — rooms.

A room is a named group of clients in one namespace: `join_room()` and `leave_room()` change who
is in it, `emit(..., to=room)` reaches its members only, and every client is alone in a room named
by its sid. The group chat in `/chat` puts each client in its group's room from the `connect`
handler, with the name, group and demo token of the connection's `auth`.
"""

from flask import request
from flask_socketio import (
    ConnectionRefusedError,
    close_room,
    emit,
    join_room,
    leave_room,
    rooms,
)

from playground.wiring import lesson_app, room_name

# --8<-- [start:tokens]
# One demo token per group, printed on the lesson page: a lesson, not a secret. Lesson 09 shows
# how to know who a client really is.
DEMO_TOKENS = {"red": "red-demo-token", "blue": "blue-demo-token"}
# --8<-- [end:tokens]
MAX_NAME = 20  # characters


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:join-leave]
    @socketio.on("join")
    def join(room):
        # room_name() refuses anything but a string of 1 to 100 characters: None, above all.
        join_room(room_name(room))  # the room is created on first use
        return rooms()  # the sender's rooms, as its acknowledgement

    @socketio.on("leave")
    def leave(room):
        leave_room(room_name(room))  # and deleted when its last member leaves
        return rooms()

    # --8<-- [end:join-leave]

    # --8<-- [start:say]
    @socketio.on("say")
    def say(room, text):
        # Every member of the room, the sender too if it is one; nobody else.
        room = room_name(room)
        emit("said", {"room": room, "from": request.sid, "text": text}, to=room)
        return "sent"

    @socketio.on("say_to_others")
    def say_to_others(room, text):
        # Every member but the sender: "everyone else in the room".
        room = room_name(room)
        emit("said", {"room": room, "from": request.sid, "text": text}, to=room, include_self=False)
        return "sent"

    # --8<-- [end:say]

    # --8<-- [start:whisper]
    @socketio.on("whisper")
    def whisper(sid, text):
        # Each client is alone in a room named by its sid: a private message.
        emit("whispered", {"from": request.sid, "text": text}, to=room_name(sid, "sid"))
        return "sent"

    # --8<-- [end:whisper]

    # --8<-- [start:rooms]
    @socketio.on("rooms")
    def list_rooms(sid=None):
        # The rooms of the sender, or of any client of this namespace by its sid.
        return rooms() if sid is None else rooms(room_name(sid, "sid"))

    @socketio.on("close")
    def close(room):
        close_room(room_name(room))  # every member leaves the room at once, stays connected
        return rooms()

    # --8<-- [end:rooms]

    members = {}  # request.sid -> {"name": ..., "group": ...}, in /chat

    # --8<-- [start:group-connect]
    @socketio.on("connect", namespace="/chat")
    def join_group(auth):
        auth = auth if isinstance(auth, dict) else {}
        group = str(auth.get("group", ""))
        name = str(auth.get("name", "")).strip()
        if not auth.get("token"):
            raise ConnectionRefusedError("a token is required")
        if auth["token"] != DEMO_TOKENS.get(group):
            raise ConnectionRefusedError(f"this token does not open the group {group!r}")
        if not name or len(name) > MAX_NAME:
            raise ConnectionRefusedError(f"a name of 1 to {MAX_NAME} characters is required")
        members[request.sid] = {"name": name, "group": group}
        join_room(group)
        emit("joined", {"name": name, "group": group}, to=group, include_self=False)

    # --8<-- [end:group-connect]

    # --8<-- [start:group-say]
    @socketio.on("say", namespace="/chat")
    def say_in_group(text):
        member = members[request.sid]
        emit("said", {**member, "text": text}, to=member["group"])
        return "sent"

    # --8<-- [end:group-say]

    # --8<-- [start:group-disconnect]
    @socketio.on("disconnect", namespace="/chat")
    def leave_group(reason):
        # Still in its rooms here: they are emptied after this handler returns.
        member = members.pop(request.sid)
        emit("left", member, to=member["group"], include_self=False)

    # --8<-- [end:group-disconnect]

    return app, socketio
