"""Whether an exercise still fits its lesson (rustlings' ``dev check``), for the test suite.

Walked the way a learner walks it: with tasks 1..k written from the lesson and the rest left to
do, every claim of tasks 1..k is proven and every claim of task k+1 has a failing test. k = 0 is
the starting file (it must load and serve), k = n the lesson's own code. A lesson change that
breaks its exercise breaks one of these runs. ``Walk`` judges many steps a few at once.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from playground.exercises import judge as judging
from playground.exercises.judge import layers_with_tests
from playground.exercises.model import Exercise, Task


@dataclass
class Step:
    written: int  # tasks 1..written are written from the lesson
    problems: list[str]


def same_code(exercise: Exercise, variant: str) -> bool:
    """The file with every task written is the lesson's module, but for comments."""
    written = ast.dump(ast.parse(exercise.solution_file(variant)))
    return written == ast.dump(ast.parse(exercise.module_path(variant).read_text()))


def layers_of(task: Task) -> tuple[str, ...]:
    """Where the task's claims can be judged: test_client if every claim has such tests."""
    if all("client" in layers_with_tests(claim) for claim in task.claims):
        return ("client",)
    return ("client", "browser")


def write(exercise: Exercise, folder: Path, written: int) -> dict[str, Path]:
    done = exercise.tasks[:written]
    files = {}
    for variant in exercise.variants:
        path = folder / f"{written}" / f"{variant}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(exercise.render(variant, done))
        files[variant] = path
    return files


def layers_at(exercise: Exercise, written: int) -> tuple[str, ...]:
    """The layers a step runs: those of the tasks written and of the one at hand.

    With every task written the file is the lesson's code (same_code), whose browser tests the
    suite runs anyway: that step runs the test_client layer only.
    """
    if written == len(exercise.tasks):
        return ("client",)
    needed = {layer for task in exercise.tasks[: written + 1] for layer in layers_of(task)}
    return tuple(layer for layer in ("client", "browser") if layer in needed)


def step(exercise: Exercise, folder: Path, written: int, warm=None) -> Step:
    """Run the lesson's tests with tasks 1..written done; say what does not hold."""
    tasks, problems = exercise.tasks, []
    proven_now = [claim for task in tasks[:written] for claim in task.claims]
    at_hand = tasks[written] if written < len(tasks) else None
    claims = proven_now + (list(at_hand.claims) if at_hand else [])
    layers = layers_at(exercise, written)
    files = write(exercise, folder, written)
    judgement = judging.judge(exercise, files, layers, claims=claims, first_failure=True, warm=warm)
    if judgement.import_error:
        error = judgement.import_error
        return Step(written, [f"does not load: {error['where']}: {error['message']}"])
    if judgement.hung:
        problems.append(f"hung in {judgement.hung.nodeid}")
    for claim in dict.fromkeys(proven_now):
        if at_hand is None and "client" not in layers_with_tests(claim):
            continue  # the lesson's own code, proven in the browser by the lesson's tests
        if judgement.claim_state(claim) != "proven":
            failing = [r.nodeid for r in judgement.proofs(claim) if not r.passed]
            problems.append(f"{claim} not proven with tasks 1..{written} written: {failing}")
    if at_hand:
        for claim in at_hand.claims:
            if claim in proven_now:
                continue  # proven by an earlier task already: this task adds to it
            if judgement.claim_state(claim) != "failing":
                problems.append(
                    f"task {at_hand.number} left to do, yet no test of {claim} fails "
                    f"({judgement.claim_state(claim)})"
                )
    return Step(written, problems)


class Walk:
    """Steps of walks judged a few at once, each by its own pytest forked from ``warm``.

    A step mostly waits (on its pytest, a server starting, a browser test's deadline), so two
    running beside each other use the cores one leaves idle. Steps with browser tests run one at
    a time, beside the others: their tests time what they see. ``Walk.step()`` waits for one.
    """

    LANES: ClassVar[dict[str, int]] = {"client": 2, "browser": 1}  # steps at once, per kind

    def __init__(self, steps: list[tuple[Exercise, int]], folder: Path, warm):
        self._lanes = {layer: ThreadPoolExecutor(n) for layer, n in self.LANES.items()}
        self._steps = {
            (exercise.id, written): self._lanes[layers_at(exercise, written)[-1]].submit(
                step, exercise, folder / exercise.id, written, warm
            )
            # The steps that prove most first: the longest start early, and an exercise's heavy
            # steps (each of lesson 12's runs seven probe processes) are far apart in the queue.
            for exercise, written in sorted(steps, key=lambda step: -step[1])
        }

    def step(self, exercise: Exercise, written: int) -> Step:
        return self._steps[(exercise.id, written)].result()

    def close(self) -> None:
        for lane in self._lanes.values():
            lane.shutdown(cancel_futures=True)
