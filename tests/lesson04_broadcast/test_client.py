"""Lesson 04 — broadcast, proven with Flask-SocketIO's test client."""

import pytest
from flask_socketio import emit
from socketio import packet


def sid_of(socketio, client, namespace="/"):
    """The Socket.IO sid (``request.sid``) of a test client in ``namespace``."""
    return socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)


def shouted(*texts, namespace="/"):
    return [{"name": "shouted", "args": [text], "namespace": namespace} for text in texts]


# --8<-- [start:people]
@pytest.fixture
def people(make_client):
    """Alice, Bob and Dave in "/", Carol in "/other"."""
    return {
        "alice": make_client(),
        "bob": make_client(),
        "dave": make_client(),
        "carol": make_client(namespace="/other"),
    }


# --8<-- [end:people]


@pytest.mark.claim("L04.1")
def test_broadcast_reaches_every_client_of_the_namespace_sender_included(people):
    alice, bob, dave, carol = people["alice"], people["bob"], people["dave"], people["carol"]

    assert alice.emit("shout", "Hello everyone", callback=True) == "sent"

    for client in (alice, bob, dave):
        assert client.get_received() == shouted("Hello everyone")
    assert carol.get_received("/other") == []


@pytest.mark.claim("L04.1")
def test_broadcast_in_another_namespace_stays_there(people):
    carol = people["carol"]
    also_in_other = people["bob"]
    also_in_other.connect(namespace="/other")  # Bob now joins both namespaces

    carol.emit("shout", "Anyone in /other?", namespace="/other")

    assert carol.get_received("/other") == shouted("Anyone in /other?", namespace="/other")
    assert also_in_other.get_received("/other") == shouted("Anyone in /other?", namespace="/other")
    assert also_in_other.get_received() == []  # nothing arrived in Bob's "/"
    assert people["alice"].get_received() == []


# --8<-- [start:several-clients]
@pytest.mark.claim("L04.2")
def test_include_self_false_leaves_out_exactly_the_sender(people):
    alice, bob, dave, carol = people["alice"], people["bob"], people["dave"], people["carol"]

    assert alice.emit("shout_to_others", "Not for me", callback=True) == "sent"

    assert alice.get_received() == []
    assert bob.get_received() == shouted("Not for me")
    assert dave.get_received() == shouted("Not for me")
    assert carol.get_received("/other") == []


# --8<-- [end:several-clients]


@pytest.mark.claim("L04.3")
def test_skip_sid_leaves_out_one_client_and_keeps_the_sender(people, socketio):
    alice, bob, dave = people["alice"], people["bob"], people["dave"]

    alice.emit("shout_skipping", "Not for Bob", sid_of(socketio, bob))

    assert alice.get_received() == shouted("Not for Bob")
    assert bob.get_received() == []
    assert dave.get_received() == shouted("Not for Bob")
    assert people["carol"].get_received("/other") == []


@pytest.mark.claim("L04.3")
def test_skip_sid_list_leaves_out_each_listed_client(people, socketio):
    alice, bob, dave = people["alice"], people["bob"], people["dave"]

    alice.emit("shout_skipping", "Only Dave", [sid_of(socketio, alice), sid_of(socketio, bob)])

    assert alice.get_received() == []
    assert bob.get_received() == []
    assert dave.get_received() == shouted("Only Dave")


# --8<-- [start:http-view]
@pytest.mark.claim("L04.4")
def test_http_view_broadcasts_to_every_client_of_the_default_namespace(app, people):
    http = app.test_client()

    response = http.post("/announce", data={"text": "  Lunch is ready  "})

    assert (response.status_code, response.get_json()) == (200, {"sent": "Lunch is ready"})
    announcement = [{"name": "announcement", "args": ["Lunch is ready"], "namespace": "/"}]
    for name in ("alice", "bob", "dave"):
        assert people[name].get_received() == announcement
    assert people["carol"].get_received("/other") == []  # socketio.emit() defaults to "/"


