"""Lesson 12 — async modes, measured.

The same handlers run unchanged under ``threading``, ``eventlet`` and ``gevent``: only what runs
them changes (OS threads or green threads, Werkzeug or eventlet's or gevent's server). The
benchmark (``nox -s bench``) drives these handlers in each mode and Node's socket.io beside them.
"""

import os
import threading

from flask import request
from flask_socketio import emit

from playground.wiring import lesson_app

MAX_COUNT = 10  # ticks a client may ask one background task for


def os_threads() -> int:
    """The server process's OS threads (Linux: /proc), else the threads Python started."""
    try:
        return len(os.listdir("/proc/self/task"))
    except FileNotFoundError:
        return threading.active_count()


# The benchmark (nox -s bench) connects 500 clients from one address: more than the wiring lets
# one client hold by default (MAX_CLIENT_CONNECTIONS, playground/wiring.py). Run alone, this
# lesson's server lets them; under the playground, one server for all, its own limit applies.
BENCHMARK_LIMITS = {"MAX_CLIENT_CONNECTIONS": 1000}


def create_app(**config):
    app, socketio = lesson_app(__name__, **{**BENCHMARK_LIMITS, **config})

    # --8<-- [start:handlers]
    # Nothing here names an async mode: these handlers run as they are in all three.
    connected = set()  # sids; set.add and set.discard are atomic, even between real threads

    @socketio.on("connect")
    def on_connect():
        connected.add(request.sid)

    @socketio.on("disconnect")
    def on_disconnect(reason):
        connected.discard(request.sid)

    @socketio.on("echo")
    def echo(data):
        return data  # the acknowledgement carries it back: one round trip

    @socketio.on("broadcast")
    def broadcast(data):
        emit("news", data, broadcast=True)  # to every client of the namespace, sender included
        return len(connected)

    # --8<-- [end:handlers]

    # --8<-- [start:server-info]
    @socketio.on("server_info")
    def server_info():
        return {
            "async_mode": socketio.async_mode,  # the mode the server was created with
            "threads": os_threads(),
            "clients": len(connected),
        }

    # --8<-- [end:server-info]

    # --8<-- [start:task]
    def count_to(sid, n):
        for i in range(1, n + 1):
            socketio.sleep(0.05)  # the mode's own sleep: time.sleep, eventlet's or gevent's
            socketio.emit("tick", i, to=sid)

    @socketio.on("count")
    def count(n=3):
        n = max(1, min(int(n), MAX_COUNT))
        task = socketio.start_background_task(count_to, request.sid, n)
        # An OS thread in threading mode; a green thread in eventlet and gevent.
        return {"task": type(task).__name__, "os_thread": isinstance(task, threading.Thread)}

    # --8<-- [end:task]

    return app, socketio
