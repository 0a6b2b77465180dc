"""Lesson 08 — errors, proven with Flask-SocketIO's test client."""

import pytest
from flask import request
from socketio import packet

from lessons.lesson08_errors.app import TOKEN

AUTH = {"token": TOKEN}
ZERO = "ZeroDivisionError: division by zero"


def report(handler, *args, error=ZERO):
    """What the lesson's error handlers return for a failed ``divide(*args)``."""
    return {"handler": handler, "event": "divide", "args": list(args), "error": error}


# --8<-- [start:spy-packets]
def spy_packets(socketio, monkeypatch):
    """Every packet the server sends from now on, as (type, namespace, data, ack id).

    Installed after the test clients exist: each new test client replaces the server's
    ``_send_packet`` with its own.
    """
    sent = []
    send = socketio.server._send_packet

    def spy(eio_sid, pkt):
        sent.append((pkt.packet_type, pkt.namespace or "/", pkt.data, pkt.id))
        return send(eio_sid, pkt)

    monkeypatch.setattr(socketio.server, "_send_packet", spy)
    return sent


# --8<-- [end:spy-packets]


def spy_error_handlers(socketio, monkeypatch):
    """Records (handler, namespace, request.event) each time an error handler is called."""
    calls = []

    def spying(name, handler):
        def wrapper(e):
            calls.append((name, request.namespace, dict(request.event)))
            return handler(e)

        return wrapper

    strict = socketio.exception_handlers["/strict"]
    monkeypatch.setitem(socketio.exception_handlers, "/strict", spying("strict", strict))
    default = socketio.default_exception_handler
    monkeypatch.setattr(socketio, "default_exception_handler", spying("default", default))
    return calls


@pytest.mark.claim("L08.1")
def test_the_namespace_handler_runs_else_the_default_one(make_client):
    client = make_client()  # "/"
    client.connect(namespace="/strict", auth=AUTH)

    assert client.emit("divide", 1, 0, callback=True) == report("on_error_default", 1, 0)
    assert client.emit("divide", 1, 0, callback=True, namespace="/strict") == report(
        "on_error('/strict')", 1, 0
    )


@pytest.mark.claim("L08.1")
def test_request_event_is_the_failed_event_with_its_arguments(make_client, socketio, monkeypatch):
    client = make_client()
    client.connect(namespace="/strict", auth=AUTH)
    calls = spy_error_handlers(socketio, monkeypatch)

    client.emit("divide", 1, 0)
    ack = client.emit("divide", "1", 2, callback=True, namespace="/strict")

    assert calls == [
        ("default", "/", {"message": "divide", "args": (1, 0)}),  # a tuple, as received
        ("strict", "/strict", {"message": "divide", "args": ("1", 2)}),
    ]
    type_error = "TypeError: unsupported operand type(s) for /: 'str' and 'int'"
    assert ack == report("on_error('/strict')", "1", 2, error=type_error)


@pytest.mark.claim("L08.2")
def test_the_return_value_is_the_ack_and_no_ack_means_no_word(make_client, socketio, monkeypatch):
    client, other = make_client(), make_client()
    sent = spy_packets(socketio, monkeypatch)

    assert client.emit("divide", 1, 0) is None  # no ack asked for...
    assert sent == []  # ...and the server sent nothing at all: no event, no ack
    assert client.get_received() == []

    assert client.emit("divide", 1, 0, callback=True) == report("on_error_default", 1, 0)
    [(kind, namespace, data, ack_id)] = sent
    assert (kind, namespace, data, ack_id) == (
        packet.ACK,
        "/",
        [report("on_error_default", 1, 0)],  # the error handler's return value, as the ack
        1,  # the ack id of this emit: the client's first one that asked for an ack
    )

    # Still connected, and answered: this client and another one.
    assert client.is_connected()
    assert client.emit("divide", 6, 3, callback=True) == 2.0
    assert other.emit("divide", 1, 4, callback=True) == 0.25


@pytest.mark.claim("L08.3")
def test_an_error_reaches_only_its_own_namespaces_handler(make_client, socketio, monkeypatch):
    client = make_client()  # one connection, two namespaces
    client.connect(namespace="/strict", auth=AUTH)
    calls = spy_error_handlers(socketio, monkeypatch)

    assert client.emit("divide", 1, 0, callback=True, namespace="/strict")["handler"] == (
        "on_error('/strict')"
    )
    assert [(name, namespace) for name, namespace, _ in calls] == [("strict", "/strict")]
    assert client.get_received() == []  # nothing in "/"

    assert client.emit("divide", 1, 0, callback=True)["handler"] == "on_error_default"
    assert [(name, namespace) for name, namespace, _ in calls] == [
        ("strict", "/strict"),
        ("default", "/"),
    ]
    assert client.get_received("/strict") == []  # nothing in "/strict"

    # Both namespaces of the connection carry on.
    assert client.emit("divide", 6, 3, callback=True) == 2.0
    assert client.emit("divide", 6, 3, callback=True, namespace="/strict") == 2.0


