"""Lesson 07 — acknowledgements, proven with Flask-SocketIO's test client.

The test client can ask the server for an ack; it can neither acknowledge the server's events
nor wait for ``socketio.call()``. The tests without a claim show what it does instead: they back
the reasons the lesson page gives.
"""

import builtins

import pytest
from socketio import exceptions


# --8<-- [start:callback-true]
@pytest.mark.claim("L07.1")
@pytest.mark.parametrize(
    ("event", "ack"),
    [
        ("ack_none", []),  # no arguments: an empty list, not None
        ("ack_one", "Hello Alice"),  # one argument: the value itself
        ("ack_tuple", ["Alice", 5, True]),  # several arguments: a list of them
        ("ack_list", ["Alice", 5]),  # one argument that is a list: looks the same
    ],
)
def test_return_value_is_the_ack(make_client, event, ack):
    client = make_client()
    assert client.emit(event, "Alice", callback=True) == ack
    assert client.get_received() == []  # an ack is not an event


# --8<-- [end:callback-true]


@pytest.mark.claim("L07.1")
def test_no_ack_unless_the_client_asks_for_one(make_client, socketio, monkeypatch):
    client = make_client()
    sent = []  # every packet the server sends, as python-socketio encodes it
    monkeypatch.setattr(
        socketio.server, "_send_packet", lambda eio_sid, pkt: sent.append(pkt.encode())
    )

    assert client.emit("ack_one", "Alice") is None  # no callback=True: no ack id on the event
    assert sent == []  # the return value was dropped, nothing went back

    # What the test client flattens, the wire keeps apart: packet type 3 (ACK), then the id.
    for event in ("ack_none", "ack_one", "ack_tuple", "ack_list"):
        client.emit(event, "Alice", callback=True)
    assert sent == [
        "31[]",
        '32["Hello Alice"]',
        '33["Alice",5,true]',
        '34[["Alice",5]]',
    ]


@pytest.mark.claim("L07.6")
def test_an_event_without_handler_is_not_acknowledged(make_client):
    client = make_client()
    assert client.emit("nobody", "Alice", callback=True) is None  # no ack came back at all
    assert client.emit("ack_none", "Alice", callback=True) == []  # an ack with no arguments
    assert client.get_received() == []


# --8<-- [start:cannot-ack]
def test_the_test_client_cannot_acknowledge_server_events(make_client):
    """Why L07.3 has no test-client proof: the callback never runs."""
    client = make_client()
    client.emit("ask_me", "What is your name?")
    # The event arrives, but get_received() offers no ack function to call...
    assert client.get_received() == [
        {"name": "question", "args": ["What is your name?"], "namespace": "/"}
    ]
    # ...so "answered", which the callback would emit, never comes.
    assert client.get_received() == []


# --8<-- [end:cannot-ack]


# --8<-- [start:call-raises]
def test_call_raises_runtime_error_under_the_test_client(make_client):
    """Why L07.4 and L07.5 have no test-client proof."""
    client = make_client()
    with pytest.raises(RuntimeError, match=r"^Cannot use call\(\) when async_handlers is False\.$"):
        client.emit("call_me", 1)
    assert client.get_received() == []  # not even the question was sent


# --8<-- [end:call-raises]


def test_call_cannot_broadcast(socketio):
    """call() waits for one answer, so it needs ``to=``; it checks this first."""
    with pytest.raises(ValueError, match=r"^Cannot use call\(\) to broadcast\.$"):
        socketio.call("question", "Who are you?")


def test_the_call_timeout_is_not_the_builtin_timeout_error():
    """Backs L07.5: ``except TimeoutError:`` would not catch what call() raises."""
    assert not issubclass(exceptions.TimeoutError, builtins.TimeoutError)
    assert exceptions.TimeoutError.__mro__[1:] == (
        exceptions.SocketIOError,
        Exception,
        BaseException,
        object,
    )
