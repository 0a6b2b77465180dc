"""Lesson 09 — authenticating a connection, proven with Flask-SocketIO's test client."""

import time
from base64 import urlsafe_b64decode, urlsafe_b64encode

import pytest
from flask import request, session
from itsdangerous import TimestampSigner
from socketio import packet

from lessons.lesson09_auth.app import TOKEN_MAX_AGE, token_serializer

NO_REASON = {"message": "Connection rejected by server"}  # what `return False` sends
INVALID = {"message": "invalid token", "data": {"via": "auth"}}
EXPIRED = {"message": "token expired", "data": {"max_age": TOKEN_MAX_AGE}}


def log_in(http, user: str) -> str:
    """``POST /login`` with the Flask test client (which keeps the cookie); returns the token."""
    response = http.post("/login", data={"user": user})
    assert response.status_code == 200
    assert (response.json["user"], response.json["max_age"]) == (user, TOKEN_MAX_AGE)
    return response.json["token"]


def refusals(socketio, monkeypatch):
    """The data of every CONNECT_ERROR packet the server sends from now on.

    The test client drops it (Flask-SocketIO #1963), so the packets are read on their way out.
    Installed after the test clients exist: each new test client replaces ``_send_packet``.
    """
    sent = []
    send = socketio.server._send_packet

    def spy(eio_sid, pkt):
        if pkt.packet_type == packet.CONNECT_ERROR:
            sent.append(pkt.data)
        return send(eio_sid, pkt)

    monkeypatch.setattr(socketio.server, "_send_packet", spy)
    return sent


def issued_ago(monkeypatch, seconds: int):
    """From now on, itsdangerous dates what it signs ``seconds`` in the past."""
    past = int(time.time()) - seconds
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: past)


# --- L09.1 auth versus query string ------------------------------------------------------------


@pytest.mark.claim("L09.1")
def test_a_token_in_auth_or_in_the_query_string_reaches_connect(app, make_client):
    token = log_in(app.test_client(), "alice")  # a cookie jar of its own: the clients get none

    in_auth = make_client(auth={"token": token})
    in_query = make_client(query_string=f"token={token}")

    assert in_auth.emit("whoami", callback=True) == {"user": "alice", "via": "auth"}
    assert in_query.emit("whoami", callback=True) == {"user": "alice", "via": "query"}


@pytest.mark.claim("L09.1")
def test_auth_is_the_connect_argument_and_the_query_is_request_args(
    app, socketio, make_client, monkeypatch
):
    token = log_in(app.test_client(), "alice")
    seen = []
    connect = socketio.server.handlers["/"]["connect"]

    def spying(sid, environ, auth=None):
        with app.request_context(environ):
            seen.append((auth, dict(request.args)))
        return connect(sid, environ, auth)

    monkeypatch.setitem(socketio.server.handlers["/"], "connect", spying)
    make_client(auth={"token": token})
    make_client(query_string=f"token={token}&theme=dark")

    assert seen == [
        ({"token": token}, {}),
        (None, {"token": token, "theme": "dark"}),
    ]


# --- L09.2 where a query-string token ends up --------------------------------------------------


@pytest.mark.claim("L09.2")
def test_a_query_string_token_is_in_the_requests_environ_and_an_auth_token_is_not(
    app, socketio, make_client
):
    """An access log formats the request's environ: the query string is in it, auth is not."""
    bob = log_in(app.test_client(), "bob")
    alice = log_in(app.test_client(), "alice")
    in_query = make_client(query_string=f"token={bob}")
    in_auth = make_client(auth={"token": alice})

    query_environ = socketio.server.environ[in_query.eio_sid]
    assert query_environ["QUERY_STRING"] == f"token={bob}"
    auth_environ = socketio.server.environ[in_auth.eio_sid]
    assert auth_environ["QUERY_STRING"] == ""
    assert not [key for key, value in auth_environ.items() if alice in str(value)]


# --- L09.3 refusing ------------------------------------------------------------------------------


