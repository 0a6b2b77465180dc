"""``nox -s exercise -- …``: write a lesson's handlers yourself; the lesson's own tests judge them.

(nothing) / watch [NN]   judge every save of the first unfinished exercise (or NN)
NN                       the same, for lesson NN's exercise
list                     each exercise: its tasks done and its claims proven
hint [NN]                the next hint for the task at hand (hints come in steps)
reset NN                 start NN again (the old file is kept in .backups/)
solution NN              the lesson's own code for the tasks, as a diff against yours
check [--browser] [NN]   judge once; --browser runs the lesson's Chromium tests too
serve NN [--port N]      your code live, in the lesson's page and console
"""

from __future__ import annotations

import argparse
import difflib
import os
import select
import sys
import time
from pathlib import Path

from playground import manifest
from playground.exercises import judge as judging
from playground.exercises import model, verdict
from playground.exercises.judge import Judgement
from playground.exercises.model import Exercise
from playground.exercises.workspace import Workspace, WorkspaceError

VERBS = ("watch", "list", "hint", "reset", "solution", "check", "serve")
POLL_S = 0.05  # how often the watcher looks at the files: well under what a learner notices


class Missing(WorkspaceError):
    """The learner's file of an exercise they had started is gone."""


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nox -s exercise --",
        description=__doc__.split("\n\n")[0],
        epilog="\n".join(__doc__.split("\n\n")[1].splitlines()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("verb", nargs="?", default="watch", help=", ".join(VERBS) + ", or NN")
    parser.add_argument("lesson", nargs="?", help="the lesson's id (05) or slug (rooms)")
    parser.add_argument("--browser", action="store_true", help="check: the browser layer too")
    parser.add_argument("--traceback", action="store_true", help="pytest's own report of failures")
    parser.add_argument("--port", type=int, default=5000, help="serve: the port (default 5000)")
    parser.add_argument("--workspace", type=Path, help="another folder for your files")
    args = parser.parse_intermixed_args(argv)  # `check --browser 09` and `check 09 --browser`
    if args.verb not in VERBS:  # `nox -s exercise -- 05`: watch lesson 05's exercise
        if args.lesson:
            parser.error(f"unknown command {args.verb!r}; one of {', '.join(VERBS)}")
        args.verb, args.lesson = "watch", args.verb
    return args


def main(argv: list[str] | None = None) -> int:
    # Each verdict as it is printed, also into a pipe (`| tee`, an editor's task runner).
    sys.stdout.reconfigure(line_buffering=True)
    args = parse(sys.argv[1:] if argv is None else argv)
    workspace = Workspace(args.workspace) if args.workspace else Workspace()
    try:
        exercise = model.find(args.lesson) if args.lesson else None
    except LookupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        code = COMMANDS[args.verb](workspace, exercise, args)
    except WorkspaceError as error:
        print(f"error: {error}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print()
        code = 0
    for note in workspace.notes:
        print(f"note: {note}", file=sys.stderr)
    return code


# --- which exercise, which task ------------------------------------------------------------


def at_hand(workspace: Workspace, exercise: Exercise | None) -> Exercise:
    """The exercise named, else the one last worked on, else the first unfinished."""
    if exercise is not None:
        return exercise
    progress = workspace.progress()
    if progress.current:
        return model.find(progress.current)
    for candidate in model.exercises():
        if len(progress.done.get(candidate.id, [])) < len(candidate.tasks):
            return candidate
    return model.exercises()[0]


def files_of(workspace: Workspace, exercise: Exercise) -> dict[str, Path]:
    """The learner's files, made on first use; a file gone after work began is not remade."""
    progress = workspace.progress()
    started = exercise.id in progress.done or exercise.id in progress.hints
    missing = [workspace.file(exercise, v) for v in exercise.variants]
    missing = [path for path in missing if not path.exists()]
    if started and missing:
        raise Missing(
            f"{workspace.show(missing[0])} is gone; "
            f"`nox -s exercise -- reset {exercise.id}` makes it anew from the lesson"
        )
    return workspace.files(exercise)


def task_at_hand(workspace: Workspace, exercise: Exercise) -> model.Task | None:
    done = set(workspace.progress().done.get(exercise.id, []))
    return next((task for task in exercise.tasks if task.number not in done), None)


def record(workspace: Workspace, judgement: Judgement) -> None:
    """Keep what the judgement showed: the tasks done, the claims proven per layer."""
    exercise = judgement.exercise
    progress = workspace.progress()
    progress.current = exercise.id
    if not judgement.import_error:
        progress.done[exercise.id] = [
            t.number for t in exercise.tasks if judgement.task_state(t) == "done"
        ]
        for layer in judgement.layers:
            proven = [
                c
                for c in judging.all_claims(exercise)
                if judgement.proofs(c)
                and all(r.passed for r in judgement.proofs(c) if r.layer == layer)
                and any(r.layer == layer for r in judgement.proofs(c))
            ]
            progress.proven.setdefault(exercise.id, {})[layer] = proven
    workspace.save(progress)


def compile_error(files: dict[str, Path]) -> dict | None:
    """A syntax error in the learner's files, found without starting pytest."""
    for path in files.values():
        try:
            compile(path.read_text(), str(path), "exec")
        except SyntaxError as error:
            return {"message": f"SyntaxError: {error.msg}", "where": f"{path}:{error.lineno}"}
    return None


def judge_once(
    exercise: Exercise, files, *, browser: bool, warm=None, tracebacks: bool = False
) -> Judgement:
    error = compile_error(files)
    if error:
        layers = ("client", "browser") if browser else ("client",)
        return Judgement(exercise, layers, [], import_error=error)
    judgement = judging.judge(exercise, files, ("client",), warm=warm, tracebacks=tracebacks)
    at = verdict.current_task(exercise, judgement)
    if browser:
        # Chromium judges the tasks written and the one at hand: the tests of a task not written
        # yet would only wait out their deadlines (a finished exercise: every claim).
        upto = exercise.tasks if at is None else exercise.tasks[: at.number]
    elif at is not None and judgement.task_state(at) == "unjudged":
        # Only Chromium can show this task's claims: judge them there, and only them.
        print(f"  (task {at.number}'s claims are shown in the browser: running those tests…)")
        upto = [at]
    else:
        return judgement
    claims = [claim for task in upto for claim in task.claims]
    more = judging.judge(
        exercise, files, ("browser",), claims=claims, warm=warm, tracebacks=tracebacks
    )
    judgement.results += more.results
    judgement.layers = ("client", "browser")
    judgement.output += more.output
    judgement.hung = judgement.hung or more.hung
    return judgement


# --- the commands ----------------------------------------------------------------------------


def check(workspace: Workspace, exercise: Exercise | None, args) -> int:
    exercise = at_hand(workspace, exercise)
    files = files_of(workspace, exercise)
    # With --browser two pytest runs and the lesson's servers start: one warm parent pays for
    # their imports once.
    warm = judging.warm_parent() if args.browser else None
    if warm:
        warm.start()
    try:
        judgement = judge_once(
            exercise, files, browser=args.browser, warm=warm, tracebacks=args.traceback
        )
    finally:
        if warm:
            warm.stop()
    record(workspace, judgement)
    print(verdict.render(judgement, files, traceback=args.traceback))
    if args.traceback and judgement.output:
        print(judgement.output)
    done = all(judgement.task_state(t) == "done" for t in exercise.tasks)
    return 0 if done and not judgement.import_error else 1


def hint(workspace: Workspace, exercise: Exercise | None, args) -> int:
    exercise = at_hand(workspace, exercise)
    task = task_at_hand(workspace, exercise)
    if task is None:
        print(f"Exercise {exercise.id} is done: no hint needed. `nox -s exercise` goes on.")
        return 0
    progress = workspace.progress()
    seen = progress.hints.setdefault(exercise.id, {})
    step = min(seen.get(str(task.number), 0), len(task.steps) - 1)
    seen[str(task.number)] = step + 1
    workspace.save(progress)
    print(f"Exercise {exercise.id}, task {task.number}: {task.title}")
    print(f"Hint {step + 1} of {len(task.steps)}: {task.steps[step]}")
    if step + 1 == len(task.steps):
        print(f"That was the last hint. The code: nox -s exercise -- solution {exercise.id}")
    return 0


def reset(workspace: Workspace, exercise: Exercise | None, args) -> int:
    if exercise is None:
        print("error: reset which exercise? e.g. nox -s exercise -- reset 05", file=sys.stderr)
        return 2
    for backup in workspace.reset(exercise):
        print(f"kept your previous file as {workspace.show(backup)}")
    for path in workspace.files(exercise).values():
        print(f"{workspace.show(path)} is the lesson's module again, every task to do")
    return 0


def solution(workspace: Workspace, exercise: Exercise | None, args) -> int:
    exercise = at_hand(workspace, exercise)
    files = files_of(workspace, exercise)
    for variant, path in files.items():
        theirs = path.read_text().splitlines(keepends=True)
        lesson = exercise.solution_file(variant).splitlines(keepends=True)
        diff = difflib.unified_diff(
            theirs, lesson, f"{workspace.show(path)} (yours)", f"{variant}.py (the lesson's)"
        )
        text = "".join(diff)
        print(text or f"{workspace.show(path)} is the lesson's code already.")
    return 0


def listing(workspace: Workspace, exercise: Exercise | None, args) -> int:
    progress = workspace.progress()
    current = progress.current
    print(f"{'':2}{'#':<4}{'exercise':<44}{'tasks':>7}  {'claims proven':<26}")
    for each in model.exercises():
        done = len(progress.done.get(each.id, []))
        total = len(judging.all_claims(each))
        proven = progress.proven.get(each.id, {})
        claims = "  ".join(
            f"{len(proven[layer])}/{total} {layer}"
            for layer in ("client", "browser")
            if layer in proven
        )
        mark = "→" if each.id == current else ("✓" if done == len(each.tasks) else " ")
        tasks = f"{done:>3}/{len(each.tasks):<3}"
        print(f"{mark:<2}{each.id:<4}{each.title[:42]:<44}{tasks}  {claims or '—'}")
    print("\n`nox -s exercise -- NN` works on exercise NN; `nox -s exercise` on the one marked →.")
    return 0


def serve(workspace: Workspace, exercise: Exercise | None, args) -> int:
    exercise = at_hand(workspace, exercise)
    files = files_of(workspace, exercise)
    error = compile_error(files)
    if error:
        print(f"error: {verdict.shown_where(error['where'])}: {error['message']}", file=sys.stderr)
        return 1
    variant, path = next(iter(files.items()))
    command = [sys.executable, "-m", "playground.run", exercise.id, "--port", str(args.port)]
    command += ["--variant", variant, "--app-file", str(path), *exercise.lesson.run_args]
    print(f"Serving your {workspace.show(path)} as lesson {exercise.id}:")
    sys.stdout.flush()
    os.chdir(manifest.ROOT)
    os.execv(sys.executable, command)  # the runner, in this process: Ctrl-C stops it


def watch(workspace: Workspace, exercise: Exercise | None, args) -> int:
    with workspace.watching():
        return Watcher(workspace, at_hand(workspace, exercise), args).run()


COMMANDS = {
    "watch": watch,
    "list": listing,
    "hint": hint,
    "reset": reset,
    "solution": solution,
    "check": check,
    "serve": serve,
}


class Watcher:
    """Judges every save of the learner's files, moving on as tasks and exercises are done."""

    KEYS = "keys (then Enter): h hint · t the pytest report · l list · q quit"

    def __init__(self, workspace: Workspace, exercise: Exercise, args):
        self.workspace, self.exercise, self.args = workspace, exercise, args
        self.warm = judging.warm_parent()
        self.last: Judgement | None = None
        self.interactive = sys.stdin.isatty()

    def run(self) -> int:
        print("Warming up the judge (once)…", flush=True)
        self.warm.start()
        try:
            self.open()
            while True:
                self.step()
        finally:
            self.warm.stop()

    def open(self) -> None:
        self.files = self._files()
        task = task_at_hand(self.workspace, self.exercise)
        print(f"\nExercise {self.exercise.id} · {self.exercise.title}")
        for path in self.files.values():
            print(f"  Open {self.workspace.show(path)} in your editor: every save is judged.")
        if task:
            print(f"  At hand: task {task.number}/{len(self.exercise.tasks)} · {task.title}")
        print(f"  {self.KEYS}" if self.interactive else "  Ctrl-C to stop.")
        self.stamps = self._stamps()
        self.judge()

    def _files(self) -> dict[str, Path]:
        while True:
            try:
                return files_of(self.workspace, self.exercise)
            except Missing as missing:
                print(f"{missing}. Waiting for it (or press r + Enter to make it anew).")
                while not self._key_or_file("r"):
                    pass
                if not all(
                    self.workspace.file(self.exercise, v).exists() for v in self.exercise.variants
                ):
                    self.workspace.reset(self.exercise)

    def _key_or_file(self, key: str) -> bool:
        """Wait a moment; True if the learner typed ``key`` or the files are back."""
        if self.interactive:
            ready, _, _ = select.select([sys.stdin], [], [], POLL_S * 4)
            if ready and sys.stdin.readline().strip().lower() == key:
                return True
        else:
            time.sleep(POLL_S * 4)
        return all(self.workspace.file(self.exercise, v).exists() for v in self.exercise.variants)

    def _stamps(self):
        stamps = {}
        for path in self.files.values():
            try:
                info = path.stat()
                stamps[path] = (info.st_mtime_ns, info.st_size)
            except FileNotFoundError:
                stamps[path] = None
        return stamps

    def step(self) -> None:
        if self.interactive:
            ready, _, _ = select.select([sys.stdin], [], [], POLL_S)
            if ready:
                self.key(sys.stdin.readline().strip().lower())
        else:
            time.sleep(POLL_S)
        stamps = self._stamps()
        if stamps == self.stamps:
            return
        self.stamps = stamps
        if None in stamps.values():
            self.open()  # a file was deleted: say so, and wait for it
            return
        self.judge()

    def key(self, key: str) -> None:
        if key == "q":
            raise KeyboardInterrupt
        if key == "h":
            hint(self.workspace, self.exercise, self.args)
        elif key == "l":
            listing(self.workspace, self.exercise, self.args)
        elif key == "t":
            self.judge(tracebacks=True)
        elif key:
            print(self.KEYS)

    def judge(self, tracebacks: bool = False) -> None:
        started = time.monotonic()
        before = set(self.workspace.progress().done.get(self.exercise.id, []))
        judgement = judge_once(
            self.exercise, self.files, browser=False, warm=self.warm, tracebacks=tracebacks
        )
        self.last = judgement
        record(self.workspace, judgement)
        print()
        print(verdict.render(judgement, self.files, traceback=tracebacks))
        if tracebacks:
            print(judgement.output)
        print(f"── judged in {time.monotonic() - started:.2f} s, {time.strftime('%H:%M:%S')} ──")
        after = set(self.workspace.progress().done.get(self.exercise.id, []))
        for task in self.exercise.tasks:
            if task.number in after - before:
                print(f"✓ Task {task.number} done: {task.title} — {', '.join(task.claims)} proven.")
        if len(after) == len(self.exercise.tasks):
            self.next_exercise()
        elif after - before:
            task = task_at_hand(self.workspace, self.exercise)
            print(f"Next: task {task.number}/{len(self.exercise.tasks)} · {task.title}")

    def next_exercise(self) -> None:
        print(
            f"Exercise {self.exercise.id} is done. Prove it in Chromium too: "
            f"nox -s exercise -- check --browser {self.exercise.id}"
        )
        progress = self.workspace.progress()
        following = [
            e
            for e in model.exercises()
            if len(progress.done.get(e.id, [])) < len(e.tasks) and e.id > self.exercise.id
        ]
        if not following:
            print("That was the last unfinished exercise. Well done.")
            raise KeyboardInterrupt
        self.exercise = following[0]
        self.open()
