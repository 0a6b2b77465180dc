"""Lesson 02 — reserved events, proven with Flask-SocketIO's test client."""

import pytest

TYPES = [
    ("hi", "str"),
    ({"text": "hi"}, "dict"),
    ([1, "two"], "list"),
    (42, "int"),
    (4.5, "float"),
    (b"\x00\x01\xff", "bytes"),
]


# --8<-- [start:sid-of]
def sid_of(socketio, client, namespace="/"):
    """The server's ``request.sid`` for this test client in ``namespace``."""
    return socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)


# --8<-- [end:sid-of]


def welcome(client, namespace="/"):
    [event] = client.get_received(namespace)
    assert event["name"] == "welcome"
    return event["args"][0]


# --8<-- [start:auth-query]
@pytest.mark.claim("L02.1")
def test_connect_sees_sid_query_string_and_auth(make_client, socketio):
    alice = make_client(auth={"name": "Alice"}, query_string="room=lobby")

    assert welcome(alice) == {
        "sid": sid_of(socketio, alice),
        "namespace": "/",
        "args": {"room": "lobby"},  # the test client's URL has no EIO/transport parameters
        "auth": {"name": "Alice"},
    }


@pytest.mark.claim("L02.1")
@pytest.mark.parametrize("auth", [None, {}], ids=["no-auth", "empty-auth"])
def test_connect_gets_none_without_auth_or_with_an_empty_one(make_client, auth):
    # python-socketio passes auth on only when it is truthy: an empty {} arrives as None.
    assert welcome(make_client(auth=auth))["auth"] is None


# --8<-- [end:auth-query]


@pytest.mark.claim("L02.2")
def test_disconnect_reason_for_client_and_server_disconnect(make_client, socketio):
    bob = make_client()
    alice = make_client(auth={"name": "Alice"})
    carol = make_client(auth={"name": "Carol"})
    alice_sid, carol_sid = sid_of(socketio, alice), sid_of(socketio, carol)
    bob.get_received()

    alice.disconnect()  # the client leaves
    carol.emit("kick me")  # the server calls disconnect()

    assert not carol.is_connected()
    assert bob.get_received() == [
        {
            "name": "left",
            "args": [{"sid": alice_sid, "name": "Alice", "reason": "client disconnect"}],
            "namespace": "/",
        },
        {
            "name": "left",
            "args": [{"sid": carol_sid, "name": "Carol", "reason": "server disconnect"}],
            "namespace": "/",
        },
    ]
    assert socketio.reason.CLIENT_DISCONNECT == "client disconnect"
    assert socketio.reason.SERVER_DISCONNECT == "server disconnect"


@pytest.mark.claim("L02.3")
def test_connect_and_disconnect_run_once_per_namespace(make_client, socketio):
    watcher = make_client()
    watcher.connect(namespace="/chat")
    watcher.get_received()  # drop the welcomes
    watcher.get_received("/chat")

    alice = make_client(auth={"name": "Alice"})
    alice.connect(namespace="/chat", auth={"name": "Alice in chat"})
    in_root, in_chat = welcome(alice), welcome(alice, "/chat")
    assert (in_root["namespace"], in_root["auth"]) == ("/", {"name": "Alice"})
    assert (in_chat["namespace"], in_chat["auth"]) == ("/chat", {"name": "Alice in chat"})
    assert in_root["sid"] != in_chat["sid"]
    assert alice.get_received() == alice.get_received("/chat") == []  # once each, no more

    alice.disconnect(namespace="/chat")  # leaves /chat only
    assert watcher.get_received("/chat") == [
        {
            "name": "left",
            "args": [
                {"sid": in_chat["sid"], "name": "Alice in chat", "reason": "client disconnect"}
            ],
            "namespace": "/chat",
        }
    ]
    assert watcher.get_received() == []  # nothing ran in /
    assert alice.is_connected("/")

    alice.disconnect()
    assert [event["args"][0]["sid"] for event in watcher.get_received()] == [in_root["sid"]]


@pytest.mark.claim("L02.4")
@pytest.mark.parametrize(("value", "type_name"), TYPES, ids=[t for _, t in TYPES])
def test_message_and_json_handlers_receive_any_type(make_client, value, type_name):
    client = make_client()
    client.get_received()

    client.send(value)  # the event "message"
    client.send(value, json=True)  # the event "json"

    assert [event["args"][0] for event in client.get_received()] == [
        {"handler": "message", "type": type_name, "data": value},
        {"handler": "json", "type": type_name, "data": value},
    ]


@pytest.mark.claim("L02.4")
def test_a_dict_sent_as_message_does_not_reach_the_json_handler(make_client):
    client = make_client()
    client.get_received()

    client.emit("message", {"text": "hi"})  # what a browser's socket.send({...}) sends

    [received] = client.get_received()
    assert received["args"][0]["handler"] == "message"


# --8<-- [start:arg-shapes]
@pytest.mark.claim("L02.5")
@pytest.mark.parametrize("value", [v for v, _ in TYPES], ids=[t for _, t in TYPES])
def test_send_and_send_json_differ_only_in_the_event_name(make_client, value):
    client = make_client()
    client.get_received()

    client.emit("echo", value)

    # For "message" and "json" the test client gives args as the value itself, not a list.
    assert client.get_received() == [
        {"name": "message", "args": value, "namespace": "/"},
        {"name": "json", "args": value, "namespace": "/"},
    ]


# --8<-- [end:arg-shapes]


@pytest.mark.claim("L02.6")
def test_event_takes_the_function_name_and_on_takes_any_string(make_client, socketio):
    handlers = socketio.server.handlers["/"]
    assert {"echo", "kick me"} <= handlers.keys()
    assert "kick" not in handlers

    client = make_client()
    client.get_received()
    client.emit("kick")  # the function's name: no handler, nothing happens
    assert client.is_connected()
    assert client.get_received() == []

    client.emit("kick me")
    assert not client.is_connected()


@pytest.mark.claim("L02.8")
def test_an_event_named_disconnect_runs_the_handler_and_keeps_the_client(make_client, socketio):
    bob = make_client()
    mallory = make_client(auth={"name": "Mallory"})
    bob.get_received()  # drop the welcomes
    mallory.get_received()

    mallory.emit("disconnect", "I made this up")

    [left] = bob.get_received()
    assert left["args"][0] == {
        "sid": sid_of(socketio, mallory),
        "name": "Mallory",
        "reason": "I made this up",
    }
    assert mallory.is_connected()
    mallory.emit("echo", "still here")
    assert [event["args"] for event in mallory.get_received()] == ["still here", "still here"]


@pytest.mark.claim("L02.8")
def test_an_event_named_connect_runs_the_handler_again_with_a_forged_auth(make_client, socketio):
    mallory = make_client(auth={"name": "Mallory"})
    first = welcome(mallory)

    mallory.emit("connect", "ignored", {"name": "Eve"})  # the second argument becomes auth

    again = welcome(mallory)
    assert again["auth"] == {"name": "Eve"}
    assert again["sid"] == first["sid"] == sid_of(socketio, mallory)  # same session, still on
    assert mallory.is_connected()
