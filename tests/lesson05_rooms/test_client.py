"""Lesson 05 — rooms, proven with Flask-SocketIO's test client."""

import pytest
from flask import request
from flask_socketio import ConnectionRefusedError, emit, join_room, rooms
from socketio import packet

from lessons.lesson05_rooms.app import DEMO_TOKENS


def sid_of(socketio, client, namespace="/"):
    """The server's ``request.sid`` for this test client in ``namespace``."""
    return socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)


def said(room, sender, text):
    return {
        "name": "said",
        "args": [{"room": room, "from": sender, "text": text}],
        "namespace": "/",
    }


def auth(name, group, token=None):
    """The ``auth`` of a group chat member; the group's demo token unless told otherwise."""
    return {"name": name, "group": group, "token": token or DEMO_TOKENS[group]}


@pytest.fixture
def people(make_client, socketio):
    """Alice, Bob and Carol in "/": clients and sids."""
    clients = {name: make_client() for name in ("alice", "bob", "carol")}
    sids = {name: sid_of(socketio, client) for name, client in clients.items()}
    return clients, sids


@pytest.fixture
def member(make_client):
    """``member(name, group)``: a test client in ``/chat``, in the group's room."""

    def connect(name, group):
        client = make_client(namespace="/chat", auth=auth(name, group))
        assert client.is_connected("/chat")
        return client

    return connect


# --- join, leave, to=room ------------------------------------------------------------------


@pytest.mark.claim("L05.1")
def test_emit_to_a_room_reaches_its_members_only(people):
    (alice, bob, carol), (a, b, c) = people[0].values(), people[1].values()

    assert sorted(alice.emit("join", "lobby", callback=True)) == sorted([a, "lobby"])
    assert sorted(bob.emit("join", "lobby", callback=True)) == sorted([b, "lobby"])

    assert alice.emit("say", "lobby", "Hi lobby", callback=True) == "sent"
    assert alice.get_received() == [said("lobby", a, "Hi lobby")]  # a member: the sender too
    assert bob.get_received() == [said("lobby", a, "Hi lobby")]
    assert carol.get_received() == []

    # A non-member may send to a room; it just does not receive what it sent.
    carol.emit("say", "lobby", "From outside")
    assert carol.get_received() == []
    assert alice.get_received() == bob.get_received() == [said("lobby", c, "From outside")]


@pytest.mark.claim("L05.1")
def test_after_leave_room_a_client_gets_nothing_more_from_the_room(people, socketio):
    (alice, bob, _), (a, b, _) = people[0].values(), people[1].values()
    alice.emit("join", "lobby")
    bob.emit("join", "lobby")

    assert bob.emit("leave", "lobby", callback=True) == [b]  # back to its sid room only
    alice.emit("say", "lobby", "Still there?")

    assert alice.get_received() == [said("lobby", a, "Still there?")]
    assert bob.get_received() == []
    # The room exists while it has members: when the last one leaves, it is gone.
    assert "lobby" in socketio.server.manager.rooms["/"]
    assert alice.emit("leave", "lobby", callback=True) == [a]
    assert "lobby" not in socketio.server.manager.rooms["/"]


@pytest.mark.claim("L05.2")
def test_include_self_false_reaches_everyone_else_in_the_room(people, make_client, socketio):
    (alice, bob, carol), (a, _, _) = people[0].values(), people[1].values()
    dave = make_client()
    for client in (alice, bob, dave):
        client.emit("join", "lobby")

    assert alice.emit("say_to_others", "lobby", "Not for me", callback=True) == "sent"

    assert alice.get_received() == []
    assert bob.get_received() == dave.get_received() == [said("lobby", a, "Not for me")]
    assert carol.get_received() == []


# --- the sid room ----------------------------------------------------------------------------


@pytest.mark.claim("L05.3")
def test_every_client_is_alone_in_its_sid_room_and_to_sid_is_private(people, socketio):
    (alice, bob, carol), (a, b, c) = people[0].values(), people[1].values()

    for client, sid in ((alice, a), (bob, b), (carol, c)):
        assert client.emit("rooms", callback=True) == [sid]
        assert dict(socketio.server.manager.get_participants("/", sid)) == {sid: client.eio_sid}

    assert alice.emit("whisper", b, "Just for you, Bob", callback=True) == "sent"

    whispered = {"from": a, "text": "Just for you, Bob"}
    assert bob.get_received() == [{"name": "whispered", "args": [whispered], "namespace": "/"}]
    assert alice.get_received() == carol.get_received() == []


