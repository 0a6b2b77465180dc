"""Lesson 10 — background tasks, proven with Flask-SocketIO's test client.

In pytest the app runs in threading mode: a background task is a real thread, and
``socketio.sleep`` is ``time.sleep``. The tests replace ``socketio.sleep`` with a ``Stepper``
that parks each task at its sleeps until the test lets it take a step, so they can look at what
a client has received between two steps. The test client's ``get_received()`` is not thread-safe:
it is only called while every task is parked or finished.
"""

import queue
import threading

import pytest
from flask import has_app_context, has_request_context

from tests.utils import WAIT_S


def event(name, payload):
    return {"name": name, "args": [payload], "namespace": "/"}


def progress(job, step, steps):
    return event("progress", {"job": job, "step": step, "steps": steps})


def done(job, steps):
    return event("done", {"job": job, "steps": steps})


def of_job(received, job):
    return [e for e in received if e["args"][0]["job"] == job]


# --8<-- [start:stepper]
class Stepper:
    """Stands in for ``socketio.sleep``: a task that calls it parks until ``step()``."""

    def __init__(self):
        self.parked = queue.Queue()  # what each sleep was asked for, as tasks park
        self.permits = threading.Semaphore(0)
        self.contexts = []  # (request context?, app context?) in the task, at each sleep

    def __call__(self, seconds=0):
        self.contexts.append((has_request_context(), has_app_context()))
        self.parked.put(seconds)
        if not self.permits.acquire(timeout=WAIT_S):
            raise TimeoutError("the test never let this task take its step")

    def wait_parked(self):
        """Wait until a task is asleep; return the seconds it asked for."""
        return self.parked.get(timeout=WAIT_S)

    def step(self, count=1):
        self.permits.release(count)


# --8<-- [end:stepper]


@pytest.fixture
def stepper(socketio, monkeypatch):
    stepper = Stepper()
    monkeypatch.setattr(socketio, "sleep", stepper)
    return stepper


def join(*tasks):
    for task in tasks:
        task.join(timeout=WAIT_S)
        assert not task.is_alive()


# --8<-- [start:streams]
@pytest.mark.claim("L10.1")
def test_the_handler_returns_at_once_and_the_task_emits_each_step_as_it_ends(
    make_client, started_tasks, stepper
):
    alice, bob = make_client(), make_client()

    assert alice.emit("start_job", {"steps": 3, "delay": 0.1}, callback=True) == "task-1"

    # The acknowledgement is back, and the job has not finished its first step yet.
    [task] = started_tasks
    assert stepper.wait_parked() == 0.1  # socketio.sleep(delay): asleep in step 1
    assert task.is_alive()
    assert alice.get_received() == []
    # Each step's event has left before the next step starts: nothing waits for the end.
    for step in (1, 2):
        stepper.step()
        assert stepper.wait_parked() == 0.1
        assert alice.get_received() == [progress("task-1", step, 3)]
    stepper.step()
    join(task)
    assert alice.get_received() == [progress("task-1", 3, 3), done("task-1", 3)]
    assert bob.get_received() == []  # to=sid: the client that started the job only
    # Where it emitted from, there was no request context and no app context.
    assert stepper.contexts == [(False, False)] * 3


# --8<-- [end:streams]


@pytest.mark.claim("L10.2")
def test_several_jobs_run_at_once_each_with_its_own_id(make_client, started_tasks, stepper):
    alice = make_client()

    first = alice.emit("start_job", {"steps": 3, "delay": 0.1}, callback=True)
    second = alice.emit("start_job", {"steps": 2, "delay": 0.1}, callback=True)

    assert (first, second) == ("task-1", "task-2")
    assert [stepper.wait_parked(), stepper.wait_parked()] == [0.1, 0.1]
    # Two threads, both in the middle of their job at the same time.
    one, two = started_tasks
    assert one is not two
    assert one.is_alive() and two.is_alive()
    stepper.step(3 + 2)
    join(one, two)
    received = alice.get_received()
    assert of_job(received, "task-1") == [
        progress("task-1", 1, 3),
        progress("task-1", 2, 3),
        progress("task-1", 3, 3),
        done("task-1", 3),
    ]
    assert of_job(received, "task-2") == [
        progress("task-2", 1, 2),
        progress("task-2", 2, 2),
        done("task-2", 2),
    ]


