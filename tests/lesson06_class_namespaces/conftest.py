"""Lesson 06 has two variants: every test of this folder runs against each of them.

app.py writes the chat with decorators, app_ns.py with a Namespace class. The fixtures below
replace the suite's ``app_socketio`` and ``live_server`` with versions parametrized over
``lessons.toml``'s variants, so one set of tests, with one set of expected values, proves the two
variants identical; ids show which one ran (``test_x[app]``, ``test_x[app_ns]``).
"""

from pathlib import Path

import pytest

from playground import manifest
from playground.lesson_process import LessonProcess

VARIANTS = manifest.by_package(Path(__file__).parent.name).variants


# --8<-- [start:variants]
@pytest.fixture(params=VARIANTS)
def variant(request) -> str:
    """The module of the lesson under test: "app" (decorators) or "app_ns" (a class)."""
    return request.param


@pytest.fixture
def app_socketio(lesson, variant):
    return lesson.create_app(variant, ASYNC_MODE="threading", TESTING=True)


@pytest.fixture(scope="module", params=VARIANTS)
def live_server(lesson, request, server_mode):
    """One server per variant, started as ``python -m playground.run 06 --variant ...``."""
    server = LessonProcess(lesson, async_mode=server_mode, variant=request.param).start()
    yield server
    server.stop()


# --8<-- [end:variants]
