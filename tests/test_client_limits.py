"""What Flask-SocketIO's test client cannot do, shown, and what this project uses instead.

The guide's chapter "Testing Flask-SocketIO apps" includes these tests. They prove no lesson claim
(no ``claim`` marker): they back what the chapter says about the test client itself, each by
asserting the exact behaviour.

The suite's fixtures (tests/conftest.py) take their lesson from the test's folder. This file is
not in a lesson's folder, so it names its lesson itself: lesson 01 (namespaces) for
``make_client`` and ``live_server``, and lesson 08 (errors) as a second live server.
"""

import secrets

import pytest
import socketio as python_socketio
from flask import Flask, session
from flask_socketio import SocketIO
from socketio import packet

from lessons.lesson08_errors.app import TOKEN
from playground import manifest
from playground.lesson_process import LessonProcess
from tests.utils import WAIT_S

FOREIGN_ORIGIN = "http://evil.example"


# --8<-- [start:own-lesson]
@pytest.fixture(scope="module")
def lesson():
    """Not a lesson folder: every fixture of conftest.py serves lesson 01 here."""
    return manifest.find("01")


@pytest.fixture(scope="module")
def errors_server(server_mode):
    """A second live server in the same module: lesson 08, as ``nox -s lesson -- 08`` runs it."""
    server = LessonProcess(manifest.find("08"), async_mode=server_mode).start()
    yield server
    server.stop()


# --8<-- [end:own-lesson]


def greeting(text, namespace="/"):
    return {"name": "greeting", "args": [text], "namespace": namespace}


# --- get_received() ------------------------------------------------------------------------


# --8<-- [start:drain]
def test_get_received_drains_one_namespace_at_a_time(make_client):
    client = make_client()
    client.connect(namespace="/chat")
    client.emit("greet", "Alice")
    client.emit("greet", "Alice", namespace="/chat")

    assert client.get_received() == [greeting("Hello Alice, from /")]  # "/" only...
    assert client.get_received() == []  # ...and taken: a second call finds nothing new
    assert client.get_received("/chat") == [greeting("Hello Alice, from /chat", "/chat")]


# --8<-- [end:drain]


# --8<-- [start:disconnected]
@pytest.mark.parametrize("by", ["client", "server"])
def test_get_received_raises_once_disconnected_and_unread_events_stay_behind(
    make_client, socketio, by
):
    client = make_client()
    client.emit("greet", "Alice")

    if by == "client":
        client.disconnect()
    else:  # what disconnect() does in a handler, for this client's sid
        socketio.server.disconnect(socketio.server.manager.sid_from_eio_sid(client.eio_sid, "/"))

    with pytest.raises(RuntimeError, match=r"^not connected$"):
        client.get_received()
    # The event arrived, but only the client's internal queue still holds it.
    assert client.queue == [greeting("Hello Alice, from /")]


# --8<-- [end:disconnected]


# --- acknowledgements -----------------------------------------------------------------------


# --8<-- [start:one-ack]
def send_ack(socketio, client, ack_id, *args):
    """An ACK packet to ``client``, sent the way python-socketio sends every ack."""
    ack = packet.Packet(packet.ACK, data=list(args), id=ack_id)
    socketio.server._send_packet(client.eio_sid, ack)  # the test client's recorder


def test_the_test_client_keeps_one_ack_whatever_its_id(make_client, socketio):
    client = make_client()
    assert client.emit("greet", "Alice", callback=True) == []  # answered inside emit()

    # Two acks for ids this client never used: nothing checks the id, the second overwrites
    # the first in the client's single slot...
    send_ack(socketio, client, 41, "first")
    send_ack(socketio, client, 42, "second")
    assert client.acks == {"args": ["second"], "namespace": "/"}

    # ...and the next emit() returns it, although it asked for no ack at all.
    assert client.emit("greet", "Bob") == "second"
    assert client.emit("greet", "Carol") is None


# --8<-- [end:one-ack]


# --- configuration the test client refuses ----------------------------------------------------


