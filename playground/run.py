"""Run one lesson's server: ``python -m playground.run 01 [--async-mode M] [--port N]``.

This is what ``nox -s lesson`` runs, and what the test suite and the playground launcher start
as a subprocess, so every lesson is served the same way users serve theirs: ``socketio.run``.
The launcher runs a lesson of its own process with ``--prefix /lessons/NN``, the path it
forwards to it, so that its page and its Socket.IO server are where the playground shows them.
"""

import itertools
import sys
import warnings

# --8<-- [start:monkey-patch]
if __name__ == "__main__" and "--monkey-patch" in sys.argv[1:]:
    # Before anything else is imported, argparse included; lessons 10 and 11 show why.
    # (Only when run: the noxfile imports this module to read a lesson's options.)
    options = [part for arg in sys.argv[1:] for part in arg.split("=", 1)]
    mode = next((b for a, b in itertools.pairwise(options) if a == "--async-mode"), "eventlet")
    if mode == "eventlet":
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        import eventlet

        eventlet.monkey_patch()
    elif mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    # threading: nothing to patch; each connection blocks a thread of its own.
# --8<-- [end:monkey-patch]

import argparse
import contextlib
import os
import re
import socket
import threading
from pathlib import Path

from playground import app_file, deployment, manifest
from playground.app_file import AppFileError
from playground.redis_server import RedisServer, RedisServerMissing
from playground.server_process import next_free_port, port_is_free

# In the order the maintainers advise in 2026: threading first, then gevent; eventlet, the
# lessons' default (what most tutorials use), is in bugfix-only mode upstream (lesson 12).
ASYNC_MODES = ("threading", "gevent", "eventlet")
DEFAULT_ASYNC_MODE = "eventlet"
EXIT_USAGE = 2
EXIT_PORT_IN_USE = 3  # distinct, so a caller that picked the port can retry with another
PREFIX = re.compile(r"(/[\w.-]+)+")  # /lessons/10: no trailing slash, nothing to escape


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nox -s lesson --",
        description="Start one lesson's Flask-SocketIO server; without a lesson, list them.",
    )
    # Optional, and before or after the options: `--port 5001 05` and `05 --port 5001` alike.
    parser.add_argument("lesson", nargs="?", help="lesson id (01) or slug (namespaces)")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default=DEFAULT_ASYNC_MODE)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--variant", help="another module of the lesson (see lessons.toml)")
    parser.add_argument(
        "--app-file",
        metavar="FILE",
        help="serve FILE as the lesson's module (the exercises: your copy of its app.py)",
    )
    parser.add_argument(
        "--monkey-patch",
        action="store_true",
        help="patch the standard library first thing: eventlet's or gevent's (see lesson 10)",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every HTTP request (see lesson 09)"
    )
    parser.add_argument(
        "--message-queue",
        metavar="URL",
        help="share this redis:// queue with other servers (see lesson 11)",
    )
    parser.add_argument(
        "--server-view",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the console's live view of the server's sockets and rooms (read-only; default: on)",
    )
    parser.add_argument(
        "--prefix",
        metavar="PATH",
        default="",
        help="serve the lesson under PATH, e.g. /lessons/10 (what the playground forwards to)",
    )
    add_server_options(parser)
    deployment.add_options(parser)
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return parser().parse_args(argv)


def lesson_list() -> str:
    """Every lesson (id, slug, title) and how to run one: what a missing lesson id prints."""
    usage = parser()
    width = max(len(lesson.slug) for lesson in manifest.lessons())
    rows = [
        f"  {lesson.id}  {lesson.slug:<{width}}  {lesson.title}" for lesson in manifest.lessons()
    ]
    return "\n".join(
        [
            f"Lessons: run one with `{usage.prog} 05` (or its slug: `{usage.prog} rooms`).",
            *rows,
            usage.format_usage().rstrip(),
        ]
    )


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """The options the runner and the playground share: who may call, and what one may take."""
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="answer requests for this host name too (with --host 0.0.0.0, say); repeatable",
    )
    parser.add_argument(
        "--socket-timeout",
        type=float,
        metavar="SECONDS",
        help="close a client socket that waits longer on a read or write (default: 60)",
    )
    parser.add_argument(
        "--max-client-connections",
        type=int,
        metavar="N",
        help="connections one address may hold open at once; more get 503 (default: 256)",
    )


def server_settings(args: argparse.Namespace) -> dict:
    """The lesson config keys (playground/wiring.py DEFAULTS) the server options override."""
    given = {
        "ALLOWED_HOSTS": tuple(args.allow_host),
        "SOCKET_TIMEOUT": args.socket_timeout,
        "MAX_CLIENT_CONNECTIONS": args.max_client_connections,
    }
    return {key: value for key, value in given.items() if value not in (None, ())}


# --8<-- [start:bounded-server]
class ClientConnections:
    """The connections each client address holds open; at most ``limit`` at once."""

    def __init__(self, limit: int):
        self.limit = limit
        self.open: dict[str, int] = {}
        self.lock = threading.Lock()  # threading mode handles connections in threads

    def enter(self, address: str) -> bool:
        with self.lock:
            held = self.open.get(address, 0)
            if held >= self.limit:
                return False
            self.open[address] = held + 1
            return True

    def leave(self, address: str) -> None:
        with self.lock:
            held = self.open.pop(address) - 1
            if held:
                self.open[address] = held


