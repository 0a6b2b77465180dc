"""The ordered lesson manifest (lessons/lessons.toml) and what each entry points to."""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS_DIR = ROOT / "lessons"
MANIFEST = LESSONS_DIR / "lessons.toml"


@dataclass(frozen=True)
class Lesson:
    id: str
    slug: str
    title: str
    summary: str
    variants: tuple[str, ...]
    # Why the playground must run this lesson in a process of its own (else it shares one).
    own_process: str = ""
    # Runner options this lesson always runs with (e.g. ("--monkey-patch",)), wherever it runs.
    run_args: tuple[str, ...] = ()
    # The runner starts a private redis-server for it unless given --message-queue.
    needs_redis: bool = False
    # The runner serves it as a deployment: gunicorn servers behind nginx (playground/deployment).
    deployed: bool = False
    # Why the lesson has no exercise (lessons/<package>/exercise.toml), if it has none.
    no_exercise: str = ""

    @property
    def package(self) -> str:
        return f"lesson{self.id}_{self.slug}"

    @property
    def path(self) -> Path:
        return LESSONS_DIR / self.package

    @property
    def doc_page(self) -> str:
        """The guide page, relative to docs/."""
        return f"lessons/{self.id}-{self.slug.replace('_', '-')}.md"

    @property
    def guide_url(self) -> str:
        """The guide page in the built guide, relative to its root (mkdocs' directory URLs)."""
        return self.doc_page.removesuffix(".md") + "/"

    @property
    def tests_path(self) -> Path:
        return ROOT / "tests" / self.package

    def create_app(self, variant: str | None = None, **config):
        """Import the variant's module and return its ``(app, socketio)``."""
        variant = variant or self.variants[0]
        if variant not in self.variants:
            raise LookupError(f"lesson {self.id} has no variant {variant!r}: {self.variants}")
        module = importlib.import_module(f"lessons.{self.package}.{variant}")
        return module.create_app(**config)


@cache
def lessons() -> tuple[Lesson, ...]:
    with MANIFEST.open("rb") as f:
        entries = tomllib.load(f)["lesson"]
    return tuple(
        Lesson(
            id=e["id"],
            slug=e["slug"],
            title=e["title"],
            summary=e["summary"],
            variants=tuple(e.get("variants", ["app"])),
            own_process=e.get("own_process", ""),
            run_args=tuple(e.get("run_args", ())),
            needs_redis=e.get("needs_redis", False),
            deployed=e.get("deployed", False),
            no_exercise=e.get("no_exercise", ""),
        )
        for e in entries
    )


def neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The lessons before and after ``lesson``, in teaching order (None at either end)."""
    order = lessons()
    index = [listed.id for listed in order].index(lesson.id)
    return (
        order[index - 1] if index else None,
        order[index + 1] if index + 1 < len(order) else None,
    )


def find(key: str) -> Lesson:
    """A lesson by id ("01", "1") or slug ("namespaces"); LookupError names the valid ones."""
    wanted = key.strip().lower()
    for lesson in lessons():
        if wanted in (lesson.id, lesson.slug) or (
            wanted.isdigit() and int(wanted) == int(lesson.id)
        ):
            return lesson
    valid = ", ".join(f"{lesson.id} ({lesson.slug})" for lesson in lessons())
    raise LookupError(f"unknown lesson {key!r}; valid lessons: {valid}")


def by_package(package: str) -> Lesson:
    """The lesson whose package is ``package`` (e.g. ``lessons.lesson01_namespaces.app``)."""
    name = package.split(".")[1] if package.startswith("lessons.") else package
    for lesson in lessons():
        if lesson.package == name:
            return lesson
    raise LookupError(f"{package!r} is not a lesson listed in {MANIFEST.name}")
