"""Lesson 01 — namespaces, proven with Flask-SocketIO's test client."""

import pytest


# --8<-- [start:namespaces]
@pytest.mark.claim("L01.1")
def test_same_event_is_handled_by_its_namespace_only(make_client):
    client = make_client()  # joins "/"
    client.connect(namespace="/chat")  # and "/chat", on the same client
    other = make_client(namespace="/chat")

    client.emit("greet", "Alice")  # in "/"
    assert client.get_received() == [
        {"name": "greeting", "args": ["Hello Alice, from /"], "namespace": "/"}
    ]
    assert client.get_received("/chat") == []

    client.emit("greet", "Alice", namespace="/chat")
    assert client.get_received("/chat") == [
        {"name": "greeting", "args": ["Hello Alice, from /chat"], "namespace": "/chat"}
    ]
    assert client.get_received() == []
    assert other.get_received("/chat") == []  # a reply goes to the sender only


# --8<-- [end:namespaces]


# --8<-- [start:claim-marker]
@pytest.mark.claim("L01.2")
def test_namespaces_share_one_connection_with_a_sid_each(make_client, socketio):
    # --8<-- [end:claim-marker]
    client = make_client()
    client.connect(namespace="/chat")

    client.emit("whoami")
    client.emit("whoami", namespace="/chat")
    [in_root] = client.get_received()
    [in_chat] = client.get_received("/chat")

    assert in_root["args"][0]["namespace"] == "/"
    assert in_chat["args"][0]["namespace"] == "/chat"
    root_sid, chat_sid = in_root["args"][0]["sid"], in_chat["args"][0]["sid"]
    assert root_sid != chat_sid
    # Both sids belong to the same Engine.IO connection: the namespaces are multiplexed on it.
    manager = socketio.server.manager
    assert manager.eio_sid_from_sid(root_sid, "/") == client.eio_sid
    assert manager.eio_sid_from_sid(chat_sid, "/chat") == client.eio_sid


@pytest.mark.claim("L01.3")
def test_namespace_without_handlers_is_refused(make_client):
    client = make_client()
    assert client.is_connected("/")

    client.connect(namespace="/nowhere")

    assert not client.is_connected("/nowhere")
    with pytest.raises(RuntimeError, match="not connected"):
        client.emit("greet", "Alice", namespace="/nowhere")
    client.emit("greet", "Alice")  # the connection's other namespace still works
    assert client.get_received()[0]["args"] == ["Hello Alice, from /"]


@pytest.mark.claim("L01.3")
def test_refused_namespace_alone_leaves_the_client_unconnected(make_client):
    client = make_client(namespace="/nowhere")
    assert not client.is_connected("/nowhere")


@pytest.mark.claim("L01.4")
@pytest.mark.parametrize(
    ("event", "reply"),
    [("shout", "HELLO CHAT"), ("whisper", "hello chat"), ("backwards", "tahC olleH")],
)
def test_three_ways_of_registering_a_handler_are_equivalent(make_client, socketio, event, reply):
    client = make_client(namespace="/chat")
    client.emit(event, "Hello Chat", namespace="/chat")
    assert client.get_received("/chat") == [{"name": "echo", "args": [reply], "namespace": "/chat"}]
    # All three end up in the same place: the server's handler table for "/chat" only.
    assert event in socketio.server.handlers["/chat"]
    assert event not in socketio.server.handlers.get("/", {})