class BoundedConnection:
    """Mixed into the async mode's connection handler, whose ``handle()`` serves a connection.

    A timeout on the client's socket, so a request that never completes is closed instead of
    holding a green thread (eventlet's pool has 1,024) for good, and at most
    ``clients.limit`` connections from one address: one more is answered 503 and closed.
    """

    clients: ClientConnections
    timeout: float
    socket_attribute = "request"  # where the handler keeps the client's socket

    def handle(self):
        client = getattr(self, self.socket_attribute)
        address = self.client_address[0] if isinstance(self.client_address, tuple) else ""
        if not self.clients.enter(address):
            body = (
                f"503 Service Unavailable: {address} holds {self.clients.limit} connections, "
                "the most one client may (--max-client-connections, MAX_CLIENT_CONNECTIONS)\n"
            ).encode()
            head = (
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            with contextlib.suppress(OSError):
                client.sendall(head.encode() + body)
                client.shutdown(socket.SHUT_WR)
                # Read what the client sent already: closing with it unread would reset the
                # connection, and the client could lose the answer.
                client.settimeout(0)
                client.recv(65536)
            return
        try:
            client.settimeout(self.timeout)
            super().handle()
        finally:
            self.clients.leave(address)


def server_options(async_mode: str, socket_timeout: float, max_client_connections: int) -> dict:
    """Keyword arguments for the async mode's server that bound what one client can hold.

    The same for ``socketio.run`` (which passes them on) and the playground's own server.
    """
    bounds = {"clients": ClientConnections(max_client_connections), "timeout": socket_timeout}
    if async_mode == "eventlet":
        import eventlet.wsgi

        handler = type("Handler", (BoundedConnection, eventlet.wsgi.HttpProtocol), bounds)
        # eventlet sets the socket's timeout again after each request line: tell it the same.
        return {"protocol": handler, "socket_timeout": socket_timeout}
    if async_mode == "gevent":
        from gevent import pywsgi

        bounds["socket_attribute"] = "socket"
        return {"handler_class": type("Handler", (BoundedConnection, pywsgi.WSGIHandler), bounds)}
    from werkzeug.serving import WSGIRequestHandler

    return {"request_handler": type("Handler", (BoundedConnection, WSGIRequestHandler), bounds)}


# --8<-- [end:bounded-server]


def quiet_eventlet_warning() -> None:
    """eventlet's import-time deprecation warning is ten lines long; one line says the same."""
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    print("note: eventlet is in bugfix-only mode upstream; --async-mode threading works too")


def fail(message: str, code: int) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.lesson is None:
        print(lesson_list())
        return
    try:
        lesson = manifest.find(args.lesson)
    except LookupError as error:
        fail(str(error), EXIT_USAGE)
    if args.prefix and not PREFIX.fullmatch(args.prefix):
        fail(f"--prefix {args.prefix!r}: a path such as /lessons/{lesson.id}", EXIT_USAGE)
    if not port_is_free(args.host, args.port):
        fail(
            f"port {args.port} on {args.host} is already in use; choose another with --port",
            EXIT_PORT_IN_USE,
        )
    if lesson.deployed:  # lesson 13: nginx on that port, gunicorn servers and Redis behind it
        sys.exit(deployment.serve(lesson, args))

    redis = None
    if lesson.needs_redis and not args.message_queue:
        try:
            redis = RedisServer().start()  # stopped below, or with this process if it is killed
        except RedisServerMissing as error:
            fail(str(error), 1)
        args.message_queue = redis.url

    if args.async_mode == "eventlet":
        quiet_eventlet_warning()
    if args.app_file:
        try:
            app_file.install(lesson, Path(args.app_file), args.variant)
        except AppFileError as error:
            fail(f"{error.where or args.app_file}: {error}", 1)
    try:
        app, socketio = lesson.create_app(
            args.variant,
            ASYNC_MODE=args.async_mode,
            MESSAGE_QUEUE=args.message_queue,
            SERVER_VIEW=args.server_view,
            **server_settings(args),
        )
    except LookupError as error:
        fail(str(error), EXIT_USAGE)
    if args.prefix:
        from playground.wiring import mount_under  # with the lesson's app: flask is imported

        mount_under(app, args.prefix)
    limits = server_options(
        args.async_mode, app.config["SOCKET_TIMEOUT"], app.config["MAX_CLIENT_CONNECTIONS"]
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"Lesson {lesson.id} — {lesson.title} ({args.async_mode}): "
        f"http://{host}:{args.port}{args.prefix}/   (Ctrl-C to stop)",
        flush=True,
    )
    if redis:
        print(
            f"Message queue: {redis.url} (a private redis-server, stopped with this server)\n"
            f"A second server on it: nox -s lesson -- {lesson.id} "
            f"--port {next_free_port(args.host, args.port + 1)} "
            f"--message-queue {redis.url}",
            flush=True,
        )
    # allow_unsafe_werkzeug: in threading mode socketio.run refuses to start without a terminal
    # (as under nox or the test suite). These servers listen on loopback for one learner.
    try:
        socketio.run(
            app,
            host=args.host,
            port=args.port,
            log_output=args.access_log,
            allow_unsafe_werkzeug=True,
            **limits,
        )
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        if redis:
            redis.stop()
    if args.message_queue:
        # python-socketio's queue listener retries forever once Redis is gone, and a non-daemon
        # thread would keep the process alive (seen under eventlet): nothing is left to wait for.
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