@pytest.mark.claim("L08.4")
def test_default_handler_takes_bare_too_and_its_re_raise_leaves_emit(
    make_client, socketio, monkeypatch
):
    client = make_client(namespace="/bare")
    calls = spy_error_handlers(socketio, monkeypatch)
    sent = spy_packets(socketio, monkeypatch)

    # Real servers run handlers in a background task; the test client runs them inside emit(),
    # so an exception that no error handler takes comes out of emit() itself.
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        client.emit("divide", 1, 0, callback=True, namespace="/bare")

    assert calls == [("default", "/bare", {"message": "divide", "args": (1, 0)})]
    assert sent == []  # the client was told nothing: no ack, no event, no disconnect
    assert client.is_connected("/bare")
    sid = socketio.server.manager.sid_from_eio_sid(client.eio_sid, "/bare")
    assert socketio.server.manager.is_connected(sid, "/bare")  # the server agrees
    assert client.emit("divide", 6, 3, callback=True, namespace="/bare") == 2.0


# --8<-- [start:raises-from-emit]
@pytest.mark.claim("L08.4")
def test_with_no_error_handler_at_all_it_is_the_same(make_client, socketio, monkeypatch):
    """Re-raising in the error handler behaves exactly as having no error handler."""
    monkeypatch.setattr(socketio, "default_exception_handler", None)
    client = make_client()  # "/" now has no error handler
    sent = spy_packets(socketio, monkeypatch)

    with pytest.raises(ZeroDivisionError, match="division by zero"):
        client.emit("divide", 1, 0, callback=True)

    assert sent == []
    assert client.is_connected()
    assert client.emit("divide", 6, 3, callback=True) == 2.0


# --8<-- [end:raises-from-emit]


# --8<-- [start:refusal-packets]
@pytest.mark.claim("L08.5")
def test_return_false_and_connection_refused_error_send_their_reasons(
    make_client, socketio, monkeypatch
):
    client = make_client()
    calls = spy_error_handlers(socketio, monkeypatch)
    sent = spy_packets(socketio, monkeypatch)

    client.connect(namespace="/strict")  # no auth: the handler returns False
    client.connect(namespace="/strict", auth={"token": "wrong"})  # raises

    # What the server sent: a CONNECT_ERROR packet each, with the reason and any data.
    assert sent == [
        (packet.CONNECT_ERROR, "/strict", {"message": "Connection rejected by server"}, None),
        (
            packet.CONNECT_ERROR,
            "/strict",
            {"message": "unauthorized", "data": {"field": "token"}},
            None,
        ),
    ]
    assert calls == []  # a refusal is not an error: no error handler runs

    client.connect(namespace="/strict", auth=AUTH)
    assert client.is_connected("/strict")


# --8<-- [end:refusal-packets]


# --8<-- [start:refusal-unreadable]
@pytest.mark.claim("L08.5")
@pytest.mark.parametrize("auth", [None, {"token": "wrong"}])
def test_the_test_client_sees_a_refusal_but_not_its_reason(make_client, auth):
    client = make_client(namespace="/strict", auth=auth)

    assert not client.is_connected("/strict")
    with pytest.raises(RuntimeError, match="not connected"):
        client.get_received("/strict")
    # It keeps no trace of the reason (Flask-SocketIO #1963): its whole state is this.
    assert (client.connected, client.queue, client.acks) == ({"/strict": False}, [], None)


# --8<-- [end:refusal-unreadable]


@pytest.mark.claim("L08.6")
def test_an_exception_in_connect_goes_to_the_error_handler_which_refuses(
    make_client, socketio, monkeypatch
):
    client = make_client()
    calls = spy_error_handlers(socketio, monkeypatch)
    sent = spy_packets(socketio, monkeypatch)

    client.connect(namespace="/strict", auth="abc")  # "abc".get(...) raises AttributeError

    [(name, namespace, event)] = calls
    assert (name, namespace, event["message"]) == ("strict", "/strict", "connect")
    environ, auth = event["args"]  # for connect: the WSGI environ, then the auth
    assert (environ["PATH_INFO"], auth) == ("/socket.io", "abc")
    assert sent == [
        (packet.CONNECT_ERROR, "/strict", {"message": "Connection rejected by server"}, None)
    ]
    assert not client.is_connected("/strict")


@pytest.mark.claim("L08.6")
@pytest.mark.parametrize(
    "error_handler",
    [lambda e: {"error": str(e)}, lambda e: None],
    ids=["returns-a-report", "returns-none"],
)
def test_an_error_handler_that_does_not_return_false_lets_a_failed_connect_in(
    make_client, socketio, monkeypatch, error_handler
):
    monkeypatch.setitem(socketio.exception_handlers, "/strict", error_handler)
    client = make_client(namespace="/strict", auth="abc")

    assert client.is_connected("/strict")  # in, without a token
    assert client.emit("divide", 6, 3, callback=True, namespace="/strict") == 2.0
