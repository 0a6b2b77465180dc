"""Lesson 10 — pushing progress from long jobs.

A handler starts the job with ``socketio.start_background_task()`` and returns at once; the task
pushes ``progress`` events with ``socketio.emit()`` and waits with ``socketio.sleep()``, so each
event leaves as it happens, several jobs run side by side, and the browser can cancel one.
A handler that waits with ``time.sleep()`` instead freezes an eventlet server that is not monkey
patched: its events leave in one burst at the end, and every other client waits meanwhile.
"""

import itertools
import threading
import time

from flask import request
from flask_socketio import emit

from playground.wiring import InputRefused, lesson_app

# --8<-- [start:job-size]
# A client chooses how long its job runs, within bounds: none may start a job that runs for hours,
# nor more jobs at once than MAX_JOBS (each holds a task and its memory until it ends).
MAX_STEPS = 20
MIN_DELAY, MAX_DELAY = 0.05, 1.0  # seconds per step
MAX_JOBS = 4  # background jobs of one client running at once


def job_size(options) -> tuple[int, float]:
    """(steps, seconds per step) from the client's ``{"steps": 5, "delay": 0.2}``, bounded."""
    options = options if isinstance(options, dict) else {}
    steps = int(options.get("steps", 5))
    delay = float(options.get("delay", 0.2))
    # max() last: max(MIN_DELAY, nan) is MIN_DELAY (Python's JSON accepts NaN).
    return max(1, min(steps, MAX_STEPS)), max(MIN_DELAY, min(delay, MAX_DELAY))


# --8<-- [end:job-size]


def create_app(**config):
    app, socketio = lesson_app(__name__, **config)

    # --8<-- [start:background-task]
    job_numbers = itertools.count(1)  # ids for every kind of job: task-1, time.sleep-2, ...
    jobs = {}  # job id -> (the sid that started it, the Event that cancels it)

    def run_job(sid, job, steps, delay, cancel):
        # A background task has no request context: the sid comes in as an argument, and
        # socketio.emit(..., to=sid) addresses that client from here.
        try:
            for step in range(1, steps + 1):
                socketio.sleep(delay)  # one step of work; other clients are served meanwhile
                if cancel.is_set():
                    socketio.emit(
                        "cancelled", {"job": job, "step": step - 1, "steps": steps}, to=sid
                    )
                    return
                socketio.emit("progress", {"job": job, "step": step, "steps": steps}, to=sid)
            socketio.emit("done", {"job": job, "steps": steps}, to=sid)
        finally:
            del jobs[job]

    @socketio.on("start_job")
    def start_job(options=None):
        steps, delay = job_size(options)
        if sum(sid == request.sid for sid, _ in jobs.values()) >= MAX_JOBS:
            # The acknowledgement becomes {"error": ...} (playground/wiring.py).
            raise InputRefused(f"{MAX_JOBS} of your jobs are running: cancel one or wait")
        job = f"task-{next(job_numbers)}"
        # Only set() and is_set() are used, which never block: safe in every async mode.
        cancel = threading.Event()
        jobs[job] = (request.sid, cancel)
        socketio.start_background_task(run_job, request.sid, job, steps, delay, cancel)
        return job  # the acknowledgement leaves now, while the job runs on

    # --8<-- [end:background-task]

    # --8<-- [start:cancel]
    @socketio.on("cancel_job")
    def cancel_job(job):
        sid, cancel = jobs.get(job, (None, None))
        if sid != request.sid:  # unknown, already over, or another client's job
            return False
        cancel.set()  # the task sees it when its current step ends
        return True

    # --8<-- [end:cancel]

    # --8<-- [start:blocking]
    @socketio.on("blocking_job")
    def blocking_job(options=None):
        steps, delay = job_size(options)
        job = f"time.sleep-{next(job_numbers)}"
        for step in range(1, steps + 1):
            time.sleep(delay)  # eventlet or gevent, unpatched: the whole server stops here
            emit("progress", {"job": job, "step": step, "steps": steps})
        emit("done", {"job": job, "steps": steps})
        return job

    # --8<-- [end:blocking]

    # --8<-- [start:cooperative]
    @socketio.on("cooperative_job")
    def cooperative_job(options=None):
        steps, delay = job_size(options)
        job = f"socketio.sleep-{next(job_numbers)}"
        for step in range(1, steps + 1):
            socketio.sleep(delay)  # the one change: the server runs other work meanwhile
            emit("progress", {"job": job, "step": step, "steps": steps})
        emit("done", {"job": job, "steps": steps})
        return job

    # --8<-- [end:cooperative]

    # --8<-- [start:ping]
    @socketio.on("ping")
    def ping():
        return "pong"  # answered at once, whenever the server is free to run this handler

    # --8<-- [end:ping]

    return app, socketio
