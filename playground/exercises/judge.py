"""Run a lesson's own tests against the learner's files, and read what happened.

The tests are the lesson's: ``tests/lessonNN_*/test_client.py`` (and ``test_browser.py`` for the
browser layer), unchanged, with the learner's file loaded as the lesson's module (plugin.py). They
run as a pytest process of their own — forked from a warm parent when there is one, so a verdict
costs the tests, not the imports — with a deadline per test and one for the whole run, so a
learner's handler that hangs answers "timed out" instead of hanging the checker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from playground.app_file import module_name
from playground.claims import LAYERS, claims_of, proofs_by_claim
from playground.exercises.model import Exercise, Task
from playground.forkserver import ENV_ADDRESS, ForkServer
from playground.manifest import ROOT

# Seconds. A lesson's test takes milliseconds to a few seconds; a learner's hang is cut at these.
TEST_TIMEOUT = {"client": 10.0, "browser": 30.0}
RUN_TIMEOUT = {"client": 90.0, "browser": 240.0}
# What a judging pytest imports: paid for once in the watcher's warm parent. Not pytest plugins
# (pytest_playwright, ours): pytest must import those itself, to rewrite their asserts.
# It also forks the live lesson servers of the browser layer (ENV_ADDRESS): what they import too.
WARM_IMPORTS = [
    "pytest",
    "_pytest.assertion.rewrite",
    "eventlet",
    "gevent",
    "flask_socketio",
    "playwright.sync_api",
    "redis",
    "socketio",
    "playground.forkserver",
    "playground.wiring",
    "tests.utils",
]


@dataclass
class Result:
    """One test of the lesson, as it ran against the learner's code."""

    nodeid: str
    outcome: str  # passed | failed | error | timeout | skipped | not run (the run was cut short)
    claims: list[str]
    layer: str
    name: str
    doc: str = ""
    details: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass
class Judgement:
    exercise: Exercise
    layers: tuple[str, ...]
    results: list[Result]
    import_error: dict | None = None  # {"message", "where"}: the learner's file did not load
    hung: Result | None = None  # the test running when the whole run hit its deadline
    output: str = ""  # pytest's own output: the traceback view, one flag away

    def proofs(self, claim: str) -> list[Result]:
        """The tests of ``claim`` that ran and speak for it.

        A test of claims of several tasks (a lesson page's scenario, say) needs every one of
        those tasks written: until it passes, its failure is the latest task's, not an earlier
        one's, whose own tests then judge it.
        """
        task_of = self.exercise.task_of_claim()
        own = task_of.get(claim, 0)
        return [
            r
            for r in self.results
            if claim in r.claims
            and r.outcome != "skipped"
            and (r.passed or max((task_of.get(c, 0) for c in r.claims), default=0) <= own)
        ]

    def claim_state(self, claim: str) -> str:
        """proven | failing | unjudged (no test of it ran in these layers)."""
        results = self.proofs(claim)
        if not results:
            return "unjudged"
        return "proven" if all(r.passed for r in results) else "failing"

    def task_state(self, task: Task) -> str:
        """done | failing | unjudged: done once every test of its claims passes."""
        states = {self.claim_state(claim) for claim in task.claims}
        if self.import_error or "failing" in states:
            return "failing"
        if "unjudged" in states:
            return "unjudged"
        return "done"

    def proven(self) -> list[str]:
        return [c for c in all_claims(self.exercise) if self.claim_state(c) == "proven"]


def all_claims(exercise: Exercise) -> list[str]:
    return [claim.id for claim in claims_of(exercise.lesson)]


@cache
def claims_tests() -> dict:
    """Each claim's tests, read from the test files once a process: a read takes ~0.5 s."""
    return proofs_by_claim()


def layers_with_tests(claim: str) -> set[str]:
    return {proof.layer for proof in claims_tests().get(claim, []) if proof.layer in LAYERS}


