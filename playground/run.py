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
if "--monkey-patch" in sys.argv[1:]:
    # Before anything else is imported, argparse included; lessons 10 and 11 show why.
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
import errno
import os
import re
import socket
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from playground import app_file, manifest
from playground.app_file import AppFileError
from playground.redis_server import RedisServer, RedisServerMissing

ASYNC_MODES = ("eventlet", "threading", "gevent")
EXIT_USAGE = 2
EXIT_PORT_IN_USE = 3  # distinct, so a caller that picked the port can retry with another
PREFIX = re.compile(r"(/[\w.-]+)+")  # /lessons/10: no trailing slash, nothing to escape


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nox -s lesson --",
        description="Start one lesson's Flask-SocketIO server.",
    )
    parser.add_argument("lesson", help="lesson id (01) or slug (namespaces)")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default="eventlet")
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
    return parser.parse_args(argv)


def mount(app, prefix: str) -> None:
    """Serve ``app`` (its page, its Socket.IO path) under ``prefix``; anything else is a 404.

    The prefix becomes the requests' SCRIPT_NAME, so the page's links and the console's
    Socket.IO path (``request.script_root``) carry it; and the session cookie is kept to it.
    """
    app.wsgi_app = DispatcherMiddleware(NotFound(), {prefix: app.wsgi_app})
    app.config["SESSION_COOKIE_PATH"] = f"{prefix}/"


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port.

    Checked before starting because eventlet binds with SO_REUSEPORT: a second server on a busy
    port would silently share it instead of failing.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def quiet_eventlet_warning() -> None:
    """eventlet's import-time deprecation warning is ten lines long; one line says the same."""
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    print("note: eventlet is in bugfix-only mode upstream; --async-mode threading works too")


def fail(message: str, code: int) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
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
        )
    except LookupError as error:
        fail(str(error), EXIT_USAGE)
    if args.prefix:
        mount(app, args.prefix)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"Lesson {lesson.id} — {lesson.title} ({args.async_mode}): "
        f"http://{host}:{args.port}{args.prefix}/   (Ctrl-C to stop)",
        flush=True,
    )
    if redis:
        print(
            f"Message queue: {redis.url} (a private redis-server, stopped with this server)\n"
            f"A second server on it: nox -s lesson -- {lesson.id} --port {args.port + 1} "
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
