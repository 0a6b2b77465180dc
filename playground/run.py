"""Run one lesson's server: ``python -m playground.run 01 [--async-mode M] [--port N]``.

This is what ``nox -s lesson`` runs, and what the test suite and the playground launcher start
as a subprocess, so every lesson is served the same way users serve theirs: ``socketio.run``.
"""

import sys
import warnings

# --8<-- [start:monkey-patch]
if "--monkey-patch" in sys.argv[1:]:
    # eventlet asks for this before anything else is imported; lesson 10 shows what it changes.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
# --8<-- [end:monkey-patch]

import argparse
import errno
import socket

from playground import manifest

ASYNC_MODES = ("eventlet", "threading", "gevent")
EXIT_USAGE = 2
EXIT_PORT_IN_USE = 3  # distinct, so a caller that picked the port can retry with another


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
        "--monkey-patch",
        action="store_true",
        help="call eventlet.monkey_patch() first thing (eventlet only; see lesson 10)",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every HTTP request (see lesson 09)"
    )
    args = parser.parse_args(argv)
    if args.monkey_patch and args.async_mode != "eventlet":
        parser.error("--monkey-patch is eventlet's; use it with --async-mode eventlet")
    return args


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
    if not port_is_free(args.host, args.port):
        fail(
            f"port {args.port} on {args.host} is already in use; choose another with --port",
            EXIT_PORT_IN_USE,
        )

    if args.async_mode == "eventlet":
        quiet_eventlet_warning()
    try:
        app, socketio = lesson.create_app(args.variant, ASYNC_MODE=args.async_mode)
    except LookupError as error:
        fail(str(error), EXIT_USAGE)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"Lesson {lesson.id} — {lesson.title} ({args.async_mode}): "
        f"http://{host}:{args.port}/   (Ctrl-C to stop)",
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


if __name__ == "__main__":
    main()
