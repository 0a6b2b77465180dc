"""The wiring every lesson shares, written once: secure defaults and the lesson's page.

A lesson's ``create_app(**config)`` starts with ``app, socketio = lesson_app(__name__, **config)``
and then contains only the feature it teaches.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import threading
import weakref
from urllib.parse import parse_qs

from engineio.socket import Socket as EngineSocket
from flask import Blueprint, Flask, render_template, request
from flask_socketio import ConnectionRefusedError, SocketIO
from markupsafe import Markup, escape
from socketio import packet as socketio_packet
from socketio.admin import InstrumentedServer
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from playground import manifest
from playground.claims import LAYERS, claims_of

# --8<-- [start:defaults]
# Defaults a lesson's config can override (create_app(ASYNC_MODE="threading", ...)).
DEFAULTS = {
    # Passed explicitly because Flask-SocketIO auto-selects eventlet whenever it is installed.
    "ASYNC_MODE": "eventlet",
    # None means same-origin only; a list of origins opens it on purpose. Never "*".
    "CORS_ALLOWED_ORIGINS": None,
    # Lesson payloads are a few kB; python-engineio's default would be 1,000,000 bytes.
    "MAX_HTTP_BUFFER_SIZE": 64 * 1024,
    # A message queue URL (redis://…) shared by several server processes; None: one process.
    "MESSAGE_QUEUE": None,
    # The console's live server view (python-socketio's admin instrumentation, read-only).
    # The runner and the playground turn it on (nox -s lesson -- NN --no-server-view: off).
    "SERVER_VIEW": False,
    # --- what a request may carry -----------------------------------------------------------
    # Host names a request may name besides localhost, 127.x.x.x and [::1] on the port the
    # server listens on: "name" (any port) or "name:port". Anything else is answered 421, so a
    # page whose name was rebound to 127.0.0.1 (DNS rebinding) reaches nothing. --allow-host adds
    # one; so would a deployment for its public name, or for nginx's host:port in front of it.
    "ALLOWED_HOSTS": (),
    # HTTP request bodies (forms, JSON): Flask answers 413 above this, before reading the body.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,  # Flask's default: 500,000 bytes per form field
    "MAX_FORM_PARTS": 32,  # Flask's default: 1,000 fields and files per form
    # Lax: the browser sends the session cookie with this site's own requests and with a link
    # followed from elsewhere, never with another site's POST or fetch. HttpOnly: no script
    # reads it. Not Secure: that would need HTTPS, and these servers speak plain HTTP.
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # --- what one client may take from a server shared with everyone else -------------------
    # Events of one client being handled at once; more are refused until some end. A client
    # that waits for each answer never has more than one: this stops floods, not fast clients.
    "MAX_EVENTS_IN_PROGRESS": 64,
    # Rooms one client may be in (in each namespace), its own sid room not counted.
    "MAX_ROOMS_PER_CLIENT": 100,
    # The server the runner starts (socketio.run) and the playground's: seconds a client socket
    # may wait on a read or a write, and connections one address may hold open at once (more
    # get 503). 60 s is above Engine.IO's ping interval + timeout (45 s): no live WebSocket or
    # long-poll is cut. 256 is above the soak's 200 clients and below eventlet's pool of 1,024.
    "SOCKET_TIMEOUT": 60.0,
    "MAX_CLIENT_CONNECTIONS": 256,
    # Flask-SocketIO's logger= and engineio_logger=: True prints every event and packet (lesson 13).
    "LOGGER": False,
    "ENGINEIO_LOGGER": False,
}
# --8<-- [end:defaults]

SERVER_VIEW_NAMESPACE = "/admin"
# The engine.io Socket methods that python-socketio's admin instrumentation wraps, and the
# function of its InstrumentedServer that each wrapper calls.
INSTRUMENTED_SOCKET_METHODS = {
    "handle_post_request": InstrumentedServer._eio_handle_post_request,
    "_websocket_handler": InstrumentedServer._eio_websocket_handler,
    "_send_ping": InstrumentedServer._eio_send_ping,
}
ENGINE_SOCKET_METHODS = {name: getattr(EngineSocket, name) for name in INSTRUMENTED_SOCKET_METHODS}

console = Blueprint(
    "playground",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/_playground/static",
)


def lesson_app(import_name: str, **config) -> tuple[Flask, SocketIO]:
    """A Flask app and its SocketIO server for the lesson package ``import_name``.

    The page at ``/`` is the lesson's ``page.html`` (beside its ``app.py``) inside the shared
    console.
    """
    lesson = manifest.by_package(import_name)
    # The page comes from the lesson's folder even when its module is a learner's copy.
    app = Flask(import_name, root_path=str(lesson.path), template_folder=".")
    # From the environment, else random per process: sessions then last as long as the process.
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    app.config.update(DEFAULTS)
    app.config.update(config)
    app.register_blueprint(console)

    socketio = SocketIO(
        app,
        async_mode=app.config["ASYNC_MODE"],
        cors_allowed_origins=app.config["CORS_ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["MAX_HTTP_BUFFER_SIZE"],
        message_queue=app.config["MESSAGE_QUEUE"],
        serializer=BoundedPacket,
        logger=app.config["LOGGER"],
        engineio_logger=app.config["ENGINEIO_LOGGER"],
    )
    ClientLimits(socketio, app.config["MAX_EVENTS_IN_PROGRESS"], app.config["MAX_ROOMS_PER_CLIENT"])
    app.wsgi_app = RefuseForeignHosts(
        RefuseOversizedPosts(app.wsgi_app, socketio.server.eio, app.config["MAX_HTTP_BUFFER_SIZE"]),
        app.config["ALLOWED_HOSTS"],
    )
    app.before_request(refuse_cross_site_writes)
    app.register_error_handler(InputRefused, lambda refused: ({"error": str(refused)}, 400))
    server_view = instrument(socketio) if app.config["SERVER_VIEW"] else None

    @app.get("/")
    def page():
        return render_template(
            "page.html",
            lesson=lesson,
            claims=claims_of(lesson),
            layers=LAYERS,
            server_view=server_view,
            nav=lesson_nav(lesson, request.script_root),
        )

    return app, socketio


# --8<-- [start:hosts]
class RefuseForeignHosts:
    """Answer 421 unless the request's ``Host`` names this server (DNS rebinding).

    A page on another site can make its name resolve to 127.0.0.1 and then load this server's
    pages and open Socket.IO connections as if it were the lesson's own page: engine.io's origin
    check compares ``Origin`` with ``Host``, and both carry the other site's name. Only the Host
    tells: accepted are localhost, 127.x.x.x and [::1] with the port the server listens on, and
    the names in ``allowed`` ("name" on any port, "name:port" on that one). Every request is
    checked before anything else runs: pages, views, polling and the WebSocket handshake.
    """

    def __init__(self, wsgi_app, allowed=()):
        self.wsgi_app = wsgi_app
        self.allowed = {name.lower() for name in allowed}

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST", "")
        port = environ.get("SERVER_PORT", "")
        if self.names_this_server(host, port):
            return self.wsgi_app(environ, start_response)
        shown = repr(host[:100]) if host else "no Host header"
        loopback = [f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"]
        names = ", ".join([*loopback, *sorted(self.allowed)])
        body = (
            f"421 Misdirected Request: {shown} is not this server's name; it answers to {names} "
            "(more with --allow-host or ALLOWED_HOSTS, docs/reference/settings.md)\n"
        ).encode()
        start_response("421 Misdirected Request", plain_text_headers(body))
        return [body]

    def names_this_server(self, host: str, port: str) -> bool:
        host = host.lower()
        name, given_port = split_host(host)
        if host in self.allowed or name in self.allowed:
            return True
        # Without a port too: a rebinding page always sends its own name, and some clients
        # (simple-websocket 1.1's) leave out a port that is not 80.
        return is_loopback(name) and given_port in ("", port)


def split_host(host: str) -> tuple[str, str]:
    """("name", "port") of a Host header: "[::1]:5000" -> ("::1", "5000"); "a" -> ("a", "")."""
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest.removeprefix(":")
    name, _, port = host.partition(":")
    return name, port


def is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# --8<-- [end:hosts]


def plain_text_headers(body: bytes) -> list[tuple[str, str]]:
    return [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
    ]


# --8<-- [start:cross-site]
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def refuse_cross_site_writes():
    """Before every request of a lesson app: refuse a state change asked by another site's page.

    A form or a fetch() on any site can POST to a loopback server, with the learner's cookies:
    SameSite=Lax keeps the session cookie off it, and this refuses the request itself. Browsers
    say where a request comes from (``Sec-Fetch-Site``, and ``Origin`` on every POST); a client
    that is not a browser (curl, Python) sends neither and is not a page anyone was tricked into.
    """
    if request.method in SAFE_METHODS:
        return None
    own = request.host_url.rstrip("/")
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site not in (None, "same-origin", "none"):
        why = f"Sec-Fetch-Site: {site}"
    elif origin is not None and origin != own:
        why = f"Origin {origin[:100]}"
    else:
        return None
    return {"error": f"cross-site {request.method} refused: {why} is not {own}"}, 403


# --8<-- [end:cross-site]


# --8<-- [start:room-name]
MAX_ROOM_NAME = 100  # characters of a room name or a sid a client may send


class InputRefused(ValueError):
    """Client input a handler will not act on. The wiring answers with the reason: the event's
    acknowledgement becomes ``{"error": reason}`` (an HTTP view answers 400 with it)."""


def room_name(value, what: str = "room") -> str:
    """``value`` if a client may name a room with it: a string of 1 to MAX_ROOM_NAME characters.

    Anything else is refused, None above all: python-socketio keeps the clients connected to a
    namespace in the room ``None``, so ``close_room(None)`` or ``leave_room(None)`` would cut
    them off while their connections stay up. And ``to=None`` or ``to=""`` is no room at all:
    ``emit()`` then answers the sender, ``socketio.emit()`` every client of the namespace.
    """
    if isinstance(value, str) and 0 < len(value) <= MAX_ROOM_NAME:
        return value
    got = f"{len(value)} characters" if isinstance(value, str) else JSON_KINDS.get(type(value))
    raise InputRefused(f"a {what} must be a string of 1 to {MAX_ROOM_NAME} characters, not {got}")


# What a client's JSON value became in Python, in the words of the error a client gets.
JSON_KINDS = {
    type(None): "None",  # null
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
    bytes: "binary data",
}


def room_names(value, what: str = "sid") -> list[str]:
    """One room name, or a list of them (at most MAX_ROOMS_PER_CLIENT), as a list."""
    values = value if isinstance(value, list) else [value]
    if len(values) > DEFAULTS["MAX_ROOMS_PER_CLIENT"]:
        raise InputRefused(f"at most {DEFAULTS['MAX_ROOMS_PER_CLIENT']} {what}s at once")
    return [room_name(item, what) for item in values]


# --8<-- [end:room-name]


# --8<-- [start:client-limits]
class ClientLimits:
    """What one client may make its server do: MAX_EVENTS_IN_PROGRESS and MAX_ROOMS_PER_CLIENT.

    Events are counted in python-socketio's own dispatch, before it starts a task for one: an
    event over the limit costs nothing more than its refusal. Without it a client that sends
    2,000 ``join`` frames at once has 2,000 handlers queued ahead of everyone else's, and each
    answers ``rooms()``, which grows with every room (measured: a bystander in another lesson
    waited seconds). A refused event is answered when the client asked for an answer (the ack
    ``{"error": ...}``), else with one ``rate_limited`` event until the client is served again.
    ``InputRefused`` raised in a handler becomes its acknowledgement here too.
    """

    SETTING = "MAX_EVENTS_IN_PROGRESS in playground/wiring.py"

    def __init__(self, socketio: SocketIO, max_events: int, max_rooms: int):
        server = self.server = socketio.server
        self.max_events, self.max_rooms = max_events, max_rooms
        self.in_progress: dict[str, int] = {}  # sid -> its events being handled now
        self.told: set[str] = set()  # sids sent `rate_limited` since their last accepted event
        self.refused = 0  # events refused so far
        self.lock = threading.Lock()  # handlers end in other threads in threading mode
        self.dispatch, self.run_handler = server._handle_event, server._handle_event_internal
        self.enter, self.flask_handle_event = server.enter_room, socketio._handle_event
        server._handle_event, server._handle_event_internal = self.handle_event, self.handled
        server.enter_room, socketio._handle_event = self.enter_room, self.answer_refusal

    def handle_event(self, eio_sid, namespace, id, data):
        namespace = namespace or "/"
        sid = self.server.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not self.server.manager.is_connected(sid, namespace):
            return self.dispatch(eio_sid, namespace, id, data)  # python-socketio drops it
        with self.lock:
            busy = self.in_progress.get(sid, 0)
            accepted = busy < self.max_events
            if accepted:
                self.in_progress[sid] = busy + 1
                self.told.discard(sid)
        if accepted:
            return self.dispatch(eio_sid, namespace, id, data)
        event = data[0] if isinstance(data, list) and data and isinstance(data[0], str) else None
        self.refuse(sid, eio_sid, namespace, id, event)
        return None

    def handled(self, server, sid, *args):
        try:
            return self.run_handler(server, sid, *args)
        finally:
            with self.lock:
                left = self.in_progress.pop(sid, 1) - 1
                if left:
                    self.in_progress[sid] = left
                else:
                    self.told.discard(sid)

    def refuse(self, sid, eio_sid, namespace, id, event) -> None:
        error = (
            f"too many events at once: at most {self.max_events} of one client's are handled "
            f"at a time ({self.SETTING})"
        )
        if id is not None:
            answer = socketio_packet.Packet(
                socketio_packet.ACK, namespace=namespace, id=id, data=[{"error": error}]
            )
            self.server._send_packet(eio_sid, answer)
        elif sid not in self.told:
            self.told.add(sid)
            notice = {"event": event, "limit": self.max_events, "setting": self.SETTING}
            self.server.emit("rate_limited", notice, to=sid, namespace=namespace)
        self.refused += 1
        if self.refused % 16 == 0:
            # A green thread runs until it waits, and reading a flood's frames never waits: let
            # everyone else's events run now and then. (At every refusal it costs 10x more.)
            self.server.sleep(0)

    def enter_room(self, sid, room, namespace=None):
        joined = self.server.manager.get_rooms(sid, namespace or "/")
        if room not in joined and len(joined) > self.max_rooms:  # its sid room is one of them
            raise InputRefused(
                f"at most {self.max_rooms} rooms per client "
                "(MAX_ROOMS_PER_CLIENT in playground/wiring.py)"
            )
        return self.enter(sid, room, namespace=namespace)

    def answer_refusal(self, handler, message, namespace, sid, *args):
        try:
            return self.flask_handle_event(handler, message, namespace, sid, *args)
        except InputRefused as refused:
            if message == "connect":
                raise ConnectionRefusedError(str(refused)) from None
            return {"error": str(refused)}


# --8<-- [end:client-limits]


def mount_under(app: Flask, prefix: str) -> None:
    """Serve ``app`` (its page, its Socket.IO path) under ``prefix``; anything else is a 404.

    The prefix becomes the requests' SCRIPT_NAME, so the page's links and the console's
    Socket.IO path (``request.script_root``) carry it; and the session cookie is kept to it.
    (The playground's own-process lessons, behind its proxy at ``/lessons/NN``.)
    """
    app.wsgi_app = DispatcherMiddleware(NotFound(), {prefix: app.wsgi_app})
    app.config["SESSION_COOKIE_PATH"] = f"{prefix}/"


def lesson_nav(lesson: manifest.Lesson, script_root: str) -> dict | None:
    """Where a lesson page links to: the playground's index, the lessons either side, the guide.

    Only when the page is one of the playground's (served at ``/lessons/NN/`` of it, mounted or
    through its proxy): a lesson run alone by ``nox -s lesson`` has no index, no other lesson
    and no guide beside it, so its page says where they are instead (None).
    """
    mount = f"/lessons/{lesson.id}"
    if not script_root.endswith(mount):
        return None
    root = script_root.removesuffix(mount)  # the playground's root: "" at the top of its URL
    previous, following = manifest.neighbours(lesson)
    return {
        "index": f"{root}/",
        "previous": previous,
        "next": following,
        "lesson_url": lambda other: f"{root}/lessons/{other.id}/",
        "guide": f"{root}/guide/{lesson.guide_url}",
    }


# --8<-- [start:server-view]
def instrument(socketio: SocketIO) -> dict:
    """Turn on the admin feed for the console's server view; return how to join it.

    Read-only, and behind a per-process token that only the lesson's own page carries.
    """
    auth = {"token": secrets.token_urlsafe(16)}
    ServerView(socketio.server, auth=auth, read_only=True, namespace=SERVER_VIEW_NAMESPACE)
    adapt_the_feed(socketio.server.manager)
    return {"namespace": SERVER_VIEW_NAMESPACE, "auth": auth}


def adapt_the_feed(manager) -> None:
    """The view's feed: to this process's viewers only, and with binary shown by its size.

    With a message queue (lesson 11), python-socketio publishes the admin feed like any emit:
    every server's viewers would get every server's sockets, and the queue's channel, which
    lesson 11 shows, would carry the feed. And python-socketio 5.18 sends an event's arguments
    in a tuple, whose bytes its packet encoder does not look for: the feed of a binary event
    raised TypeError, and the event's own handler never ran.
    """
    emit = manager.emit  # the instrumented one

    def emit_feed(event, data, namespace=None, **kwargs):
        if namespace == SERVER_VIEW_NAMESPACE:
            kwargs["ignore_queue"] = True
            data = binary_as_size(data)
        return emit(event, data, namespace, **kwargs)

    manager.emit = emit_feed


def binary_as_size(value):
    """``value`` with each bytes in it shown as ``<binary N bytes>``, as the console shows it."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<binary {len(value)} bytes>"
    if isinstance(value, (list, tuple)):
        return type(value)(binary_as_size(item) for item in value)
    if isinstance(value, dict):
        return {key: binary_as_size(item) for key, item in value.items()}
    return value