@pytest.mark.claim("L09.3")
def test_missing_made_up_and_edited_tokens_are_refused_with_their_reasons(
    app, socketio, make_client, monkeypatch
):
    token = log_in(app.test_client(), "erin")
    payload, timestamp, signature = token.split(".")
    # Signed, not encrypted: anyone can read the payload (JSON in base64)...
    assert urlsafe_b64decode(payload + "==") == b'"erin"'
    # ...and write another; only the signature no longer matches.
    alice = urlsafe_b64encode(b'"alice"').rstrip(b"=").decode()
    client = make_client()  # no token, no cookie
    assert not client.is_connected()
    sent = refusals(socketio, monkeypatch)

    client.connect()  # again: this time its refusal is on record
    client.connect(auth={"token": "alice"})  # made up: not a signed token at all
    client.connect(auth={"token": f"{alice}.{timestamp}.{signature}"})  # edited to say alice
    client.connect(auth={"token": token[:-1]})  # one character short
    client.connect(auth={"token": 42})  # not even a string

    assert sent == [NO_REASON, INVALID, INVALID, INVALID, INVALID]
    assert not client.is_connected()
    # The test client cannot read the reasons itself (Flask-SocketIO #1963).
    assert (client.connected, client.queue, client.acks) == ({"/": False}, [], None)


@pytest.mark.claim("L09.3")
def test_a_refused_client_is_in_no_room_and_hears_no_broadcast(app, socketio, make_client):
    alice = make_client(auth={"token": log_in(app.test_client(), "alice")})
    refused = make_client(auth={"token": "alice"})

    assert alice.emit("say", "Hello, everyone", callback=True) == "sent"

    assert alice.get_received() == [
        {"name": "said", "args": [{"user": "alice", "text": "Hello, everyone"}], "namespace": "/"}
    ]
    assert refused.queue == []  # nothing was sent to it
    with pytest.raises(RuntimeError, match="not connected"):
        refused.emit("say", "sneaky")  # the test client refuses to send; a browser buffers
    # The server knows one client in "/": Alice, alone in her own room.
    manager = socketio.server.manager
    [alice_sid] = manager.rooms["/"][None]
    assert manager.sid_from_eio_sid(alice.eio_sid, "/") == alice_sid
    assert manager.sid_from_eio_sid(refused.eio_sid, "/") is None
    assert dict(manager.rooms["/"]) == {
        None: {alice_sid: alice.eio_sid},
        alice_sid: {alice_sid: alice.eio_sid},
    }


# --- L09.4 SECRET_KEY and expiry -----------------------------------------------------------------