@pytest.mark.claim("L05.3")
def test_a_sid_room_cannot_be_joined_or_closed_by_another_client(people):
    (alice, bob, carol), (_, b, c) = people[0].values(), people[1].values()

    with pytest.raises(ValueError, match=r"^cannot enter a sid room$"):
        alice.emit("join", b)
    with pytest.raises(ValueError, match=r"^cannot close a sid room$"):
        alice.emit("close", b)

    assert bob.emit("rooms", callback=True) == [b]
    carol.emit("whisper", b, "Still private")
    assert bob.get_received()[0]["args"] == [{"from": c, "text": "Still private"}]
    assert alice.get_received() == []


@pytest.mark.claim("L05.3")
def test_a_client_may_leave_its_own_sid_room_and_then_hears_no_whisper(people):
    (alice, bob, _), (a, b, _) = people[0].values(), people[1].values()

    assert bob.emit("leave", b, callback=True) == []  # accepted: now in no room at all
    assert alice.emit("whisper", b, "Hello?", callback=True) == "sent"

    assert bob.get_received() == []
    assert bob.is_connected()
    alice.emit("whisper", b, "Anyone?")  # and the sender does not get it back either
    assert alice.get_received() == []
    assert alice.emit("rooms", callback=True) == [a]


# --- rooms(), close_room, disconnect ---------------------------------------------------------


@pytest.mark.claim("L05.4")
def test_rooms_lists_the_senders_rooms_or_another_clients(people):
    (alice, bob, _), (a, b, _) = people[0].values(), people[1].values()
    alice.emit("join", "lobby")
    alice.emit("join", "kitchen")
    bob.emit("join", "kitchen")

    mine = alice.emit("rooms", callback=True)
    assert sorted(mine) == sorted([a, "lobby", "kitchen"])
    assert len(mine) == 3  # each room once
    assert sorted(alice.emit("rooms", b, callback=True)) == sorted([b, "kitchen"])


@pytest.mark.claim("L05.4")
def test_close_room_takes_every_member_out_and_they_stay_connected(people, socketio):
    (alice, bob, carol), (a, b, c) = people[0].values(), people[1].values()
    alice.emit("join", "lobby")
    alice.emit("join", "kitchen")
    bob.emit("join", "lobby")

    assert sorted(carol.emit("close", "lobby", callback=True)) == [c]  # Carol was not a member

    assert sorted(alice.emit("rooms", callback=True)) == sorted([a, "kitchen"])
    assert bob.emit("rooms", callback=True) == [b]
    assert "lobby" not in socketio.server.manager.rooms["/"]
    carol.emit("say", "lobby", "Anyone here?")
    assert alice.get_received() == bob.get_received() == []
    assert alice.is_connected() and bob.is_connected()
    # Closing a room that does not exist is no error.
    assert carol.emit("close", "nowhere", callback=True) == [c]


@pytest.mark.claim("L05.4")
def test_a_disconnect_takes_the_client_out_of_every_room(people, socketio):
    (alice, bob, _), (a, b, _) = people[0].values(), people[1].values()
    bob.emit("join", "lobby")
    bob.emit("join", "kitchen")
    alice.emit("join", "lobby")

    bob.disconnect()

    assert alice.emit("rooms", b, callback=True) == []  # not even its sid room
    rooms_now = socketio.server.manager.rooms["/"]
    assert b not in rooms_now
    assert "kitchen" not in rooms_now  # Bob was its only member
    assert dict(rooms_now["lobby"]) == {a: alice.eio_sid}


# --- namespaces ------------------------------------------------------------------------------


