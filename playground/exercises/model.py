"""What an exercise is, and the learner's files, made from the lesson's own code.

Each lesson has one exercise, ``lessons/<package>/exercise.toml`` (rustlings' info.toml habit):
tasks, each a snippet section of the lesson's module (the sections the guide shows) that the
learner writes, the claims whose tests judge it, what to build, and graded hints. The learner's
starting file is the lesson's module with each task's section replaced by a TODO, so an
exercise cannot drift from its lesson: no copy of a lesson is kept by hand.
"""

from __future__ import annotations

import re
import textwrap
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from playground import manifest
from playground.claims import claims_of
from playground.manifest import ROOT, Lesson

EXERCISE_FILE = "exercise.toml"
TASKS_PER_EXERCISE = range(2, 6)  # 2 to 5
HINTS_PER_TASK = range(1, 3)  # 1 or 2, then the guide: 2 or 3 steps in all
MARKER = re.compile(r"^(?P<indent>[ \t]*)# --8<-- \[(?P<kind>start|end):(?P<name>[\w-]+)\]\s*$")
# What the learner's file says around each task; also how their file's tasks are found again.
TASK_BEGIN = re.compile(r"^[ \t]*# ── Task (?P<number>\d+)/\d+ · ")
TASK_END = re.compile(r"^[ \t]*# ── end of task (?P<number>\d+) ")
WIDTH = 96  # of the TODO comment


@dataclass(frozen=True)
class Task:
    number: int  # from 1, in the order of exercise.toml
    sections: tuple[str, ...]  # the snippet sections of the module that the learner writes
    title: str
    claims: tuple[str, ...]  # whose tests judge it: it is done when they all pass
    todos: tuple[str, ...]  # what to build, one for each section, in the learner's file
    hints: tuple[str, ...]  # a nudge, then the API to use
    guide: str  # where the guide explains it: "lessons/05-rooms.md#joining-and-leaving"
    variant: str  # the module of the lesson it is in ("app" unless the task says)

    @property
    def steps(self) -> tuple[str, ...]:
        """The hints in the order they are given; the last one points to the guide."""
        page, _, anchor = self.guide.partition("#")
        return (*self.hints, f"The guide explains it: docs/{page}#{anchor} ({guide_heading(self)})")


@dataclass(frozen=True)
class Exercise:
    lesson: Lesson
    tasks: tuple[Task, ...]

    @property
    def id(self) -> str:
        return self.lesson.id

    @property
    def title(self) -> str:
        return self.lesson.title

    @property
    def variants(self) -> tuple[str, ...]:
        """The lesson's modules the learner writes, in the lesson's order."""
        used = {task.variant for task in self.tasks}
        return tuple(variant for variant in self.lesson.variants if variant in used)

    def module_path(self, variant: str) -> Path:
        return self.lesson.path / f"{variant}.py"

    def starting_file(self, variant: str) -> str:
        """The lesson's module with every task of it left for the learner (a TODO each)."""
        return self.render(variant, done=())

    def task_of_claim(self) -> dict[str, int]:
        """Each claim the tasks judge -> the number of the first task that judges it."""
        found = {}
        for task in self.tasks:
            for claim in task.claims:
                found.setdefault(claim, task.number)
        return found

    def solution_file(self, variant: str) -> str:
        """The learner's file with every task written as the lesson writes it."""
        return self.render(variant, done=self.tasks)

    def render(self, variant: str, done) -> str:
        """The learner's file with the tasks in ``done`` written out, the others left to do."""
        done = {task.number for task in done}
        sections = {
            section: (task, todo)
            for task in self.tasks
            if task.variant == variant
            for section, todo in zip(task.sections, task.todos, strict=True)
        }
        lines, skipping = [], False
        for line in self.module_path(variant).read_text().splitlines(keepends=True):
            mark = MARKER.match(line)
            if not mark:
                if not skipping:
                    lines.append(line)
                continue
            if mark["name"] not in sections:
                continue  # a section only the guide cares about: no mark in the learner's file
            task, todo = sections[mark["name"]]
            indent = mark["indent"]
            if mark["kind"] == "start":
                lines += self._begin(task, indent)
                skipping = task.number not in done
                if skipping:
                    lines += self._todo(todo, indent)
            else:
                skipping = False
                lines.append(f"{indent}# ── end of task {task.number} {'─' * 20}\n")
        return "".join(lines)

    def _begin(self, task: Task, indent: str) -> list[str]:
        claims = ", ".join(task.claims)
        head = f"{indent}# ── Task {task.number}/{len(self.tasks)} · {task.title} "
        return [f"{head}{'─' * max(3, WIDTH - len(head) - len(claims) - 12)} judged by {claims}\n"]

    def _todo(self, todo: str, indent: str) -> list[str]:
        body = textwrap.wrap(todo, WIDTH - len(indent) - 8)
        todo = [f"{indent}# TODO: {body[0]}\n", *(f"{indent}#       {line}\n" for line in body[1:])]
        return [*todo, f"{indent}#       Stuck? nox -s exercise -- hint\n"]


