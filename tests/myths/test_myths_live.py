"""Myths about Flask-SocketIO that only a real server can decide.

The app is tests/myths/live_app.py, started as a process of its own (conftest.py): with
``socketio.run`` under eventlet, or with Flask's own ``flask run`` (Werkzeug, threading mode).
The clients are python-socketio's and websocket-client's, in the test process.
"""

import json
import queue
import time
import urllib.request
from contextlib import contextmanager

import pytest
import socketio
import websocket

from tests.utils import WAIT_S


@contextmanager
def connected(url, transport="websocket", **handlers):
    """A python-socketio client with ``handlers`` (event -> function), connected to ``url``.

    Over polling for a threading server: there, a websocket client's disconnect takes ~3 s.
    """
    client = socketio.Client()
    for name, handler in handlers.items():
        client.on(name, handler)
    client.connect(url, transports=[transport], wait_timeout=WAIT_S)
    try:
        yield client
    finally:
        client.disconnect()


def progress_lead(url, sleeper, transport="websocket", steps=3, pause=0.2):
    """How early the first ``progress`` of ``work`` arrives, before ``work``'s acknowledgement.

    The handler emits ``progress`` ``steps`` times with a ``pause`` after each, waiting with
    ``sleeper`` ("time.sleep" or "socketio.sleep"), then returns. Streamed, the first event
    arrives ``steps * pause`` before the acknowledgement; held back, together with it. The lead
    is a fraction of ``steps * pause``: about 1 when streamed, about 0 when held back.
    """
    arrivals = []
    with connected(url, transport, progress=lambda step: arrivals.append(time.monotonic())) as c:
        assert c.call("work", (steps, pause, sleeper), timeout=WAIT_S) == "done"
        acknowledged = time.monotonic()
    assert len(arrivals) == steps
    return (acknowledged - arrivals[0]) / (steps * pause)


@pytest.mark.claim("M20")
def test_under_eventlet_a_blocking_handler_holds_its_messages_even_with_socketio_run(
    eventlet_server,
):
    lead = progress_lead(eventlet_server.url, "time.sleep")  # 1: streamed; 0: all at the end
    # time.sleep blocks eventlet's only thread: nothing leaves until the handler returns.
    assert lead < 0.5


@pytest.mark.claim("M20")
def test_under_eventlet_socketio_sleep_lets_each_message_go_at_once(eventlet_server):
    lead = progress_lead(eventlet_server.url, "socketio.sleep")  # 1: streamed; 0: all at the end
    assert lead > 0.5


@pytest.mark.claim("M20")
def test_under_flask_run_in_threading_mode_the_same_blocking_handler_streams(flask_run_server):
    lead = progress_lead(flask_run_server.url, "time.sleep", transport="polling")
    assert lead > 0.5  # each thread sleeps on its own: progress streams


@pytest.mark.claim("M23")
def test_flask_run_serves_websocket(flask_run_server):
    url = flask_run_server.url
    with urllib.request.urlopen(f"{url}/socket.io/?EIO=4&transport=polling") as response:
        server = response.headers["Server"]
        handshake = json.loads(response.read().decode().removeprefix("0"))
    assert server.startswith("Werkzeug/")  # Flask's development server
    assert handshake["upgrades"] == ["websocket"]  # it offers the upgrade

    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    ws = websocket.create_connection(ws_url, timeout=WAIT_S)  # and accepts WebSocket at once
    try:
        assert ws.recv().startswith('0{"sid"')  # Engine.IO: open
        ws.send("40")  # Socket.IO: connect to "/"
        assert ws.recv().startswith('40{"sid"')
        ws.send('421["echo","over WebSocket"]')  # the event "echo", asking for ack 1
        assert ws.recv() == '431["over WebSocket"]'  # ack 1
    finally:
        ws.close()


@pytest.mark.claim("M13")
def test_a_callback_with_a_broadcast_runs_once_per_acknowledging_client(eventlet_server):
    answers = queue.Queue()
    url = eventlet_server.url
    with (
        connected(url, poll=lambda q: "Alice", answered=answers.put) as alice,
        connected(url, poll=lambda q: "Bob"),
    ):
        alice.emit("poll", "Who is here?")  # the server broadcasts it with a callback

        got = sorted(answers.get(timeout=WAIT_S)[0] for _ in range(2))

    assert got == ["Alice", "Bob"]  # the callback ran for each, and emitted to the sender
