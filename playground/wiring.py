"""The wiring every lesson shares, written once: secure defaults and the lesson's page.

A lesson's ``create_app(**config)`` starts with ``app, socketio = lesson_app(__name__, **config)``
and then contains only the feature it teaches.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import parse_qs

from engineio.socket import Socket as EngineSocket
from flask import Blueprint, Flask, render_template, request
from flask_socketio import SocketIO
from markupsafe import Markup, escape
from socketio import packet as socketio_packet

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
}
# --8<-- [end:defaults]

SERVER_VIEW_NAMESPACE = "/admin"
ENGINE_SOCKET_METHODS = {
    name: getattr(EngineSocket, name)
    for name in ("handle_post_request", "_websocket_handler", "_send_ping")
}

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
    )
    app.wsgi_app = RefuseOversizedPosts(
        app.wsgi_app, socketio.server.eio, app.config["MAX_HTTP_BUFFER_SIZE"]
    )
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


def instrument(socketio: SocketIO) -> dict:
    """Turn on python-socketio's admin feed for the console's server view; return how to join it.

    Read-only, and behind a per-process token that only the lesson's own page carries.
    """
    # instrument() wraps three engine.io Socket methods on the class itself, keeping the previous
    # ones under one shared attribute: a second instrumented server in the same process (the
    # playground mounts every lesson in one) would wrap its own wrapper and recurse forever on
    # the first polling POST. Restoring the originals first avoids that; only the last server
    # then keeps the traffic counters and ping reports, which the console does not use.
    for name, method in ENGINE_SOCKET_METHODS.items():
        setattr(EngineSocket, name, method)
    auth = {"token": secrets.token_urlsafe(16)}
    socketio.server.instrument(auth=auth, read_only=True, namespace=SERVER_VIEW_NAMESPACE)
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