class ServerView(InstrumentedServer):
    """python-socketio 5.18's admin instrumentation, safe to show and right for every viewer.

    - A socket is shown as its sid, namespace, transport and rooms. Upstream's serialization
      also carries every request header (Cookie included), the query string and ``clientId``,
      the engine.io sid: the only credential of a polling client (a POST with it runs events
      as that client).
    - A viewer that connects is sent the sockets there already. Upstream's ``config()`` reuses
      its ``sid`` argument as a loop variable and sends ``all_sockets`` to the last socket it
      listed instead (socketio/admin.py, lines 149-171).
    - One process may hold several instrumented servers (the playground mounts every lesson in
      one). Upstream wraps three engine.io ``Socket`` methods on the class itself, for one
      server: a second wraps the first's wrapper (and recursed forever on the first polling
      POST), or, with the originals put back first, only the last server gets the traffic
      counts and the socket list re-sent with each ping of every lesson. Here each method is
      wrapped once, and each socket is reported to its own server's view.
    """

    def instrument(self):
        for name, method in ENGINE_SOCKET_METHODS.items():
            setattr(EngineSocket, name, method)  # what upstream wraps, and calls from its wrapper
        super().instrument()
        VIEWS[self.sio.eio] = self
        for name, report in INSTRUMENTED_SOCKET_METHODS.items():
            setattr(EngineSocket, name, report_to_own_view(ENGINE_SOCKET_METHODS[name], report))

    def serialize_socket(self, sid, namespace, eio_sid=None):
        shown = super().serialize_socket(sid, namespace, eio_sid)
        return {key: shown[key] for key in ("id", "nsp", "transport", "rooms")}

    def admin_connect(self, sid, environ, client_auth):
        if client_auth != self.auth:
            raise ConnectionRefusedError("authentication failed")
        self.sio.start_background_task(self.send_config, sid)

    def send_config(self, viewer: str) -> None:
        # The viewer is told once its connection is complete (upstream sleeps 0.1 s instead).
        for _ in range(500):
            if self.sio.manager.is_connected(viewer, self.admin_namespace):
                break
            self.sio.sleep(0.01)
        features = ["AGGREGATED_EVENTS", "ALL_EVENTS"]  # read-only: no EMIT, JOIN, DISCONNECT
        self.sio.emit(
            "config", {"supportedFeatures": features}, to=viewer, namespace=self.admin_namespace
        )
        sockets = [
            self.serialize_socket(sid, namespace, eio_sid)
            for namespace in list(self.sio.manager.get_namespaces())
            for sid, eio_sid in self.sio.manager.get_participants(namespace, None)
        ]
        self.sio.emit("all_sockets", sockets, to=viewer, namespace=self.admin_namespace)


