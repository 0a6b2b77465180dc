"""Lesson 11 — what Flask-SocketIO's test client can and cannot show about a message queue.

It refuses an app configured with a queue, so everything the queue does is proven live
(test_browser.py). Here: that refusal, the same handlers in one process without a queue, and the
HTTP view that starts the worker, through Flask's own test client with the worker's process
replaced by a stand-in.
"""

import os
import subprocess
import sys

import pytest

# Never connected to: the test client refuses before anything is sent, and Flask's test client
# only posts to the view that would hand this URL to the worker.
QUEUE = "redis://127.0.0.1:6399"


def event(name, payload):
    return {"name": name, "args": [payload], "namespace": "/"}


# --8<-- [start:refused]
@pytest.mark.claim("L11.6")
def test_the_test_client_refuses_the_app_with_a_queue_and_tests_it_without(lesson, make_client):
    app, socketio = lesson.create_app(ASYNC_MODE="threading", TESTING=True, MESSAGE_QUEUE=QUEUE)
    refusal = r"^Test client cannot be used with a message queue\. Disable the queue on your test"
    with pytest.raises(RuntimeError, match=refusal + r" configuration\.$"):
        socketio.test_client(app)

    # make_client's app is the same lesson without a queue: one process, tested as usual.
    alice, bob, carol = make_client(), make_client(), make_client()
    assert alice.emit("join", "ops", callback=True)["rooms"][-1] == "ops"
    assert bob.emit("join", "ops", callback=True)["pid"] == os.getpid()
    assert carol.emit("say", "ops", "Deploying now", callback=True) == "sent"
    assert carol.emit("announce", "Hello", callback=True) == "sent"

    said = event("said", {"room": "ops", "text": "Deploying now", "pid": os.getpid()})
    announcement = event("announcement", {"text": "Hello", "pid": os.getpid()})
    assert alice.get_received() == bob.get_received() == [said, announcement]
    assert carol.get_received() == [announcement]  # not in ops: the broadcast only


# --8<-- [end:refused]


class FakeWorker:
    """Stands in for ``subprocess.Popen``: records the command, runs until told it exited."""

    def __init__(self, command, started):
        self.command, self.pid, self.returncode = command, 4000 + len(started), None
        started.append(self)

    def poll(self):
        return self.returncode


@pytest.fixture
def workers(monkeypatch):
    """The worker processes the app starts (stand-ins), in order."""
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda command: FakeWorker(command, started))
    return started


@pytest.fixture
def http(lesson):
    """Flask's test client (HTTP only) for the lesson with a queue: it has no such limit."""
    app, _ = lesson.create_app(ASYNC_MODE="threading", TESTING=True, MESSAGE_QUEUE=QUEUE)
    return app.test_client()


def worker_command(room):
    return [sys.executable, "-m", "lessons.lesson11_message_queue.worker", QUEUE, "--room", room]


@pytest.mark.claim("L11.7")
def test_post_worker_starts_one_worker_process_at_a_time(http, workers):
    started = http.post("/worker", json={"room": "ops"})

    [worker] = workers
    assert (started.status_code, started.json) == (202, {"pid": worker.pid, "room": "ops"})
    assert worker.command == worker_command("ops")

    busy = http.post("/worker", json={"room": "lobby"})
    assert (busy.status_code, busy.json) == (409, {"error": "a worker is running", "pid": 4000})
    assert len(workers) == 1

    worker.returncode = 0  # it has exited: the next one may start
    again = http.post("/worker", json={"room": "lobby"})
    assert (again.status_code, again.json) == (202, {"pid": 4001, "room": "lobby"})
    assert workers[1].command == worker_command("lobby")


@pytest.mark.claim("L11.7")
@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"json": {"room": ""}}, 400),
        ({"json": {"room": "r" * 21}}, 400),
        ({"json": {"room": 7}}, 400),
        ({"json": ["ops"]}, 400),
        ({"json": {}}, 400),
        ({"data": "room=ops", "content_type": "application/x-www-form-urlencoded"}, 415),
        ({"data": "{not json", "content_type": "application/json"}, 400),
    ],
    ids=["empty", "too-long", "not-a-string", "not-an-object", "no-room", "a-form", "bad-json"],
)
def test_post_worker_refuses_a_bad_body(http, workers, request_kwargs, status):
    response = http.post("/worker", **request_kwargs)

    assert response.status_code == status
    if response.is_json:
        assert response.json == {"error": "a room of 1 to 20 characters is required"}
    assert workers == []


@pytest.mark.claim("L11.7")
def test_a_server_without_a_queue_starts_no_worker(app, workers):
    response = app.test_client().post("/worker", json={"room": "ops"})

    assert (response.status_code, response.json) == (
        409,
        {"error": "this server has no message queue"},
    )
    assert workers == []
