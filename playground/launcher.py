"""The playground: every lesson of the manifest live at once, behind one index page.

``python -m playground`` (what ``nox -s playground`` runs) starts each lesson as its own
process, exactly as ``nox -s lesson`` would, then serves an index that links to them and prints
its one URL. Ctrl-C or SIGTERM stops everything.
"""

from __future__ import annotations

import argparse
import signal
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flask import Flask, render_template
from werkzeug.serving import make_server

from playground import manifest
from playground.process import LessonFailedToStart, LessonProcess
from playground.run import ASYNC_MODES, EXIT_PORT_IN_USE, port_is_free


@dataclass
class Entry:
    lesson: manifest.Lesson
    server: LessonProcess
    error: str | None = None

    @property
    def live(self) -> bool:
        return self.error is None


def start(entry: Entry) -> Entry:
    try:
        entry.server.start()
    except LessonFailedToStart as error:
        entry.error = str(error)
    return entry


def index_app(entries: list[Entry]) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return render_template("playground/index.html", entries=entries)

    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="nox -s playground --", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000, help="the index page's port (0: any)")
    parser.add_argument("--async-mode", choices=ASYNC_MODES, default="eventlet")
    args = parser.parse_args(argv)
    if args.port and not port_is_free(args.host, args.port):
        print(
            f"error: port {args.port} is already in use; choose another with --port",
            file=sys.stderr,
        )
        sys.exit(EXIT_PORT_IN_USE)

    # SIGTERM ends the playground like Ctrl-C does, through the same clean-up.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    entries = [
        Entry(lesson, LessonProcess(lesson, async_mode=args.async_mode, host=args.host))
        for lesson in manifest.lessons()
    ]
    try:
        with ThreadPoolExecutor() as pool:  # lessons start side by side, not one after another
            list(pool.map(start, entries))
        index = make_server(args.host, args.port, index_app(entries), threaded=True)
        live = sum(entry.live for entry in entries)
        for entry in entries:
            if not entry.live:
                print(f"lesson {entry.lesson.id} failed to start:\n{entry.error}", file=sys.stderr)
        print(
            f"Playground: http://{args.host}:{index.server_port}/   "
            f"({live} of {len(entries)} lessons live; Ctrl-C to stop)",
            flush=True,
        )
        index.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for entry in entries:
            entry.server.stop()
        print("Playground stopped.", flush=True)
