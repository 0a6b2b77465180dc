"""Lesson 12's probes (probe.py), started beside the run's first tests; ``probes`` reads them.

Seven Python processes that each import Flask-SocketIO and pick a mode take seconds of CPU; the
suite's first tests mostly wait on sockets and browsers, so the probes run then, at a lower
priority (nice), and have long finished when lesson 12 is reached. They are the same processes
with the same arguments as when the fixture started them itself: only the moment is earlier.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys

import pytest

from playground import app_file, manifest

PROBES = {
    # name: (probe arguments, extra environment)
    "threading": (["threading"], {}),
    "eventlet": (["eventlet"], {}),
    "gevent": (["gevent"], {}),
    "no async_mode": (["auto"], {}),
    "no async_mode, no eventlet": (["auto", "--without", "eventlet"], {}),
    "no async_mode, no eventlet or gevent": (
        ["auto", "--without", "eventlet", "--without", "gevent"],
        {},
    ),
    # `flask run` sets FLASK_RUN_FROM_CLI before it imports the app.
    "no async_mode, under flask run": (["auto"], {"FLASK_RUN_FROM_CLI": "true"}),
}
PROBE_TIMEOUT = 120  # seconds, for a probe that hangs; each takes about one, more on a busy machine
NICENESS = 10  # below the tests: the probes take the CPU they leave idle
STARTED = pytest.StashKey["Probes"]()


class Probes:
    """Every probe, started at once; ``reports()`` waits for them and has what each printed."""

    def __init__(self):
        # The lesson's module, or an exercise's copy of it when one is judged (app_file.py).
        module = app_file.runner_args(manifest.find("12"))
        self.running = {
            name: subprocess.Popen(
                [sys.executable, "-m", "tests.lesson12_async_modes.probe", *args, *module],
                cwd=manifest.ROOT,
                env={**os.environ, **env},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, (args, env) in PROBES.items()
        }
        # Once started, not in a preexec_fn: that would make Popen fork() rather than spawn,
        # which eventlet warns about in a judge forked from a warm parent that imported it.
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):  # already done
                os.setpriority(os.PRIO_PROCESS, process.pid, NICENESS)
        self._reports: dict[str, dict] | None = None

    def reports(self) -> dict[str, dict]:
        if self._reports is None:
            reports = {}
            try:
                for name, process in self.running.items():
                    out, err = process.communicate(timeout=PROBE_TIMEOUT)
                    assert process.returncode == 0, f"probe {name!r} failed:\n{err}"
                    reports[name] = json.loads(out)
            finally:
                self.stop()  # a probe that failed or timed out leaves none of the others running
            self._reports = reports
        return self._reports

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.kill()
            process.communicate()


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    if any("probes" in getattr(item, "fixturenames", ()) for item in session.items):
        session.config.stash[STARTED] = Probes()


def pytest_unconfigure(config):
    if STARTED in config.stash:  # a run stopped before lesson 12: no probe left running
        config.stash[STARTED].stop()


@pytest.fixture(scope="module")
def probes(pytestconfig) -> dict[str, dict]:
    """What each probe printed, by name."""
    if STARTED not in pytestconfig.stash:  # a caller that did not collect through the hook
        pytestconfig.stash[STARTED] = Probes()
    return pytestconfig.stash[STARTED].reports()