# --8<-- [start:message-queue]
def test_the_test_client_refuses_an_app_with_a_message_queue(lesson):
    # Nothing connects to the queue: the test client refuses before anything is sent.
    app, socketio = lesson.create_app(
        ASYNC_MODE="threading", TESTING=True, MESSAGE_QUEUE="redis://127.0.0.1:6379"
    )
    with pytest.raises(RuntimeError, match=r"^Test client cannot be used with a message queue\."):
        socketio.test_client(app)


# --8<-- [end:message-queue]


# --- the Flask session ------------------------------------------------------------------------


def session_app():
    """A bare app: an HTTP view that logs a user in, and a handler that reads the session."""
    app = Flask(__name__)
    app.secret_key = secrets.token_hex(32)
    socketio = SocketIO(app, async_mode="threading")

    @app.post("/login/<name>")
    def login(name):
        session["user"] = name
        return "", 204

    @socketio.on("whoami")
    def whoami():
        return {"user": session.get("user")}

    return app, socketio


# --8<-- [start:flask-test-client]
def test_the_flask_session_reaches_handlers_only_through_flask_test_client():
    app, socketio = session_app()
    http = app.test_client()
    assert http.post("/login/alice").status_code == 204  # the session cookie is in `http`

    alone = socketio.test_client(app)
    with_cookies = socketio.test_client(app, flask_test_client=http)

    assert alone.emit("whoami", callback=True) == {"user": None}
    assert with_cookies.emit("whoami", callback=True) == {"user": "alice"}
    alone.disconnect()
    with_cookies.disconnect()


# --8<-- [end:flask-test-client]


# --- the transport --------------------------------------------------------------------------


# --8<-- [start:origin]
def test_the_origin_check_is_in_the_transport_which_the_test_client_skips(make_client, live_server):
    headers = {"Origin": FOREIGN_ORIGIN}  # a page on another site, as a browser would say

    # In-process there is no HTTP request, so nothing checks the origin: connected.
    assert make_client(headers=headers).is_connected()

    # The same app, served: refused with HTTP 400 (cors_allowed_origins=None is same-origin).
    client = python_socketio.SimpleClient()
    with pytest.raises(python_socketio.exceptions.ConnectionError, match="status code 400"):
        client.connect(live_server.url, headers=headers, transports=["polling"])


# --8<-- [end:origin]


# --- python-socketio's clients against a live server ----------------------------------------


# --8<-- [start:simple-client]
def test_simple_client_against_the_live_server(live_server):
    with python_socketio.SimpleClient() as client:
        client.connect(live_server.url, namespace="/chat", transports=["websocket"])
        assert client.transport == "websocket"  # a real connection, on a real port

        client.emit("greet", "Alice")
        assert client.receive(timeout=WAIT_S) == ["greeting", "Hello Alice, from /chat"]

        client.emit("whoami")
        assert client.receive(timeout=WAIT_S) == [
            "you_are",
            {"namespace": "/chat", "sid": client.sid},
        ]


# --8<-- [end:simple-client]


# --8<-- [start:refusal-reason]
def test_a_python_socketio_client_reads_the_reason_of_a_refusal(errors_server):
    reasons = []
    client = python_socketio.Client()
    client.on("connect_error", reasons.append, namespace="/strict")

    with pytest.raises(python_socketio.exceptions.ConnectionError, match="failed to connect"):
        client.connect(
            errors_server.url,
            namespaces=["/strict"],
            auth={"token": "wrong"},
            transports=["websocket"],
            wait_timeout=WAIT_S,
        )

    # What the test client drops (Flask-SocketIO #1963), this client hands to its handler.
    assert reasons == [{"message": "unauthorized", "data": {"field": "token"}}]
    assert not client.connected


# --8<-- [end:refusal-reason]


def test_a_python_socketio_client_with_the_token_is_let_in(errors_server):
    """The other half of the test above: the refusal was about the token, nothing else."""
    with python_socketio.SimpleClient() as client:
        client.connect(
            errors_server.url, namespace="/strict", auth={"token": TOKEN}, transports=["websocket"]
        )
        assert client.call("divide", (6, 3), timeout=WAIT_S) == 2.0
