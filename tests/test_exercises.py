"""Every exercise fits its lesson: made from it, judged by its tests, walkable task by task."""

import dataclasses
import urllib.request

import pytest

from playground import app_file, manifest
from playground.exercises import drift, model
from playground.exercises import judge as judging
from playground.lesson_process import LessonProcess

EXERCISES = model.exercises()
WALK = [(e, written) for e in EXERCISES for written in range(len(e.tasks) + 1)]


def walk_id(case) -> str:
    exercise, written = case
    return f"{exercise.id}-{written}of{len(exercise.tasks)}"


@pytest.mark.parametrize("lesson", manifest.lessons(), ids=lambda lesson: lesson.package)
def test_every_lesson_has_an_exercise_or_says_why_not(lesson):
    has_one = (lesson.path / model.EXERCISE_FILE).exists()
    assert has_one != bool(lesson.no_exercise), "an exercise.toml, or no_exercise in lessons.toml"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.lesson.package)
def test_the_exercise_is_well_made(exercise):
    assert model.problems(exercise) == []


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.lesson.package)
def test_with_every_task_written_the_file_is_the_lessons_code(exercise):
    for variant in exercise.variants:
        assert drift.same_code(exercise, variant)
        starting = exercise.starting_file(variant)
        assert starting.count("# TODO: ") == sum(
            len(t.sections) for t in exercise.tasks if t.variant == variant
        )
        assert "--8<--" not in starting  # the guide's marks are not the learner's business


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.lesson.package)
def test_the_starting_file_serves_the_lesson_page(exercise, tmp_path, monkeypatch):
    files = drift.write(exercise, tmp_path, written=0)
    for variant, path in files.items():
        module = f"lessons.{exercise.lesson.package}.{variant}"
        monkeypatch.setitem(app_file.replaced, module, path)
        args = ("--message-queue", "redis://127.0.0.1:1") if exercise.lesson.needs_redis else ()
        with LessonProcess(exercise.lesson, variant=variant, args=args) as server:
            assert f"--app-file {path}" in " ".join(server.command())
            with urllib.request.urlopen(server.url + "/") as page:
                assert exercise.title in page.read().decode()


@pytest.fixture(scope="module")
def walk(request, judge_warm, tmp_path_factory):
    """The steps of the walk this run selected, judged a few at once (drift.Walk)."""
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if item.originalname == "test_the_exercise_walks_task_by_task"
    ]
    walk = drift.Walk(selected, tmp_path_factory.mktemp("walk"), warm=judge_warm)
    yield walk
    walk.close()


@pytest.mark.parametrize("case", WALK, ids=walk_id)
def test_the_exercise_walks_task_by_task(case, walk):
    exercise, written = case
    assert walk.step(exercise, written).problems == []


class Broken(model.Exercise):
    """Lesson 05's exercise over a copy of its module in which `say` reaches the sender only."""

    def module_path(self, variant):
        return self.broken


def test_the_walk_fails_when_the_lesson_and_its_exercise_part(tmp_path, judge_warm):
    real = model.find("05")
    broken = Broken(real.lesson, real.tasks)
    object.__setattr__(broken, "broken", tmp_path / "app.py")
    source = real.module_path("app").read_text()
    assert 'to=room)\n        return "sent"' in source
    broken.broken.write_text(
        source.replace('to=room)\n        return "sent"', ')\n        return "sent"')
    )
    step = drift.step(broken, tmp_path / "walk", written=1, warm=judge_warm)
    assert any(p.startswith("L05.1 not proven with tasks 1..1 written") for p in step.problems)

    # A claim given to a task whose code does not decide it is caught where it is not proven.
    [first, second, *rest] = real.tasks
    misplaced = model.Exercise(
        real.lesson, (first, dataclasses.replace(second, claims=("L05.8",)), *rest)
    )
    step = drift.step(misplaced, tmp_path / "misplaced", written=2, warm=judge_warm)
    assert any(p.startswith("L05.8 not proven with tasks 1..2 written") for p in step.problems)


def test_a_test_of_claims_of_several_tasks_fails_for_the_latest_of_them():
    # Lesson 04's page scenario test proves L04.1 (task 1) and L04.2 (task 2): with task 1
    # written, `check --browser` must not show task 1 failing for want of task 2's handler.
    lesson04 = model.find("04")
    assert lesson04.task_of_claim()["L04.1"] == 1 and lesson04.task_of_claim()["L04.2"] == 2
    scenario = judging.Result("t::scenario", "failed", ["L04.1", "L04.2"], "browser", "scenario")
    own = judging.Result("t::own", "passed", ["L04.1"], "browser", "own")
    judgement = judging.Judgement(lesson04, ("client", "browser"), [scenario, own])

    assert judgement.proofs("L04.1") == [own] and judgement.claim_state("L04.1") == "proven"
    assert judgement.claim_state("L04.2") == "failing"  # the failure is task 2's
    scenario.outcome = "passed"  # and once it passes, it speaks for both
    assert judgement.proofs("L04.1") == [scenario, own]
