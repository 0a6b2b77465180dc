"""The playground: every lesson of the manifest live at once, behind one URL.

``python -m playground`` (what ``nox -s playground`` runs) mounts each lesson's own, unchanged
Flask app under ``/lessons/<id>/`` of one server, each with its own Socket.IO server (the
browser finds it at ``/lessons/<id>/socket.io``), and serves an index at ``/``. One process
holds them all: twelve lessons in twelve processes would need over 600 MB, one needs a tenth.
A lesson whose manifest entry says ``own_process`` (one that blocks its server on purpose, say)
runs as its own process instead, exactly as ``nox -s lesson`` runs it, linked from the index.
A lesson that fails to load is shown on the index with its error; the others still run.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import traceback
from dataclasses import dataclass

from flask import Flask, render_template
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from playground import manifest
from playground.lesson_process import LessonProcess
from playground.run import (
    ASYNC_MODES,
    EXIT_PORT_IN_USE,
    add_server_options,
    port_is_free,
    quiet_eventlet_warning,
    server_options,
    server_settings,
)
from playground.wiring import DEFAULTS, RefuseForeignHosts


@dataclass
class Entry:
    lesson: manifest.Lesson
    path: str
    error: str | None = None
    server: LessonProcess | None = None  # for a lesson in a process of its own

    @property
    def live(self) -> bool:
        return self.error is None

    @property
    def href(self) -> str:
        return f"{self.server.url}/" if self.server else f"{self.path[1:]}/"


def load(lessons, async_mode: str, **config) -> tuple[list[Entry], dict]:
    """Each lesson's app, by mount path; an entry per lesson, with the error if it failed.

    ``config`` goes to every mounted lesson's ``create_app`` (the server settings, say).
    """
    entries, apps = [], {}
    for lesson in lessons:
        entry = Entry(lesson, f"/lessons/{lesson.id}")
        try:
            if lesson.own_process:
                entry.server = LessonProcess(lesson, async_mode=async_mode).start()
            else:
                app, _ = lesson.create_app(
                    **config,
                    ASYNC_MODE=async_mode,
                    SERVER_VIEW=True,
                    # Lessons share this origin and each signs with its own key: keep each
                    # lesson's session cookie to its own path.
                    SESSION_COOKIE_PATH=f"{entry.path}/",
                )
                apps[entry.path] = app
        except Exception:  # any error in a lesson must not take the others down
            entry.error = traceback.format_exc(limit=-3)
        entries.append(entry)
    return entries, apps


def index_app(entries: list[Entry]) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return render_template("playground/index.html", entries=entries)

    return app


def serve(app, host: str, port: int, async_mode: str, ready, settings: dict) -> None:
    """Serve ``app`` with the async mode's own server; call ``ready(port)`` once listening.

    ``settings``: SOCKET_TIMEOUT and MAX_CLIENT_CONNECTIONS (playground/wiring.py DEFAULTS),
    bounding what one client can hold of the one server every lesson shares.
    """
    options = server_options(
        async_mode, settings["SOCKET_TIMEOUT"], settings["MAX_CLIENT_CONNECTIONS"]
    )
    if async_mode == "eventlet":
        import eventlet
        import eventlet.wsgi

        listener = eventlet.listen((host, port), reuse_port=False)
        ready(listener.getsockname()[1])
        eventlet.wsgi.server(listener, app, log_output=False, **options)
    elif async_mode == "gevent":
        from gevent import pywsgi

        server = pywsgi.WSGIServer((host, port), app, log=None, **options)
        server.start()
        ready(server.server_port)
        server.serve_forever()
    else:
        from werkzeug.serving import make_server

        server = make_server(host, port, app, threaded=True, **options)
        ready(server.server_port)
        server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="nox -s playground --", description="Every lesson, live.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default="eventlet")
    add_server_options(parser)
    args = parser.parse_args(argv)
    settings = {**DEFAULTS, **server_settings(args)}
    if args.port and not port_is_free(args.host, args.port):
        print(
            f"error: port {args.port} on {args.host} is already in use; choose another with --port",
            file=sys.stderr,
        )
        sys.exit(EXIT_PORT_IN_USE)

    if args.async_mode == "eventlet":
        quiet_eventlet_warning()
    entries, apps = load(manifest.lessons(), args.async_mode, **server_settings(args))
    for entry in entries:
        if not entry.live:
            print(f"lesson {entry.lesson.id} failed to load:\n{entry.error}", file=sys.stderr)

    def ready(port: int) -> None:
        live = sum(entry.live for entry in entries)
        print(
            f"Playground: http://{args.host}:{port}/   "
            f"({live} of {len(entries)} lessons live, {args.async_mode}; Ctrl-C to stop)",
            flush=True,
        )

    # SIGTERM stops the playground the way Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # The Host check around everything: the index and any path under no lesson too.
    app = RefuseForeignHosts(DispatcherMiddleware(index_app(entries), apps), args.allow_host)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            serve(app, args.host, args.port, args.async_mode, ready, settings)
    finally:
        for entry in entries:
            if entry.server:
                entry.server.stop()
    print("Playground stopped.", flush=True)