@pytest.mark.claim("L05.5")
def test_a_room_of_the_same_name_in_another_namespace_is_another_room(people, member, socketio):
    (alice, _, _), (a, _, _) = people[0].values(), people[1].values()
    alice.emit("join", "red")  # "red" in "/"
    bob = member("Bob", "red")  # the group "red" in "/chat"
    bob_in_chat = sid_of(socketio, bob, "/chat")

    alice.emit("say", "red", "Red in /")
    bob.emit("say", "Red in /chat", namespace="/chat")

    assert alice.get_received() == [said("red", a, "Red in /")]
    assert bob.get_received("/chat") == [
        {
            "name": "said",
            "args": [{"name": "Bob", "group": "red", "text": "Red in /chat"}],
            "namespace": "/chat",
        }
    ]
    rooms_now = socketio.server.manager.rooms
    assert dict(rooms_now["/"]["red"]) == {a: alice.eio_sid}
    assert dict(rooms_now["/chat"]["red"]) == {bob_in_chat: bob.eio_sid}
    assert alice.emit("rooms", bob_in_chat, callback=True) == []  # a /chat sid, asked in /


@pytest.mark.claim("L05.5")
def test_one_connection_in_two_namespaces_has_separate_rooms(member, socketio):
    alice = member("Alice", "red")
    alice.connect(namespace="/")  # the same client joins "/" too
    in_root, in_chat = sid_of(socketio, alice), sid_of(socketio, alice, "/chat")

    assert alice.emit("rooms", callback=True) == [in_root]  # no "red" in "/"
    assert sorted(socketio.server.manager.get_rooms(in_chat, "/chat")) == sorted([in_chat, "red"])


# --- the group chat: auth in the connect handler ---------------------------------------------


def record_refusals(socketio):
    """The reasons of refused connections as sent to the client; the test client drops them.

    Call it after making every test client: making one replaces the packet hook wrapped here.
    """
    sent = []
    hooked = socketio.server._send_packet

    def record(eio_sid, pkt):
        if pkt.packet_type == packet.CONNECT_ERROR:
            sent.append(pkt.data)
        hooked(eio_sid, pkt)

    socketio.server._send_packet = record
    return sent


def chat_event(event, **payload):
    return {"name": event, "args": [payload], "namespace": "/chat"}


@pytest.mark.claim("L05.6")
def test_connect_joins_the_room_of_the_group_in_auth(member, socketio):
    alice = member("Alice", "red")
    carol = member("Carol", "blue")
    a, c = sid_of(socketio, alice, "/chat"), sid_of(socketio, carol, "/chat")

    manager = socketio.server.manager
    assert sorted(manager.get_rooms(a, "/chat")) == sorted([a, "red"])
    assert sorted(manager.get_rooms(c, "/chat")) == sorted([c, "blue"])


@pytest.mark.claim("L05.6")
@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (None, "a token is required"),
        ({"name": "Dave", "group": "red"}, "a token is required"),
        ({"name": "Dave", "group": "red", "token": ""}, "a token is required"),
        (auth("Dave", "red", DEMO_TOKENS["blue"]), "this token does not open the group 'red'"),
        (auth("Dave", "green", "green-token"), "this token does not open the group 'green'"),
        ({"name": "Dave", "token": DEMO_TOKENS["red"]}, "this token does not open the group ''"),
        (auth("", "red"), "a name of 1 to 20 characters is required"),
        (auth("   ", "red"), "a name of 1 to 20 characters is required"),
        (auth("D" * 21, "red"), "a name of 1 to 20 characters is required"),
    ],
    ids=[
        "no-auth",
        "no-token",
        "empty-token",
        "other-groups-token",
        "unknown-group",
        "no-group",
        "empty-name",
        "blank-name",
        "long-name",
    ],
)
def test_refused_without_a_valid_token_or_name_and_in_no_room(
    make_client, member, socketio, given, reason
):
    bob = member("Bob", "red")
    dave = make_client()  # in "/" for now
    sent = record_refusals(socketio)

    dave.connect(namespace="/chat", auth=given)

    assert not dave.is_connected("/chat")
    assert sent == [{"message": reason}]
    manager = socketio.server.manager
    assert manager.sid_from_eio_sid(dave.eio_sid, "/chat") is None  # no sid, so no sid room
    assert dict(manager.rooms["/chat"]["red"]) == {sid_of(socketio, bob, "/chat"): bob.eio_sid}
    assert bob.get_received("/chat") == []  # nobody joined