@pytest.mark.claim("L09.4")
def test_a_token_from_another_process_is_invalid_unless_they_share_secret_key(lesson, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    second, second_socketio = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    assert first.secret_key != second.secret_key  # random, one per app (one per process)
    assert len(first.secret_key) == 64  # secrets.token_hex(32)

    token = log_in(first.test_client(), "alice")
    probe = second_socketio.test_client(second)
    sent = refusals(second_socketio, monkeypatch)
    probe.connect(auth={"token": token})
    assert sent == [INVALID]
    assert not probe.is_connected()

    monkeypatch.setenv("SECRET_KEY", "shared by every process of this deployment")
    first, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    second, second_socketio = lesson.create_app(ASYNC_MODE="threading", TESTING=True)
    assert first.secret_key == second.secret_key == "shared by every process of this deployment"
    client = second_socketio.test_client(second, auth={"token": log_in(first.test_client(), "bob")})
    assert client.emit("whoami", callback=True) == {"user": "bob", "via": "auth"}
    client.disconnect()
    # Whoever holds the key can mint tokens: keep SECRET_KEY as secret as a password.
    minted = token_serializer("shared by every process of this deployment").dumps("dave")
    client = second_socketio.test_client(second, auth={"token": minted})
    assert client.emit("whoami", callback=True) == {"user": "dave", "via": "auth"}
    client.disconnect()


@pytest.mark.claim("L09.4")
def test_a_token_older_than_max_age_is_refused_as_expired(app, socketio, make_client, monkeypatch):
    http = app.test_client()
    with monkeypatch.context() as then:
        issued_ago(then, TOKEN_MAX_AGE + 1)
        old = log_in(http, "alice")  # logged in just over five minutes ago
        issued_ago(then, TOKEN_MAX_AGE - 5)
        recent = log_in(http, "bob")
    probe = make_client(auth={"token": "none"})
    sent = refusals(socketio, monkeypatch)

    probe.connect(auth={"token": old})
    assert sent == [EXPIRED]
    probe.connect(auth={"token": recent})
    assert probe.emit("whoami", callback=True) == {"user": "bob", "via": "auth"}


# --- L09.5 the session of an HTTP login ---------------------------------------------------------


@pytest.mark.claim("L09.5")
def test_after_an_http_login_the_session_cookie_is_enough(app, make_client):
    http = app.test_client()
    assert not make_client(flask_test_client=http).is_connected()  # not logged in: refused

    response = http.post("/login", data={"user": "carol"})
    assert response.headers["Set-Cookie"].startswith("session=")
    assert "; HttpOnly" in response.headers["Set-Cookie"]  # no script can read it
    client = make_client(flask_test_client=http)  # the cookie goes with the handshake

    assert client.is_connected()
    assert client.emit("whoami", callback=True) == {"user": "carol", "via": "cookie"}
    assert not make_client().is_connected()  # without the cookie: refused


@pytest.mark.claim("L09.5")
def test_connect_sees_the_session_user(app, socketio, make_client, monkeypatch):
    http = app.test_client()
    log_in(http, "carol")
    seen = []
    connect = socketio.server.handlers["/"]["connect"]

    def spying(sid, environ, auth=None):
        with app.request_context(environ):
            seen.append(session.get("user"))
        return connect(sid, environ, auth)

    monkeypatch.setitem(socketio.server.handlers["/"], "connect", spying)
    make_client(flask_test_client=http)
    assert seen == ["carol"]


# --- L09.6 a copy of the session ---------------------------------------------------------------


@pytest.mark.claim("L09.6")
def test_a_change_in_a_handler_stays_in_its_connection(app, make_client):
    http = app.test_client()
    log_in(http, "carol")
    client = make_client(flask_test_client=http)

    assert client.emit("rename", "mallory", callback=True) == {"user": "mallory", "via": "cookie"}

    assert http.get("/whoami").json == {"user": "carol"}  # the cookie was not rewritten
    assert client.emit("whoami", callback=True) == {"user": "mallory", "via": "cookie"}
    again = make_client(flask_test_client=http)  # a new connection: a copy of the cookie
    assert again.emit("whoami", callback=True) == {"user": "carol", "via": "cookie"}


@pytest.mark.claim("L09.6")
def test_logging_out_over_http_does_not_reach_an_open_connection(app, make_client):
    http = app.test_client()
    log_in(http, "carol")
    client = make_client(flask_test_client=http)

    assert http.post("/logout").json == {"user": None}
    assert http.get("/whoami").json == {"user": None}

    assert client.emit("whoami", callback=True) == {"user": "carol", "via": "cookie"}
    assert not make_client(flask_test_client=http).is_connected()  # a new one is refused


# --- L09.7 manage_session=False -----------------------------------------------------------------


@pytest.mark.claim("L09.7")
def test_without_managed_sessions_nothing_written_to_the_session_lasts(
    app, socketio, make_client, monkeypatch
):
    # As SocketIO(app, manage_session=False) would; it is read on every event.
    monkeypatch.setattr(socketio, "manage_session", False)
    http = app.test_client()
    log_in(http, "carol")
    client = make_client(flask_test_client=http)
    assert client.is_connected()  # connect saw the cookie's user...

    # ...but what it wrote ("via") is gone by the next event, and so is rename's change.
    assert client.emit("whoami", callback=True) == {"user": "carol", "via": None}
    assert client.emit("rename", "mallory", callback=True) == {"user": "mallory", "via": None}
    assert client.emit("whoami", callback=True) == {"user": "carol", "via": None}
    assert http.get("/whoami").json == {"user": "carol"}

    # A token's user, stored by connect, is lost the same way.
    token_client = make_client(auth={"token": log_in(app.test_client(), "alice")})
    assert token_client.emit("whoami", callback=True) == {"user": None, "via": None}