def judge(
    exercise: Exercise,
    files: dict[str, Path],
    layers: tuple[str, ...] = ("client",),
    *,
    claims: list[str] | None = None,
    first_failure: bool = False,
    warm: ForkServer | None = None,
    timeout_scale: float = 1.0,
    tracebacks: bool = False,
) -> Judgement:
    """Run the lesson's tests of ``layers`` against ``files`` (variant -> the learner's file)."""
    lesson = exercise.lesson
    layer = "browser" if "browser" in layers else "client"
    with tempfile.TemporaryDirectory(prefix="judge-") as tmp:
        report = Path(tmp) / "report.jsonl"
        report.touch()
        argv = [str(lesson.tests_path / f"test_{name}.py") for name in layers]
        argv += ["-p", "playground.exercises.plugin", f"--judge-report={report}"]
        argv += [f"--exercise-file={module_name(lesson, v)}={p}" for v, p in files.items()]
        argv += [f"--judge-timeout={TEST_TIMEOUT[layer] * timeout_scale:g}"]
        argv += [f"--judge-claims={','.join(claims)}"] if claims else []
        argv += ["--judge-first-failure"] if first_failure else []
        argv += ["--judge-tracebacks", "--tb=short"] if tracebacks else ["--tb=no"]
        argv += ["-q", "-p", "no:cacheprovider", "--no-header"]
        with (Path(tmp) / "output.txt").open("w+") as output:
            process = _start(argv, output, warm)
            try:
                process.wait(timeout=RUN_TIMEOUT[layer] * timeout_scale)
                cut_short = False
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                cut_short = True
            output.seek(0)
            printed = output.read()
        return _read(exercise, layers, report.read_text(), printed, cut_short)


def _start(argv: list[str], output, warm: ForkServer | None):
    if warm is not None:
        # The same warm parent forks the run's live lesson servers (tests/conftest.py).
        env = {**os.environ, ENV_ADDRESS: warm.address}
        return warm.spawn(__name__, argv, stdout=output, env=env, cwd=ROOT)  # pytest: see the end
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", *argv],
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _read(exercise, layers, report: str, printed: str, cut_short: bool) -> Judgement:
    judgement = Judgement(exercise, tuple(layers), [], output=printed)
    running = None
    for line in report.splitlines():
        event = json.loads(line)
        if event["event"] == "import_error":
            judgement.import_error = {"message": event["message"], "where": event["where"]}
        elif event["event"] == "start":
            running = event["nodeid"]
        elif event["event"] == "result":
            keys = ("nodeid", "outcome", "claims", "layer", "name", "doc")
            judgement.results.append(
                Result(
                    **{k: event[k] for k in keys},
                    details={k: v for k, v in event.items() if k not in keys},
                )
            )
            running = None
    if cut_short and running is not None:
        name = running.rsplit("::", 1)[-1]
        hung = Result(running, "timeout", _claims_of_node(running), layers[-1], name)
        hung.details = {"message": "the whole run hit its deadline while this test ran"}
        judgement.results.append(hung)
        judgement.hung = hung
    return judgement


def _claims_of_node(nodeid: str) -> list[str]:
    path, _, test = nodeid.partition("::")
    test = test.split("[")[0]
    return [
        claim
        for claim, proofs in claims_tests().items()
        for proof in proofs
        if proof.path.as_posix() == path and proof.test == test
    ]


def warm_parent() -> ForkServer:
    """A warm parent for judging: pytest and the lessons' stack imported once."""
    return ForkServer(preload=WARM_IMPORTS, cwd=ROOT)


if __name__ == "__main__":
    # A judging pytest forked from the warm parent. What it inherited lives as long as it does, so
    # gc.freeze() puts it out of the collector's sight: pytest collects garbage several times as
    # it ends, and each pass would walk the whole inherited heap, copying the parent's pages as
    # it touches every object. Lesson 05's 31 tests: 0.45 s of CPU instead of 0.6.
    import gc

    import pytest

    gc.freeze()
    sys.exit(pytest.main())