@pytest.mark.claim("L05.6")
def test_a_name_is_trimmed_and_twenty_characters_are_enough(member):
    alice = member("  Alice  ", "red")
    bob = member("B" * 20, "red")

    assert alice.get_received("/chat") == [chat_event("joined", name="B" * 20, group="red")]
    bob.emit("say", "Hi", namespace="/chat")
    assert alice.get_received("/chat")[0]["args"][0]["name"] == "B" * 20
    alice.emit("say", "Hi", namespace="/chat")
    assert bob.get_received("/chat")[-1]["args"][0]["name"] == "Alice"


@pytest.mark.claim("L05.6")
def test_an_event_named_connect_runs_the_checks_again_and_can_add_a_room(member, socketio):
    mallory = member("Mallory", "red")
    sid = sid_of(socketio, mallory, "/chat")

    with pytest.raises(ConnectionRefusedError, match="a token is required"):
        mallory.emit("connect", "ignored", {"name": "Mallory", "group": "blue"}, namespace="/chat")
    assert sorted(socketio.server.manager.get_rooms(sid, "/chat")) == sorted([sid, "red"])

    # The second argument becomes `auth` (L02.8): with blue's token, the checks pass.
    mallory.emit("connect", "ignored", auth("Mallory", "blue"), namespace="/chat")

    assert sorted(socketio.server.manager.get_rooms(sid, "/chat")) == sorted([sid, "red", "blue"])
    assert mallory.is_connected("/chat")


# --- joined and left -------------------------------------------------------------------------


@pytest.mark.claim("L05.7")
def test_joined_reaches_the_other_members_of_the_newcomers_group_only(member):
    alice = member("Alice", "red")
    carol = member("Carol", "blue")
    assert alice.get_received("/chat") == []  # nobody else in red yet

    bob = member("Bob", "red")

    assert alice.get_received("/chat") == [chat_event("joined", name="Bob", group="red")]
    assert bob.get_received("/chat") == []  # include_self=False: not the newcomer
    assert carol.get_received("/chat") == []  # another group


@pytest.mark.claim("L05.7")
def test_left_reaches_the_other_members_of_the_group_only(member, socketio):
    alice = member("Alice", "red")
    bob = member("Bob", "red")
    carol = member("Carol", "blue")
    alice.get_received("/chat")  # Bob's "joined"
    b = sid_of(socketio, bob, "/chat")

    bob.disconnect("/chat")

    assert alice.get_received("/chat") == [chat_event("left", name="Bob", group="red")]
    assert carol.get_received("/chat") == []
    assert socketio.server.manager.get_rooms(b, "/chat") == []


@pytest.mark.claim("L05.7")
def test_in_the_disconnect_handler_the_client_is_still_in_its_rooms(make_client, socketio):
    seen = {}

    @socketio.on("connect", namespace="/probe")  # a namespace this test adds
    def probe_connect(auth):
        join_room("probe-room")

    @socketio.on("disconnect", namespace="/probe")
    def probe_disconnect(reason):
        seen[request.sid] = rooms()

    client = make_client(namespace="/probe")
    sid = sid_of(socketio, client, "/probe")

    client.disconnect("/probe")

    assert sorted(seen[sid]) == sorted([sid, "probe-room"])
    assert socketio.server.manager.get_rooms(sid, "/probe") == []  # emptied right after


# --- the group chat --------------------------------------------------------------------------


@pytest.mark.claim("L05.8")
def test_a_group_message_reaches_the_senders_group_only(member):
    alice, bob, carol = member("Alice", "red"), member("Bob", "red"), member("Carol", "blue")
    alice.get_received("/chat")  # Bob's "joined"

    assert alice.emit("say", "Hi red", namespace="/chat", callback=True) == "sent"
    carol.emit("say", "Hi blue", namespace="/chat")
    bob.emit("say", "Hi Alice", namespace="/chat")

    red = [
        chat_event("said", name="Alice", group="red", text="Hi red"),
        chat_event("said", name="Bob", group="red", text="Hi Alice"),
    ]
    assert alice.get_received("/chat") == red
    assert bob.get_received("/chat") == red
    assert carol.get_received("/chat") == [
        chat_event("said", name="Carol", group="blue", text="Hi blue")
    ]


# --- to=None, to="" --------------------------------------------------------------------------


