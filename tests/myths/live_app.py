"""A tiny Flask-SocketIO app that the myths' live tests start as a process of their own.

``python -m tests.myths.live_app --async-mode eventlet --port N`` serves it with
``socketio.run``; ``flask --app "tests.myths.live_app:flask_app()" run`` with Flask's own
development server (Werkzeug, threading mode), without Flask-SocketIO's runner.
``LiveApp`` starts either, the way the suite starts a lesson (``playground.lesson_process``).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from types import SimpleNamespace

from flask import Flask, request
from flask_socketio import SocketIO, emit

from playground.lesson_process import LessonProcess
from playground.wiring import RefuseForeignHosts, console

MODULE = "tests.myths.live_app"

# The socket.io browser client, served by the playground's blueprint (nothing from a CDN).
PAGE = (
    "<!doctype html><title>myths</title>"
    '<script src="/_playground/static/vendor/socket.io-client/socket.io.min.js"></script>'
)


def create_app(async_mode: str = "threading", **options) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    app.register_blueprint(console)
    socketio = SocketIO(app, async_mode=async_mode, **options)
    app.wsgi_app = RefuseForeignHosts(app.wsgi_app)  # as every server here: Host names it

    @app.get("/")
    def page():
        return PAGE

    # --8<-- [start:handlers]
    @socketio.on("echo")
    def echo(data):
        return data

    @socketio.on("work")
    def work(steps, pause, sleeper):
        """Report progress ``steps`` times, pausing with ``time.sleep`` or ``socketio.sleep``."""
        sleep = time.sleep if sleeper == "time.sleep" else socketio.sleep
        for step in range(1, steps + 1):
            emit("progress", step)
            sleep(pause)
        return "done"

    @socketio.on("poll")
    def poll(question):
        def answered(*answer):  # once per client that acknowledges, in the sender's context
            emit("answered", list(answer))

        emit("poll", question, broadcast=True, callback=answered)

    @socketio.on("disconnect")
    def gone(reason):
        socketio.emit("gone", {"sid": request.sid, "reason": reason})  # to everyone still here

    # --8<-- [end:handlers]
    return app, socketio


def flask_app(async_mode: str = "threading"):
    """The Flask app alone, for ``flask --app ... run``."""
    return create_app(async_mode)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--async-mode", default="threading")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--ping-interval", type=float, default=25)
    parser.add_argument("--ping-timeout", type=float, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    app, socketio = create_app(
        args.async_mode, ping_interval=args.ping_interval, ping_timeout=args.ping_timeout
    )
    print(f"listening on http://{args.host}:{args.port}/ ({args.async_mode})", flush=True)
    # A test subprocess has no terminal: threading mode's socketio.run needs this to start.
    socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True)


class LiveApp(LessonProcess):
    """This app as a server process on a free loopback port: ``with LiveApp(...) as server:``.

    ``server="socketio.run"`` runs ``python -m tests.myths.live_app``; ``server="flask run"``
    runs Flask's CLI (threading mode only). ``options`` become command-line options.
    """

    def __init__(self, server: str = "socketio.run", async_mode: str = "eventlet", **options):
        if server == "flask run" and async_mode != "threading":
            raise ValueError("flask run serves the threading mode only")
        super().__init__(SimpleNamespace(id=MODULE, deployed=False), async_mode=async_mode)
        self.server = server
        self.options = options

    def command(self) -> list[str]:
        where = ["--host", self.host, "--port", str(self.port)]
        if self.server == "flask run":
            return [sys.executable, "-m", "flask", "--app", f"{MODULE}:flask_app()", "run", *where]
        options = [f"--{key.replace('_', '-')}={value}" for key, value in self.options.items()]
        return [sys.executable, "-m", MODULE, "--async-mode", self.async_mode, *where, *options]


if __name__ == "__main__":
    main()
