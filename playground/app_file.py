"""Serve a lesson from another file: the learner's copy of its app.py, in the exercises.

The learner's file is loaded under the lesson module's own name (``lessons.lesson05_rooms.app``),
so everything that imports the lesson — its create_app(), the runner, the lesson's own tests —
gets the learner's code instead, unchanged. The runner does it for ``--app-file``; the exercises'
pytest plugin does it in the test process.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from playground.manifest import Lesson


class AppFileError(Exception):
    """The learner's file could not be loaded; ``where`` is "file:line" when known."""

    def __init__(self, message: str, where: str = ""):
        super().__init__(message)
        self.where = where


# The lesson modules this process serves from other files, for the processes it starts (the
# exercises' judge sets it): module name (lessons.lesson05_rooms.app) -> the learner's file.
replaced: dict[str, Path] = {}


def module_name(lesson: Lesson, variant: str | None = None) -> str:
    return f"lessons.{lesson.package}.{variant or lesson.variants[0]}"


def runner_args(lesson: Lesson, variant: str | None = None) -> list[str]:
    """``["--app-file", path]`` for a process that must serve the replaced module, else []."""
    path = replaced.get(module_name(lesson, variant))
    return ["--app-file", str(path)] if path else []


def install(lesson: Lesson, path: Path, variant: str | None = None) -> ModuleType:
    """Load ``path`` as the lesson's module (its first variant unless told), replacing it.

    Raises AppFileError, with the file and line where Python stopped, if it does not import.
    """
    name = module_name(lesson, variant)
    path = Path(path).resolve()
    importlib.import_module(f"lessons.{lesson.package}")  # the package, for relative imports
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:
        raise AppFileError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        _restore(name, previous)
        raise AppFileError(
            f"SyntaxError: {error.msg}", f"{error.filename}:{error.lineno}"
        ) from error
    except Exception as error:
        _restore(name, previous)
        raise AppFileError(
            f"{type(error).__name__}: {error}", _where_in(path, error.__traceback__)
        ) from error
    setattr(sys.modules[f"lessons.{lesson.package}"], name.rsplit(".", 1)[1], module)
    return module


def _restore(name: str, previous: ModuleType | None) -> None:
    if previous is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = previous


def _where_in(path: Path, traceback) -> str:
    """The last line of ``path`` in a traceback, as "file:line" ("" if it is not in it)."""
    where = ""
    while traceback is not None:
        if Path(traceback.tb_frame.f_code.co_filename).resolve() == path:
            where = f"{path}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return where