# --8<-- [end:http-view]


@pytest.mark.claim("L04.4")
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "The announcement is empty."),
        ("   ", "The announcement is empty."),
        ("x" * 201, "The announcement has 201 characters; the limit is 200."),
    ],
)
def test_http_view_refuses_empty_or_oversized_announcements(app, people, text, error):
    response = app.test_client().post("/announce", data={"text": text})

    assert (response.status_code, response.get_json()) == (400, {"error": error})
    assert people["alice"].get_received() == []


@pytest.mark.claim("L04.4")
def test_http_view_accepts_an_announcement_of_exactly_the_limit(app, people):
    response = app.test_client().post("/announce", data={"text": "x" * 200})

    assert response.status_code == 200
    assert people["bob"].get_received()[0]["args"] == ["x" * 200]


# --8<-- [start:acknowledge]
def acknowledge(socketio, client, *args):
    """Answer the server's one pending ack request to ``client``, as a real client would.

    The test client cannot acknowledge server events, so this sends the ACK packet the way the
    test client sends its own packets: through the server's Engine.IO message handler.
    """
    pending = socketio.server.manager.callbacks[sid_of(socketio, client)]
    [ack_id] = [key for key in pending if key != 0]  # key 0 holds the id counter
    ack = packet.Packet(packet.ACK, data=list(args), id=ack_id)
    socketio.server._handle_eio_message(client.eio_sid, ack.encode())


@pytest.mark.claim("L04.5")
def test_broadcast_callback_runs_once_per_acknowledging_client_as_the_sender(people, socketio):
    alice, bob, dave = people["alice"], people["bob"], people["dave"]

    assert alice.emit("poll", "Who is here?", callback=True) == "sent"  # no error

    poll = [{"name": "poll", "args": ["Who is here?"], "namespace": "/"}]
    for client in (alice, bob, dave):
        assert client.get_received() == poll
    # Every recipient got its own ack request for the same callback.
    manager = socketio.server.manager
    for client in (alice, bob, dave):
        assert len(manager.callbacks[sid_of(socketio, client)]) == 2  # the counter + one ack
    assert sid_of(socketio, people["carol"], "/other") not in manager.callbacks

    acknowledge(socketio, bob, "Bob is here")
    acknowledge(socketio, alice, "Alice is here")  # Dave never answers

    # Two runs of the callback, each replying with emit() to request.sid: always Alice's.
    assert alice.get_received() == [
        {"name": "poll_answer", "args": ["Bob is here"], "namespace": "/"},
        {"name": "poll_answer", "args": ["Alice is here"], "namespace": "/"},
    ]
    assert bob.get_received() == []
    assert dave.get_received() == []


# --8<-- [end:acknowledge]


@pytest.mark.claim("L04.6")
def test_include_self_false_is_ignored_when_skip_sid_is_given(people, socketio):
    @socketio.on("shout_to_others_skipping")  # a handler this test adds: both arguments
    def shout_to_others_skipping(text, skip):
        emit("shouted", text, broadcast=True, include_self=False, skip_sid=skip)

    alice, bob, dave = people["alice"], people["bob"], people["dave"]

    alice.emit("shout_to_others_skipping", "Not for Bob", sid_of(socketio, bob))

    assert alice.get_received() == shouted("Not for Bob")  # the sender receives anyway
    assert bob.get_received() == []
    assert dave.get_received() == shouted("Not for Bob")


@pytest.mark.claim("L04.6")
def test_include_self_false_raises_outside_a_socketio_handler(app, socketio, people):
    with (
        app.test_request_context("/announce", method="POST"),  # what an HTTP view runs in
        pytest.raises(AttributeError, match="has no attribute 'sid'"),
    ):
        socketio.emit("announcement", "Not for me", include_self=False)
    assert people["alice"].get_received() == []
