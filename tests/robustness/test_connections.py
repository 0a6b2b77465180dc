"""Bad requests a well-formed client can make: wrong namespace, wrong event, wrong credentials,
a handler that fails, a page on another site."""

import base64
import http.client
import os

import pytest
import socketio

from lessons.lesson05_rooms.app import DEMO_TOKENS, MAX_NAME
from lessons.lesson08_errors.app import TOKEN
from tests.robustness.checks import assert_nothing_reached
from tests.robustness.raw import ENGINEIO_PATH, RawSocket, Refused, second_client_in_a_room
from tests.utils import WAIT_S

# --- lesson 01: namespaces -------------------------------------------------------------------


def test_unknown_namespace(namespaces_server, raw_clients):
    chat = raw_clients(namespaces_server)  # the bystander, in another namespace
    chat.connect("/chat")
    bad = raw_clients(namespaces_server)
    bad.connect("/")

    with pytest.raises(Refused) as refused:
        bad.connect("/nowhere")
    assert refused.value.data == "Unable to connect"  # a string here, an object for auth refusals
    bad.emit("greet", "Mallory", namespace="/nowhere")  # into a namespace it is not in: dropped

    # Its connection to "/" is unharmed, and nothing of "/nowhere" or "/" went to /chat.
    bad.emit("greet", "Mallory")
    bad.wait_until(lambda: bad.received.events, what="the greeting in /")
    assert bad.received.events == [("/", "greeting", ["Hello Mallory, from /"])]
    second = raw_clients(namespaces_server)
    second.connect("/chat")
    second.emit("greet", "Ann", namespace="/chat")
    second.wait_until(lambda: second.received.events, what="the greeting in /chat")
    assert second.received.events == [("/chat", "greeting", ["Hello Ann, from /chat"])]
    chat.emit("whoami", namespace="/chat")
    chat.wait_until(lambda: chat.received.events, what="whoami's answer")
    you_are = {"namespace": "/chat", "sid": chat.sids["/chat"]}
    assert chat.received.events == [("/chat", "you_are", [you_are])]


# --- lesson 05: rooms ------------------------------------------------------------------------


def test_event_with_no_handler(rooms_server, raw_clients, bystander):
    bad = raw_clients(rooms_server)
    sid = bad.connect()

    bad.send('4211["no_such_event","x"]')  # asks for ack 11

    # No handler, no ack: the next request's answer comes, and never one for id 11.
    assert bad.call("rooms", id=12) == [[sid]]
    assert bad.received.acks == {} and bad.received.events == []
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)


def chat_auth(name="Mallory", group="red", token=None):
    return {"name": name, "group": group, "token": DEMO_TOKENS[group] if token is None else token}


REFUSED_AUTH = {
    "no-auth": (None, "a token is required"),
    "auth-not-an-object": ("letmein", "a token is required"),
    "empty-token": (chat_auth(token=""), "a token is required"),
    "wrong-token": (chat_auth(token="guess"), "this token does not open the group 'red'"),
    "other-groups-token": (
        chat_auth(token=DEMO_TOKENS["blue"]),
        "this token does not open the group 'red'",
    ),
    "unknown-group": (
        {"name": "Mallory", "group": "admins", "token": "x"},
        "this token does not open the group 'admins'",
    ),
    "name-too-long": (
        chat_auth(name="M" * (MAX_NAME + 1)),
        f"a name of 1 to {MAX_NAME} characters is required",
    ),
    "blank-name": (chat_auth(name="   "), f"a name of 1 to {MAX_NAME} characters is required"),
}


@pytest.fixture(scope="module")
def red(rooms_server):
    """A member of the group the bad clients try to enter, for the whole module: a member that
    left would tell the next one (`left`)."""
    member = RawSocket(rooms_server.url)
    member.name = "Rita"
    member.connect("/chat", auth=chat_auth(name=member.name))
    yield member
    member.close()


@pytest.mark.parametrize("auth, message", REFUSED_AUTH.values(), ids=REFUSED_AUTH.keys())
def test_refused_auth(auth, message, rooms_server, raw_clients, red, bystander):
    red.received.events.clear()
    bad = raw_clients(rooms_server)

    with pytest.raises(Refused) as refused:
        bad.connect("/chat", auth=auth)

    assert refused.value.data == {"message": message}
    # Refused before join_room: the group never heard of it. Red's own message comes back as
    # the only event it got.
    assert red.call("say", "anyone?", namespace="/chat") == ["sent"]
    assert red.received.events == [
        ("/chat", "said", [{"name": red.name, "group": "red", "text": "anyone?"}])
    ]
    # The refused client may still try again, correctly.
    bad.connect("/chat", auth=chat_auth(name="Mallory", group="blue"))
    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)


def websocket_handshake(server, origin: str) -> int:
    """The status of a WebSocket upgrade request to the server that carries ``origin``."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=WAIT_S)
    try:
        connection.request(
            "GET",
            ENGINEIO_PATH + "websocket",
            headers={
                "Origin": origin,
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
                "Sec-WebSocket-Version": "13",
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_foreign_origin(rooms_server, bystander):
    # What a page on another site gets when its script opens a WebSocket to the lesson: the
    # handshake itself is refused (browsers do not apply CORS to WebSockets; the server must).
    assert websocket_handshake(rooms_server, "http://evil.example") == 400
    assert websocket_handshake(rooms_server, "null") == 400  # a sandboxed page or a file
    assert websocket_handshake(rooms_server, rooms_server.url) == 101  # the lesson's own page

    second_client_in_a_room(rooms_server.url)
    assert_nothing_reached(bystander)


# --- lesson 08: errors -----------------------------------------------------------------------


def test_handler_that_raises(errors_server, raw_clients):
    strict = raw_clients(errors_server)  # the bystander, in another namespace
    strict.connect("/strict", auth={"token": TOKEN})
    bad = raw_clients(errors_server)
    bad.connect("/")
    bad.connect("/bare")
    tracebacks = errors_server.read_output().count("ZeroDivisionError")

    # In "/", on_error_default turns the exception into the acknowledgement...
    assert bad.call("divide", 1, 0) == [
        {
            "handler": "on_error_default",
            "event": "divide",
            "args": [1, 0],
            "error": "ZeroDivisionError: division by zero",
        }
    ]
    # ...in /bare it re-raises: no ack at all, a traceback in the server's output, and the same
    # connection's next call is answered as usual.
    bad.send('42/bare,7["divide",1,0]')
    assert bad.call("divide", 6, 3, namespace="/bare", id=8) == [2.0]
    assert ("/bare", 7) not in bad.received.acks
    assert errors_server.read_output().count("ZeroDivisionError") > tracebacks
    assert bad.received.events == []

    with socketio.SimpleClient() as second:
        second.connect(errors_server.url, transports=["websocket"], wait_timeout=WAIT_S)
        assert second.call("divide", (6, 3), timeout=WAIT_S) == 2.0
    assert strict.call("divide", 1, 4, namespace="/strict") == [0.25]
    assert strict.received.events == []


def test_refused_auth_with_data(errors_server, raw_clients):
    bad = raw_clients(errors_server)

    with pytest.raises(Refused) as refused:
        bad.connect("/strict", auth={"token": "guess"})
    assert refused.value.data == {"message": "unauthorized", "data": {"field": "token"}}
    with pytest.raises(Refused) as refused:
        bad.connect("/strict", auth="abc")  # its connect handler raises: on_error refuses
    assert refused.value.data == {"message": "Connection rejected by server"}

    assert bad.connect("/strict", auth={"token": TOKEN})
    assert bad.call("divide", 1, 2, namespace="/strict") == [0.5]
