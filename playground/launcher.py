"""The playground: every lesson of the manifest live at once, behind one URL.

``python -m playground`` (what ``nox -s playground`` runs) mounts each lesson's own, unchanged
Flask app under ``/lessons/<id>/`` of one server, each with its own Socket.IO server (the
browser finds it at ``/lessons/<id>/socket.io``), and serves an index at ``/``. One process
holds them all: twelve lessons in twelve processes would need over 600 MB, one needs a tenth.
A lesson whose manifest entry says ``own_process`` (one that blocks its server on purpose, say)
runs as its own process instead, exactly as ``nox -s lesson`` runs it, and is served at its
``/lessons/<id>/`` all the same, through a proxy (playground/own_process.py). A lesson that
fails to load, or whose process stops, is shown so on the index and at its URL, with why; the
others still run.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from playground import guide, manifest
from playground.own_process import FAILED, LIVE, STARTING, OwnProcessLesson
from playground.run import (
    ASYNC_MODES,
    EXIT_PORT_IN_USE,
    add_server_options,
    quiet_eventlet_warning,
    server_options,
    server_settings,
)
from playground.server_process import free_port, port_is_free
from playground.wiring import DEFAULTS, RefuseForeignHosts


@dataclass
class Entry:
    lesson: manifest.Lesson
    path: str
    error: str | None = None  # why a mounted lesson failed to load
    own: OwnProcessLesson | None = None  # for a lesson in a process of its own

    @property
    def status(self) -> str:
        """live, failed; for a lesson in its own process also starting or stopped."""
        if self.own is not None:
            return self.own.status
        return FAILED if self.error is not None else LIVE

    @property
    def live(self) -> bool:
        return self.status == LIVE

    @property
    def output(self) -> str:
        """Why it is not live: the error, or its process's last output."""
        return self.own.output if self.own is not None else self.error or ""

    @property
    def href(self) -> str:
        return f"{self.path[1:]}/"  # relative: from the index


def load(lessons, async_mode: str, hosts=(), **config) -> tuple[list[Entry], dict]:
    """An entry per lesson, and the app of each mounted one by its path.

    The lessons of their own process are started first, each from a thread of its own: they
    boot while the others are imported. An error in a lesson does not take the others down.
    ``hosts``: the names the playground answers to, which its own-process lessons must accept
    too (the proxy passes the browser's Host on). ``config`` goes to every lesson's create_app.
    """
    entries = [Entry(lesson, f"/lessons/{lesson.id}") for lesson in lessons]
    for entry in entries:
        if entry.lesson.own_process:
            entry.own = OwnProcessLesson(entry.lesson, entry.path, async_mode, hosts).start()
    apps = {}
    for entry in entries:
        if entry.own is not None:
            continue
        try:
            app, _ = entry.lesson.create_app(
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
    return entries, apps


def same_origin() -> bool:
    """Whether this request comes from a page of this server (the browser says so)."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == request.host_url.rstrip("/")
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


def index_app(entries: list[Entry], guide_site: Path = guide.SITE) -> Flask:
    """The index at /, the guide at /guide/, and at a lesson's URL while it does not answer, why."""
    app = Flask(__name__)
    app.config["GUIDE_SITE"] = guide_site
    app.register_blueprint(guide.guide)
    by_id = {entry.lesson.id: entry for entry in entries}

    @app.get("/")
    def index():
        return render_template("playground/index.html", entries=entries)

    @app.route("/lessons/<lesson_id>/", defaults={"rest": ""}, methods=["GET", "POST"])
    @app.route("/lessons/<lesson_id>/<path:rest>", methods=["GET", "POST"])
    def not_answering(lesson_id: str, rest: str):
        """A lesson that failed to load, or whose process is starting or stopped."""
        entry = by_id.get(lesson_id)
        if entry is None:
            abort(404)
        page = render_template("playground/not-answering.html", entry=entry)
        headers = {"Retry-After": "1"} if entry.status == STARTING else {}
        return page, 503, headers

    @app.post("/_playground/restart/<lesson_id>")
    def restart(lesson_id: str):
        """Start a stopped lesson's process again: a form of its page, on this origin only."""
        entry = by_id.get(lesson_id)
        if entry is None or entry.own is None:
            abort(404)
        if not same_origin():
            abort(403, "restart is refused from another origin")
        if not entry.own.restart() and entry.status not in (STARTING, LIVE):
            abort(409, f"lesson {lesson_id} is {entry.status}")
        return redirect(f"{request.script_root}/{entry.href}", code=303)

    return app


def playground_app(entries: list[Entry], apps: dict):
    """The index at /, each lesson at its path: mounted, or forwarded to its own process."""
    index = index_app(entries)
    mounts = dict(apps)
    for entry in entries:
        if entry.own is not None:
            mounts[entry.path] = entry.own.wsgi_app(unavailable=index)
    return DispatcherMiddleware(index, mounts)


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


def own_names(host: str, port: int, allowed: list[str]) -> list[str]:
    """The Host names the playground answers to: its loopback names on its port, and ``allowed``."""
    names = [f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")]
    return [
        *names,
        *([f"{host}:{port}"] if host not in ("127.0.0.1", "localhost") else []),
        *allowed,
    ]


def lesson_list(text: str) -> list[manifest.Lesson]:
    """``01,10`` -> those lessons, in that order."""
    try:
        return [manifest.find(key) for key in text.split(",")]
    except LookupError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="nox -s playground --", description="Every lesson, live.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default="eventlet")
    parser.add_argument(
        "--lessons",
        metavar="IDS",
        type=lesson_list,
        default=None,
        help="only these lessons, e.g. 01,10 (default: all)",
    )
    add_server_options(parser)
    args = parser.parse_args(argv)
    settings = {**DEFAULTS, **server_settings(args)}
    if args.port and not port_is_free(args.host, args.port):
        print(
            f"error: port {args.port} on {args.host} is already in use; choose another with --port",
            file=sys.stderr,
        )
        sys.exit(EXIT_PORT_IN_USE)
    # The port is known before the own-process lessons start: they must accept its Host.
    port = args.port or free_port(args.host)

    if args.async_mode == "eventlet":
        quiet_eventlet_warning()
    hosts = own_names(args.host, port, args.allow_host)
    entries, apps = load(
        args.lessons or manifest.lessons(), args.async_mode, hosts, **server_settings(args)
    )
    for entry in entries:
        if entry.own is not None and entry.own.wait_started() == FAILED:
            print(f"lesson {entry.lesson.id} did not start:\n{entry.output}", file=sys.stderr)
        elif entry.error is not None:
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
    # The Host check around everything: the index, the guide, and any path under no lesson too.
    app = RefuseForeignHosts(playground_app(entries, apps), args.allow_host)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            serve(app, args.host, port, args.async_mode, ready, settings)
    finally:
        for entry in entries:
            if entry.own is not None:
                entry.own.stop()
    print("Playground stopped.", flush=True)