@pytest.mark.claim("L05.9")
@pytest.mark.parametrize("to", [None, ""], ids=["None", "empty"])
def test_a_whisper_to_no_sid_comes_back_to_its_author(people, socketio, to):
    (alice, bob, carol), (a, _, _) = people[0].values(), people[1].values()

    @socketio.on("whisper_to_lookup")  # a handler this test adds: its own code passes `to`
    def whisper_to_lookup(text):
        emit("whispered", {"from": request.sid, "text": text}, to=to)  # a lookup came back empty
        return "sent"

    alice.emit("whisper_to_lookup", "For whom?")

    whispered = {"from": a, "text": "For whom?"}
    assert alice.get_received() == [{"name": "whispered", "args": [whispered], "namespace": "/"}]
    assert bob.get_received() == carol.get_received() == []


@pytest.mark.claim("L05.9")
@pytest.mark.parametrize("to", [None, ""], ids=["None", "empty"])
def test_socketio_emit_to_no_room_reaches_the_whole_namespace(people, member, socketio, to):
    dave = member("Dave", "red")  # in /chat: another namespace
    for client in people[0].values():
        client.emit("join", "lobby")  # and nobody's room is empty or None

    socketio.emit("notice", "For whom?", to=to)

    for client in people[0].values():
        assert client.get_received() == [
            {"name": "notice", "args": ["For whom?"], "namespace": "/"}
        ]
    assert dave.get_received("/chat") == []


# --- rooms and sids from a client ------------------------------------------------------------

NOT_A_ROOM = {
    "None": (None, "None"),
    "empty": ("", "0 characters"),
    "number": (42, "a number"),
    "list": (["lobby"], "a list"),
    "object": ({"room": "lobby"}, "an object"),
    "too-long": ("x" * 101, "101 characters"),
}
# event -> (its arguments with ROOM where the room or sid goes, what the error calls it)
TAKES_A_ROOM = {
    "join": (["ROOM"], "room"),
    "leave": (["ROOM"], "room"),
    "close": (["ROOM"], "room"),
    "say": (["ROOM", "hi"], "room"),
    "say_to_others": (["ROOM", "hi"], "room"),
    "whisper": (["ROOM", "hi"], "sid"),
    "rooms": (["ROOM"], "sid"),
}


def refusal_cases() -> list:
    cases = []
    for event, (args, what) in TAKES_A_ROOM.items():
        for name, (value, got) in NOT_A_ROOM.items():
            if event == "rooms" and value is None:
                continue  # rooms(None) is rooms(): the sender's own
            given = [value if arg == "ROOM" else arg for arg in args]
            error = f"a {what} must be a string of 1 to 100 characters, not {got}"
            cases.append(pytest.param(event, given, error, id=f"{event}-{name}"))
    return cases


@pytest.mark.claim("L05.10")
@pytest.mark.parametrize("event, args, error", refusal_cases())
def test_a_room_or_sid_that_is_not_a_short_string_is_refused_in_the_ack(
    people, socketio, event, args, error
):
    (alice, bob, _), (a, b, _) = people[0].values(), people[1].values()
    alice.emit("join", "lobby")
    bob.emit("join", "lobby")
    before = {sid: sorted(socketio.server.manager.get_rooms(sid, "/")) for sid in (a, b)}

    assert alice.emit(event, *args, callback=True) == {"error": error}

    assert {sid: sorted(socketio.server.manager.get_rooms(sid, "/")) for sid in (a, b)} == before
    assert alice.get_received() == bob.get_received() == []
    assert bob.emit("say", "lobby", "still here", callback=True) == "sent"  # Bob is served
    assert alice.get_received() == [said("lobby", b, "still here")]


@pytest.mark.claim("L05.10")
def test_the_room_none_is_the_namespaces_connected_clients(people, socketio):
    """What the check prevents, shown on the server object itself (code passing None)."""
    (alice, bob, _), (a, b, _) = people[0].values(), people[1].values()
    manager = socketio.server.manager
    assert dict(manager.rooms["/"][None]) == {
        sid: client.eio_sid
        for sid, client in zip(people[1].values(), people[0].values(), strict=True)
    }

    socketio.server.close_room(None, namespace="/")  # what close(None) from a client would do

    # Still connected as far as their transports go, but no longer clients of "/" to the server.
    assert alice.is_connected() and bob.is_connected()
    assert not manager.is_connected(a, "/") and not manager.is_connected(b, "/")
    assert alice.emit("rooms", callback=True) is None  # dropped: no handler runs, no answer
