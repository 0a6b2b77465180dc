"""A judgement in plain words: each task, and for the one at hand the claim in the guide's words,
the test that failed, where, and what came compared with what was expected.

The pytest traceback is never the verdict; it stays one keypress (t in watch mode) or one flag
(``--traceback``) away.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from playground.claims import LAYERS, claims_of
from playground.exercises.judge import Judgement, Result
from playground.exercises.model import Exercise, Task
from playground.manifest import ROOT

WIDTH = 100
MARKS = {"done": "✓", "failing": "✗", "unjudged": "·", "todo": "·"}
# Messages that say little about the learner's code as they come, and what they mean there:
# (exception, words of its message) -> what to say.
MEANINGS = {
    ("RuntimeError", "not connected"): (
        "The test client is not connected in that namespace: nothing handles the namespace yet "
        "(no handler or Namespace class is registered for it), or its connect handler refused "
        "the client."
    ),
    ("TypeError", "missing 1 required positional argument: 'auth'"): (
        "Flask-SocketIO calls a connect handler once more without auth when it raises "
        "TypeError, so this hides the TypeError your connect handler raised: look at its "
        "calls (an argument that does not exist, such as to= in self.emit()?)."
    ),
}


def shown(path) -> str:
    """A path as the learner would type it from the project's root."""
    path = Path(path)
    for base in (Path.cwd(), ROOT):
        try:
            return str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


def test_words(result: Result) -> str:
    """``test_emit_to_a_room_reaches_its_members_only[app]`` -> its words, variant kept."""
    name, _, params = result.name.partition("[")
    words = name.removeprefix("test_").replace("_", " ")
    params = params.rstrip("]").replace("chromium", "").strip("-")
    return f"{words} [{params}]" if params else words


def current_task(exercise: Exercise, judgement: Judgement) -> Task | None:
    """The first task not done: the one the learner works on."""
    return next((t for t in exercise.tasks if judgement.task_state(t) != "done"), None)


def render(judgement: Judgement, files: dict[str, Path], traceback: bool = False) -> str:
    exercise = judgement.exercise
    lines = [f"Exercise {exercise.id} · {exercise.title} — {', '.join(map(shown, files.values()))}"]
    if judgement.import_error:
        error = judgement.import_error
        lines.append(
            f"  ✗ your file does not load: {shown_where(error['where'])}: {error['message']}"
        )
        lines.append("    Nothing was judged. Fix it and save: the watcher keeps watching.")
        return "\n".join(lines)
    at = current_task(exercise, judgement)
    texts = {claim.id: claim.text for claim in claims_of(exercise.lesson)}
    later = False  # tasks after the one at hand are to do, not failed
    for task in exercise.tasks:
        state = judgement.task_state(task)
        if later and state == "failing":
            state = "todo"
        later = later or task is at
        note = {"unjudged": "  (needs the browser layer: check --browser)"}.get(state, "")
        here = "   ← now" if task is at else ""
        number = f"{task.number}/{len(exercise.tasks)}"
        lines.append(f"  {MARKS[state]} Task {number}  {task.title}{note}{here}")
        if task is not at or state == "unjudged":
            continue
        for claim in task.claims:
            lines += _claim(judgement, claim, texts.get(claim, ""), traceback)
    proven = judgement.proven()
    layers = " + ".join(LAYERS[layer] for layer in judgement.layers)
    lines.append(f"  Claims proven: {len(proven)} of {len(texts)} ({layers})")
    if at is None:
        lines.append("  Every task is done: the lesson's own tests pass against your code.")
    elif judgement.task_state(at) == "failing":
        lines.append("  Stuck? nox -s exercise -- hint   ·   the full pytest output: --traceback")
    return "\n".join(lines)


def _claim(judgement: Judgement, claim: str, text: str, traceback: bool) -> list[str]:
    state = judgement.claim_state(claim)
    mark = {"proven": "✓", "failing": "✗", "unjudged": "·"}[state]
    lines = textwrap.wrap(
        f"{mark} {claim}  {text}", WIDTH, initial_indent="      ", subsequent_indent=" " * 13
    )
    if state == "unjudged":
        lines.append("             (no test of this claim ran in this layer)")
    failed = [r for r in judgement.proofs(claim) if not r.passed]
    for result in failed[:2]:  # the first failures say enough; the rest would bury them
        lines += _failure(result, traceback)
    if len(failed) > 2:
        lines.append(f"          … and {len(failed) - 2} more tests of {claim} failing")
    return lines


def _failure(result: Result, traceback: bool) -> list[str]:
    details = result.details
    test_line = details.get("test_line")
    where = f"   {shown(test_line['path'])}:{test_line['lineno']}" if test_line else ""
    lines = [f"        ✗ {test_words(result)}{where}"]
    pad = " " * 12
    if result.outcome == "timeout":
        lines.append(
            f"{pad}timed out: {details.get('message', '')} — a handler that never returns?"
        )
    compare = details.get("compare")
    learner = details.get("learner_line")
    if learner and result.outcome != "timeout":
        lines.append(f"{pad}your code raised {details.get('exception')}: {details.get('message')}")
        lines.append(f"{pad}  {shown(learner['path'])}:{learner['lineno']}   {learner['source']}")
    elif learner:
        lines.append(
            f"{pad}it was at {shown(learner['path'])}:{learner['lineno']}   {learner['source']}"
        )
    elif compare and compare["op"] == "==":
        if test_line:
            lines.append(f"{pad}{test_line['source']}")
        nothing = "   (nothing)" if compare["left_empty"] else ""
        lines.append(f"{pad}got      {compare['left']}{nothing}")
        lines.append(f"{pad}expected {compare['right']}")
    elif result.outcome != "timeout":
        if test_line:
            lines.append(f"{pad}{test_line['source']}")
        message = details.get("message") or ""
        lines.append(f"{pad}{details.get('exception', 'failed')}: {message}".rstrip(": "))
    if meaning := _meaning(details):
        lines += textwrap.wrap(meaning, WIDTH, initial_indent=pad, subsequent_indent=pad)
    if traceback and details.get("longrepr"):
        lines.append(textwrap.indent(details["longrepr"], pad))
    return lines


def _meaning(details: dict) -> str:
    exception, message = details.get("exception", ""), details.get("message") or ""
    for (kind, words), meaning in MEANINGS.items():
        if exception == kind and words in message:
            return meaning
    return ""


def shown_where(where: str) -> str:
    path, _, line = where.rpartition(":")
    return f"{shown(path)}:{line}" if path else where
