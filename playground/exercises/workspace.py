"""The learner's folder: their exercise files, their progress, backups, and the one-watcher lock.

``workspace/`` at the project's root (ignored by git, so a learner's clone stays clean), made on
first use: ``workspace/lesson05_rooms/app.py`` is the learner's copy of the lesson's module,
``workspace/progress.json`` what was proven and which hints were given. Nothing in it is ever
lost: ``reset`` and a regenerated file first put the old one under ``<folder>/.backups/``, and a
progress file that cannot be read is set aside and started anew.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from playground.exercises.model import Exercise
from playground.manifest import ROOT

DEFAULT = ROOT / "workspace"
PROGRESS = "progress.json"
LOCK = ".watch.lock"
README = """\
# Your exercises

Your own copies of the lessons' modules, for `nox -s exercise`. This folder is yours: the
project's git ignores it. To keep your work, copy it elsewhere or run `git init` in it.

- `lessonNN_<topic>/app.py`: the file you write (open the one `nox -s exercise` names).
- `progress.json`: which tasks are done and which hints you have seen (safe to delete).
- `.backups/`: what `reset` replaced, with the time it did.
"""


class WorkspaceError(Exception):
    """Something about the workspace the learner must know, in one line."""


@dataclass
class Progress:
    """What ``progress.json`` keeps, per exercise id: done tasks, hints seen, claims proven."""

    done: dict[str, list[int]]
    hints: dict[str, dict[str, int]]  # exercise -> task number (as text) -> hints seen
    proven: dict[str, dict[str, list[str]]]  # exercise -> layer -> claims proven last time
    current: str | None = None  # the exercise the learner works on

    @classmethod
    def empty(cls) -> Progress:
        return cls(done={}, hints={}, proven={})


class Workspace:
    def __init__(self, root: Path = DEFAULT):
        self.root = Path(root)
        self.notes: list[str] = []  # what was done that the learner should be told

    # --- files ---------------------------------------------------------------------------

    def folder(self, exercise: Exercise) -> Path:
        return self.root / exercise.lesson.package

    def file(self, exercise: Exercise, variant: str) -> Path:
        return self.folder(exercise) / f"{variant}.py"

    def files(self, exercise: Exercise) -> dict[str, Path]:
        """The learner's files of an exercise (variant -> path), made if they do not exist."""
        self.root.mkdir(parents=True, exist_ok=True)
        readme = self.root / "README.md"
        if not readme.exists():
            readme.write_text(README)
        found = {}
        for variant in exercise.variants:
            path = self.file(exercise, variant)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(exercise.starting_file(variant))
                self.notes.append(f"created {self.show(path)} (the lesson's module, tasks to do)")
            found[variant] = path
        return found

    def reset(self, exercise: Exercise) -> list[Path]:
        """Start an exercise again: its files anew, the old ones kept in .backups/."""
        backups = []
        for variant in exercise.variants:
            path = self.file(exercise, variant)
            if path.exists():
                backups.append(self.backup(path))
                path.unlink()
        progress = self.progress()
        for part in (progress.done, progress.hints, progress.proven):
            part.pop(exercise.id, None)
        self.save(progress)
        self.files(exercise)
        return backups

    def backup(self, path: Path) -> Path:
        folder = path.parent / ".backups"
        folder.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
        target.write_bytes(path.read_bytes())
        return target

    def show(self, path: Path) -> str:
        """A path as the learner would type it from the project's root."""
        with contextlib.suppress(ValueError):
            return str(path.relative_to(Path.cwd()))
        return str(path)

    # --- progress --------------------------------------------------------------------------

    def progress(self) -> Progress:
        path = self.root / PROGRESS
        if not path.exists():
            return Progress.empty()
        try:
            data = json.loads(path.read_text())
            progress = Progress(
                done={k: [int(n) for n in v] for k, v in data.get("done", {}).items()},
                hints={k: {t: int(n) for t, n in v.items()} for k, v in data["hints"].items()},
                proven={
                    k: {layer: list(claims) for layer, claims in v.items()}
                    for k, v in data.get("proven", {}).items()
                },
                current=data.get("current"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            kept = self.backup(path)
            path.unlink()
            self.notes.append(
                f"{self.show(path)} could not be read ({type(error).__name__}: {error}); "
                f"kept it as {self.show(kept)} and started the progress anew "
                "(your files are untouched; the next check recomputes what is done)"
            )
            return Progress.empty()
        return progress

    def save(self, progress: Progress) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / PROGRESS
        data = {
            "done": progress.done,
            "hints": progress.hints,
            "proven": progress.proven,
            "current": progress.current,
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, path)  # never half written

    # --- one watcher at a time -------------------------------------------------------------

    @contextlib.contextmanager
    def watching(self):
        """Held while a watcher runs; a second one is told who holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK
        with path.open("a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                raise WorkspaceError(
                    f"another watcher ({holder}) is watching {self.show(self.root)}; "
                    "stop it first, or run a single check: nox -s exercise -- check"
                ) from None
            lock.seek(0)
            lock.truncate()
            lock.write(f"pid {os.getpid()}")
            lock.flush()
            try:
                yield
            finally:
                lock.seek(0)
                lock.truncate()
                fcntl.flock(lock, fcntl.LOCK_UN)
