"""The pytest plugin the judge runs a lesson's own tests with (``-p playground.exercises.plugin``).

- ``--exercise-file MODULE=PATH``: PATH is loaded as the lesson module MODULE before any test
  imports it, and live lesson servers of the run serve it too (the runner's ``--app-file``).
- ``--judge-report PATH``: one JSON line per test as it starts and ends, with its claims and, for
  a failure, what went wrong in a form the verdict can put in plain words.
- ``--judge-claims L05.1,L05.2``: run only the tests of these claims; ``--judge-first-failure``
  stops testing a claim at its first failing test (the drift check needs no more).
- ``--judge-timeout S``: a test that runs longer (a handler that hangs) fails as timed out; once
  one has, the tests after it get a tenth of S (at least 1 s).
"""

from __future__ import annotations

import json
import linecache
import signal
from pathlib import Path

import pytest
from _pytest._io.saferepr import saferepr

from playground import app_file, manifest

REPR_LIMIT = 600  # characters of a value shown in a verdict


class JudgeTimeout(BaseException):
    """The test ran past --judge-timeout."""


def pytest_addoption(parser):
    group = parser.getgroup("exercises")
    group.addoption("--exercise-file", action="append", default=[], metavar="MODULE=PATH")
    group.addoption("--judge-report", metavar="PATH")
    group.addoption("--judge-claims", metavar="IDS", default="")
    group.addoption("--judge-first-failure", action="store_true")
    group.addoption("--judge-timeout", type=float, default=0.0, metavar="S")
    group.addoption("--judge-tracebacks", action="store_true", help="keep each failure's traceback")


class Judge:
    def __init__(self, config):
        self.config = config
        self.report = Path(config.getoption("--judge-report"))
        self.claims = {c for c in config.getoption("--judge-claims").split(",") if c}
        self.first_failure = config.getoption("--judge-first-failure")
        self.timeout = config.getoption("--judge-timeout")
        self.tracebacks = config.getoption("--judge-tracebacks")
        self.files = {}  # resolved learner file -> module name
        self.failed_claims: set[str] = set()
        self.compare = None  # the last failed comparison of the running test
        self.outcomes: dict[str, dict] = {}

    def write(self, **event) -> None:
        with self.report.open("a") as f:
            f.write(json.dumps(event) + "\n")

    # --- the learner's modules -------------------------------------------------------------

    def install(self, specs: list[str]) -> None:
        for spec in specs:
            module, _, path = spec.partition("=")
            package, variant = module.split(".")[1:3]
            lesson = manifest.by_package(package)
            try:
                app_file.install(lesson, Path(path), variant)
            except app_file.AppFileError as error:
                self.write(event="import_error", message=str(error), where=error.where)
                pytest.exit(f"{error.where or path}: {error}", returncode=3)
            app_file.replaced[module] = Path(path).resolve()
            self.files[str(Path(path).resolve())] = module

    # --- hooks ---------------------------------------------------------------------------

    def pytest_collection_modifyitems(self, items, config):
        if not self.claims:
            return
        keep = [item for item in items if set(claims_of(item)) & self.claims]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep

    def pytest_runtest_setup(self, item):
        claims = set(claims_of(item))
        wanted = claims & self.claims if self.claims else claims
        if self.first_failure and wanted and wanted <= self.failed_claims:
            pytest.skip("its claims have failed already")

    def pytest_runtest_logstart(self, nodeid, location):
        self.compare = None
        self.write(event="start", nodeid=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        if not self.timeout:
            return (yield)

        def expire(signum, frame):
            waited = self.timeout
            # A hang in one handler hangs every test that calls it, and one is enough to say
            # where: the tests still to run get a tenth of the time, so the verdict comes soon.
            self.timeout = min(waited, max(1.0, waited / 10))
            raise JudgeTimeout(f"still running after {waited:g} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            return (yield)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def pytest_assertrepr_compare(self, config, op, left, right):
        self.compare = {
            "op": op,
            "left": saferepr(left, maxsize=REPR_LIMIT),
            "right": saferepr(right, maxsize=REPR_LIMIT),
            "left_empty": _empty(left),
        }

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        outcome = self.outcomes.setdefault(
            item.nodeid,
            {
                "event": "result",
                "nodeid": item.nodeid,
                "claims": claims_of(item),
                "layer": Path(str(item.path)).stem.removeprefix("test_"),
                "name": item.name,
                "doc": (item.obj.__doc__ or "").strip().split("\n")[0] if item.obj else "",
                "outcome": "passed",
            },
        )
        if report.skipped and call.when in ("setup", "call"):
            outcome["outcome"] = "skipped"
        elif report.failed:
            outcome["outcome"] = "failed" if call.when == "call" else "error"
            if call.excinfo is not None and call.excinfo.errisinstance(JudgeTimeout):
                outcome["outcome"] = "timeout"
            outcome.update(self.details(item, call))
            self.failed_claims.update(outcome["claims"])
        return report

    def pytest_runtest_logfinish(self, nodeid, location):
        outcome = self.outcomes.pop(nodeid, None)
        if outcome is not None:
            self.write(**outcome)

    def pytest_sessionfinish(self, session, exitstatus):
        self.write(event="done", exitstatus=int(exitstatus))

    # --- a failure, taken apart ------------------------------------------------------------

    def details(self, item, call) -> dict:
        found = {"longrepr": ""}
        excinfo = call.excinfo
        if excinfo is None:
            return found
        found["exception"] = excinfo.typename
        found["message"] = str(excinfo.value).split("\n")[0][:REPR_LIMIT]
        found["compare"] = self.compare if excinfo.errisinstance(AssertionError) else None
        test_file = str(Path(str(item.path)).resolve())
        for entry in excinfo.traceback:
            path = str(Path(str(entry.path)).resolve())
            if path == test_file:
                found["test_line"] = _line(path, entry.lineno + 1)
            elif path in self.files:
                found["learner_line"] = _line(path, entry.lineno + 1)
        if self.tracebacks:  # formatting tracebacks costs more than running the tests
            found["longrepr"] = str(excinfo.getrepr(style="short"))
        return found


def claims_of(item) -> list[str]:
    return [claim for marker in item.iter_markers("claim") for claim in marker.args]


def _line(path: str, lineno: int) -> dict:
    return {"path": path, "lineno": lineno, "source": linecache.getline(path, lineno).strip()}


def _empty(value) -> bool:
    try:
        return value is None or len(value) == 0
    except TypeError:
        return False


def pytest_configure(config):
    if config.getoption("--judge-report"):
        judge = Judge(config)
        judge.install(config.getoption("--exercise-file"))
        config.pluginmanager.register(judge, "exercise-judge")