@cache
def exercise(lesson: Lesson) -> Exercise:
    """The lesson's exercise, read from its exercise.toml."""
    path = lesson.path / EXERCISE_FILE
    with path.open("rb") as f:
        entries = tomllib.load(f).get("task", [])
    tasks = tuple(
        Task(
            number=number,
            sections=tuple(entry["sections"]),
            title=entry["title"],
            claims=tuple(entry["claims"]),
            todos=tuple(" ".join(todo.split()) for todo in entry["todo"]),
            hints=tuple(" ".join(hint.split()) for hint in entry.get("hints", ())),
            guide=entry["guide"],
            variant=entry.get("variant", lesson.variants[0]),
        )
        for number, entry in enumerate(entries, start=1)
    )
    return Exercise(lesson, tasks)


@cache
def exercises() -> tuple[Exercise, ...]:
    """Every lesson's exercise, in the manifest's order (lessons.toml says why one has none)."""
    return tuple(exercise(lesson) for lesson in manifest.lessons() if not lesson.no_exercise)


def find(key: str) -> Exercise:
    """The exercise of a lesson, by id or slug (LookupError names the valid ones, or says why
    the lesson has none)."""
    lesson = manifest.find(key)
    if lesson.no_exercise:
        raise LookupError(f"lesson {lesson.id} has no exercise: {lesson.no_exercise}")
    return exercise(lesson)


def slug(heading: str) -> str:
    """The anchor mkdocs gives a heading (Python-Markdown's toc slugify), code marks removed."""
    text = re.sub(r"[^\w\s-]", "", heading.replace("`", "")).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def guide_headings(page: str) -> dict[str, str]:
    """Anchor -> heading text, for every heading of a guide page (relative to docs/)."""
    headings = {}
    for line in (ROOT / "docs" / page).read_text().splitlines():
        if match := re.match(r"^#{1,6}\s+(.*?)\s*$", line):
            headings[slug(match[1])] = match[1].replace("`", "")
    return headings


def guide_heading(task: Task) -> str:
    page, _, anchor = task.guide.partition("#")
    return guide_headings(page).get(anchor, anchor)


def problems(exercise: Exercise) -> list[str]:
    """Why an exercise is not well made; empty when it is."""
    found, lesson = [], exercise.lesson
    where = f"{lesson.package}/{EXERCISE_FILE}"
    if len(exercise.tasks) not in TASKS_PER_EXERCISE:
        found.append(f"{where}: {len(exercise.tasks)} tasks; an exercise has 2 to 5")
    known = {claim.id for claim in claims_of(lesson)}
    for task in exercise.tasks:
        name = f"{where}: task {task.number} ({task.title})"
        if task.variant not in lesson.variants:
            found.append(f"{name}: {task.variant!r} is not a module of the lesson")
            continue
        source = exercise.module_path(task.variant).read_text()
        found += [
            f"{name}: no section {section!r} in {task.variant}.py"
            for section in task.sections
            if f"# --8<-- [start:{section}]" not in source
        ]
        if len(task.todos) != len(task.sections):
            found.append(f"{name}: one todo for each of its {len(task.sections)} sections")
        if not task.claims:
            found.append(f"{name}: names no claim to judge it")
        found += [
            f"{name}: {c} is no claim of lesson {lesson.id}" for c in task.claims if c not in known
        ]
        if len(task.hints) not in HINTS_PER_TASK:
            found.append(f"{name}: {len(task.hints)} hints before the guide; 1 or 2 are given")
        page, _, anchor = task.guide.partition("#")
        if page != lesson.doc_page:
            found.append(f"{name}: the guide link should be on {lesson.doc_page}, not {page}")
        elif anchor not in guide_headings(page):
            found.append(f"{name}: {task.guide} names no heading of the guide page")
    sections = [(task.variant, section) for task in exercise.tasks for section in task.sections]
    if len(set(sections)) != len(sections):
        found.append(f"{where}: a section is given to two tasks")
    return found