@pytest.mark.claim("L10.2")
@pytest.mark.parametrize(
    ("asked", "steps", "delay"),
    [
        ({"steps": 1000, "delay": 3600}, 20, 1.0),
        ({"steps": 0, "delay": 0}, 1, 0.05),
        ({"steps": 2, "delay": float("nan")}, 2, 0.05),
        (None, 5, 0.2),  # no options: the defaults
    ],
    ids=["too-long", "too-short", "not-a-number", "defaults"],
)
def test_the_server_bounds_what_a_client_asks_for(
    make_client, started_tasks, stepper, asked, steps, delay
):
    alice = make_client()
    job = alice.emit("start_job", *([asked] if asked else []), callback=True)

    assert stepper.wait_parked() == delay
    stepper.step(steps)
    join(*started_tasks)
    received = alice.get_received()
    assert len(received) == steps + 1
    assert received[-1] == done(job, steps)


@pytest.mark.claim("L10.3")
def test_cancel_stops_that_job_after_its_current_step_and_the_other_runs_on(
    make_client, started_tasks, stepper
):
    alice, bob = make_client(), make_client()
    alice.emit("start_job", {"steps": 3, "delay": 0.1}, callback=True)
    stepper.wait_parked()
    stepper.step()
    stepper.wait_parked()  # task-1 has done step 1 and sleeps in step 2
    assert alice.get_received() == [progress("task-1", 1, 3)]
    alice.emit("start_job", {"steps": 2, "delay": 0.1}, callback=True)
    stepper.wait_parked()  # task-2 sleeps in its step 1

    assert bob.emit("cancel_job", "task-1", callback=True) is False  # not Bob's job
    assert alice.emit("cancel_job", "task-9", callback=True) is False  # no such job
    assert alice.emit("cancel_job", "task-1", callback=True) is True

    stepper.step(1 + 2)  # task-1 ends its step 2, sees the flag; task-2 takes both its steps
    join(*started_tasks)
    received = alice.get_received()
    assert of_job(received, "task-1") == [
        event("cancelled", {"job": "task-1", "step": 1, "steps": 3})
    ]
    assert of_job(received, "task-2") == [
        progress("task-2", 1, 2),
        progress("task-2", 2, 2),
        done("task-2", 2),
    ]
    # Over, cancelled or done: there is nothing left to cancel.
    assert alice.emit("cancel_job", "task-1", callback=True) is False
    assert alice.emit("cancel_job", "task-2", callback=True) is False
    assert bob.get_received() == []


@pytest.mark.claim("L10.5")
def test_socketio_sleep_sends_the_same_events_as_time_sleep(make_client, socketio, monkeypatch):
    alice = make_client()
    naps = []
    monkeypatch.setattr(socketio, "sleep", naps.append)  # recorded, not slept
    size = {"steps": 3, "delay": 0.05}

    # The test client runs a handler to its end inside emit(): the ack is the last thing back.
    blocking = alice.emit("blocking_job", size, callback=True)  # really sleeps 3 x 50 ms
    blocking_events = alice.get_received()
    assert naps == []
    cooperative = alice.emit("cooperative_job", size, callback=True)
    cooperative_events = alice.get_received()

    assert (blocking, cooperative) == ("time.sleep-1", "socketio.sleep-2")
    assert naps == [0.05] * 3  # the one difference: which sleep the handler calls
    assert blocking_events == [
        progress("time.sleep-1", 1, 3),
        progress("time.sleep-1", 2, 3),
        progress("time.sleep-1", 3, 3),
        done("time.sleep-1", 3),
    ]
    renamed = [
        event(e["name"], {**e["args"][0], "job": "time.sleep-1"}) for e in cooperative_events
    ]
    assert renamed == blocking_events
