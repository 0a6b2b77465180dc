"""Lesson 09 — authenticating a connection.

A client proves who it is when it connects, with a signed token in its `auth` (not in the query
string, which access logs print) or with the session cookie of an HTTP login, and the `connect`
handler refuses what it cannot trust. Socket.IO handlers then work on a copy of the Flask session
taken at connect, which never goes back into the cookie.
"""

from flask import request, session
from flask_socketio import ConnectionRefusedError, emit
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from playground.wiring import lesson_app

TOKEN_MAX_AGE = 300  # seconds a token is accepted after /login issued it
MAX_NAME = 40  # characters


# --8<-- [start:tokens]
def token_serializer(secret_key: str) -> URLSafeTimedSerializer:
    # Signed and dated with the app's SECRET_KEY: nobody without the key can make or edit one.
    # The salt keeps these tokens apart from anything else signed with the same key.
    return URLSafeTimedSerializer(secret_key, salt="lesson09-socketio-token")


# --8<-- [end:tokens]


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)
    tokens = token_serializer(app.secret_key)

    # --8<-- [start:login]
    @app.post("/login")
    def login():
        # A demo login: any name, no password. A real app checks a password here.
        user = request.form.get("user", "").strip()
        # --8<-- [start:login-check]
        if not 0 < len(user) <= MAX_NAME:
            return {"error": f"A user name of 1 to {MAX_NAME} characters, please."}, 400
        session["user"] = user  # the session cookie: this browser's HTTP requests and sockets
        # The token: for a client that does not carry this browser's cookie.
        return {"user": user, "token": tokens.dumps(user), "max_age": TOKEN_MAX_AGE}
        # --8<-- [end:login-check]

    @app.post("/logout")
    def logout():
        session.pop("user", None)
        return {"user": None}

    # --8<-- [start:whoami-http]
    @app.get("/whoami")
    def whoami_http():
        return {"user": session.get("user")}  # what the session cookie says

    # --8<-- [end:whoami-http]
    # --8<-- [end:login]

    # --8<-- [start:connect]
    @socketio.on("connect")
    def connect(auth):
        # auth: what the client passed as io(url, {auth: {...}}), inside the CONNECT packet.
        # request.args: the query string of the connection's HTTP requests, io(url, {query: {...}}).
        if isinstance(auth, dict) and "token" in auth:
            token, via = auth["token"], "auth"
        elif "token" in request.args:
            token, via = request.args["token"], "query"
        elif "user" in session:
            # No token: the session cookie of an HTTP login, as it was when the client connected.
            session["via"] = "cookie"
            return None
        else:
            return False  # no credentials at all: refused, with Socket.IO's default reason
        try:
            # str(): auth is whatever JSON the client chose to send; 42 is an invalid token too.
            user = tokens.loads(str(token), max_age=TOKEN_MAX_AGE)
        except SignatureExpired:
            raise ConnectionRefusedError("token expired", {"max_age": TOKEN_MAX_AGE}) from None
        except BadSignature:
            raise ConnectionRefusedError("invalid token", {"via": via}) from None
        # This connection's copy of the session: later handlers of this connection see it.
        session["user"], session["via"] = user, via
        return None

    # --8<-- [end:connect]

    # --8<-- [start:events]
    @socketio.on("whoami")
    def whoami():
        return {"user": session.get("user"), "via": session.get("via")}

    @socketio.on("say")
    def say(text):
        # To every connected client. A refused client is not connected: it is not among them.
        emit("said", {"user": session.get("user"), "text": text}, broadcast=True)
        return "sent"

    # --8<-- [end:events]

    # --8<-- [start:rename]
    @socketio.on("rename")
    def rename(user):
        # Changes this connection's copy of the session only: the cookie keeps the old name.
        session["user"] = str(user)[:MAX_NAME]
        return {"user": session["user"], "via": session.get("via")}

    # --8<-- [end:rename]

    return app, socketio