VIEWS = weakref.WeakKeyDictionary()  # engine.io server -> its ServerView


def report_to_own_view(original, report):
    """A Socket method that reports to the view of the socket's own server, if it has one."""

    def method(socket, *args):
        view = VIEWS.get(socket.server)
        return original(socket, *args) if view is None else report(socket, view, *args)

    return method


# --8<-- [end:server-view]


# --8<-- [start:limits]
# Two limits python-socketio 5.18 / python-engineio 4.15 do not enforce themselves (found by
# tests/robustness; see the reliability page).
MAX_ATTACHMENTS = 16  # binary attachments per event; each is already held to the size limit


class BoundedPacket(socketio_packet.Packet):
    """python-socketio's packet, refusing more binary attachments than a lesson needs.

    Otherwise a client may announce up to 9,999,999,999 and the server holds every one it sends.
    """

    def decode(self, encoded_packet):
        count = super().decode(encoded_packet)
        if count > MAX_ATTACHMENTS:
            raise ValueError(f"more than {MAX_ATTACHMENTS} binary attachments")
        return count


class RefuseOversizedPosts:
    """A polling POST over the size limit: disconnect its session and answer 400 at once.

    python-engineio does the same, but waits until a long-poll has collected the close packet,
    which a client that hung up never does: its socket would be held for good.
    """

    def __init__(self, wsgi_app, eio, limit: int, path: str = "/socket.io"):
        self.wsgi_app, self.eio, self.limit, self.path = wsgi_app, eio, limit, path

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO", "").startswith(
            self.path
        ):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > self.limit:
                sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", [None])[0]
                session = self.eio.sockets.pop(sid, None)
                if session is not None:  # a waiting long-poll still gets the close packet
                    session.close(wait=False, reason=self.eio.reason.TRANSPORT_ERROR)
                start_response("400 BAD REQUEST", [("Content-Type", "text/plain")])
                return [b'"Bad Request"']  # python-engineio's own answer
        return self.wsgi_app(environ, start_response)


# --8<-- [end:limits]


@console.app_template_filter("inline_code")
def inline_code(text: str) -> Markup:
    """Claim texts use Markdown backticks; show them as <code> on the lesson page too."""
    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts)))
