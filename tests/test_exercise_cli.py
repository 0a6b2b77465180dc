"""What a learner sees: a file that does not load, a wrong answer, a hang, a bad workspace."""

import json
import queue
import subprocess
import sys
import threading

import pytest

from playground.exercises import cli, model, verdict
from playground.exercises import judge as judging
from playground.exercises.workspace import Workspace
from playground.manifest import ROOT
from tests.utils import WAIT_S, wait_until

ROOMS = model.find("05")
[JOIN_AND_SAY, *_] = ROOMS.tasks
SAY = '        emit("said", {"room": room, "from": request.sid, "text": text}, to=room)\n'


@pytest.fixture
def workspace(tmp_path):
    return Workspace(tmp_path / "workspace")


def learner_file(workspace, written=(JOIN_AND_SAY,), change=None):
    """Lesson 05's file as a learner has it: ``written`` tasks done, ``change(text)`` applied."""
    path = workspace.files(ROOMS)["app"]
    text = ROOMS.render("app", written)
    path.write_text(change(text) if change else text)
    return {"app": path}


def test_a_file_that_does_not_parse_is_one_line_with_file_and_line(workspace):
    files = learner_file(
        workspace, change=lambda text: text.replace("def join(room):", "def join(room)")
    )
    judgement = cli.judge_once(ROOMS, files, browser=False)

    shown = verdict.render(judgement, files)
    line = next(
        n
        for n, text in enumerate(files["app"].read_text().splitlines(), 1)
        if "def join(room)" in text
    )
    assert f"✗ your file does not load: {verdict.shown(files['app'])}:{line}: SyntaxError" in shown
    assert judgement.results == []  # nothing was run: pytest never started


def test_a_file_that_fails_to_import_names_the_line(workspace, judge_warm):
    files = learner_file(
        workspace, change=lambda text: text.replace("    join_room,\n", "    join_rom,\n")
    )
    judgement = judging.judge(ROOMS, files, warm=judge_warm)

    assert judgement.import_error["message"].startswith(
        "ImportError: cannot import name 'join_rom'"
    )
    assert judgement.import_error["where"].startswith(f"{files['app'].resolve()}:")
    assert "your file does not load" in verdict.render(judgement, files)


def test_a_wrong_answer_names_the_claim_the_test_and_what_came(workspace, judge_warm):
    # `say` emits to the sender only: the room's other members hear nothing.
    files = learner_file(
        workspace, change=lambda text: text.replace(SAY, SAY.replace(", to=room", ""))
    )
    judgement = judging.judge(ROOMS, files, warm=judge_warm)

    assert judgement.task_state(JOIN_AND_SAY) == "failing"
    shown = verdict.render(judgement, files)
    assert "✗ L05.1  `join_room(room)` puts the sender in a room" in shown
    assert (
        "✗ emit to a room reaches its members only   tests/lesson05_rooms/test_client.py:" in shown
    )
    assert "got      []   (nothing)" in shown
    assert "expected [{'name': 'said'" in shown
    assert "Traceback" not in shown  # the traceback is a flag away, never the verdict


def test_a_handler_that_hangs_times_out_and_names_its_claim(workspace, judge_warm):
    hang = "        import time; time.sleep(3600)\n"
    files = learner_file(workspace, change=lambda text: text.replace(SAY, hang + SAY))
    judgement = judging.judge(ROOMS, files, warm=judge_warm, claims=["L05.1"], timeout_scale=0.2)

    hung = [r for r in judgement.results if r.outcome == "timeout"]
    assert len(hung) >= 2 and all("L05.1" in r.claims for r in hung)
    shown = verdict.render(judgement, files)
    # The first hang is given the whole time (10 s scaled to 2 s); those after it a tenth, 1 s at
    # least: one hang says where, and the verdict does not wait for every test that calls it.
    assert shown.count("timed out: still running after 2 s — a handler that never returns?") == 1
    assert "timed out: still running after 1 s — a handler that never returns?" in shown
    assert f"{verdict.shown(files['app'])}:" in shown  # where it was when it was stopped


def test_the_task_at_hand_is_done_when_its_claims_pass(workspace, judge_warm):
    files = learner_file(workspace)
    judgement = judging.judge(ROOMS, files, warm=judge_warm)

    assert judgement.task_state(JOIN_AND_SAY) == "done"
    assert verdict.current_task(ROOMS, judgement) is ROOMS.tasks[1]
    cli.record(workspace, judgement)
    assert workspace.progress().done["05"] == [1]


def test_a_progress_file_that_cannot_be_read_is_set_aside_not_lost(workspace):
    workspace.root.mkdir(parents=True)
    (workspace.root / "progress.json").write_text('{"done": {"05": [1]}, "hints": ')  # cut short

    progress = workspace.progress()

    assert progress.done == {}
    [kept] = (workspace.root / ".backups").glob("progress.*.json")
    assert kept.read_text().startswith('{"done": {"05": [1]}')
    assert (
        "could not be read" in workspace.notes[0]
        and "started the progress anew" in workspace.notes[0]
    )


def test_reset_keeps_a_backup_and_a_deleted_file_is_offered_anew(workspace):
    files = learner_file(workspace)
    progress = workspace.progress()
    progress.done["05"] = [1]
    workspace.save(progress)
    files["app"].unlink()

    with pytest.raises(cli.Missing, match=r"is gone; `nox -s exercise -- reset 05` makes it anew"):
        cli.files_of(workspace, ROOMS)
    files["app"].write_text("# my work\n")
    [backup] = workspace.reset(ROOMS)
    assert backup.read_text() == "# my work\n"
    assert files["app"].read_text() == ROOMS.starting_file("app")
    assert "05" not in workspace.progress().done


def test_hints_come_in_steps_and_end_with_the_guide(workspace, capsys):
    shown = []
    for _ in range(len(JOIN_AND_SAY.steps) + 1):
        cli.hint(workspace, ROOMS, None)
        shown.append(capsys.readouterr().out)
    assert all(f"Hint {n} of 3" in text for n, text in zip([1, 2, 3, 3], shown, strict=True))
    assert "docs/lessons/05-rooms.md#joining-and-leaving" in shown[2]
    assert "solution 05" in shown[3]
    assert "join_room(room)" not in shown[0]  # the first step is a nudge, not the API


def test_the_solution_is_a_diff_of_the_lessons_code_against_yours(workspace, capsys):
    learner_file(workspace, written=())
    cli.solution(workspace, ROOMS, None)
    diff = capsys.readouterr().out
    assert "-    # TODO: Handle `join(room)` and `leave(room)`" in diff
    assert "+        join_room(room_name(room))  # the room is created on first use" in diff


def test_watch_judges_every_save_and_a_second_watcher_is_told_who_watches(workspace):
    learner_file(workspace, written=())
    command = [
        sys.executable,
        "-m",
        "playground.exercises",
        "05",
        "--workspace",
        str(workspace.root),
    ]
    watcher = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in watcher.stdout], daemon=True
    ).start()
    seen = []

    def until(text):
        def found():
            while not lines.empty():
                seen.append(lines.get())
            return any(text in line for line in seen)

        wait_until(found, f"{text!r} in the watcher's output:\n{''.join(seen)}", timeout=WAIT_S * 6)
        del seen[:]

    try:
        until("── judged in")
        second = subprocess.run(
            command, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        assert second.returncode == 1
        assert f"another watcher (pid {watcher.pid}) is watching" in second.stderr

        learner_file(workspace)  # the learner writes task 1 and saves
        until("✓ Task 1 done: Join a room, leave it, talk to it — L05.1, L05.2 proven.")
        assert json.loads((workspace.root / "progress.json").read_text())["done"]["05"] == [1]
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
        watcher.stdout.close()


WALKTHROUGH = ROOT / "docs" / "assets" / "exercises"


def test_the_guides_walkthrough_is_what_the_judge_prints(workspace, judge_warm, request):
    """The Exercises page shows these verdicts; `nox -s screenshots` writes them anew."""
    wrong = {"change": lambda text: text.replace(SAY, SAY.replace(", to=room", ""))}
    steps = {"05-start": {"written": ()}, "05-wrong": wrong, "05-task-1-done": {}}
    shown = {}
    for name, how in steps.items():
        files = learner_file(workspace, **how)
        text = verdict.render(judging.judge(ROOMS, files, warm=judge_warm), files)
        shown[name] = text.replace(str(workspace.root), "workspace")
    assert "← now" in shown["05-start"].splitlines()[1]
    assert "got      []   (nothing)" in shown["05-wrong"]
    assert "  ✓ Task 1/5  Join a room, leave it, talk to it" in shown["05-task-1-done"]
    starting = ROOMS.starting_file("app").splitlines()
    first = next(n for n, line in enumerate(starting) if "# ── Task 1/5" in line)
    last = max(n for n, line in enumerate(starting) if "# ── end of task 1 " in line)
    shown["05-starting-file"] = "\n".join(starting[first : last + 1])
    if request.config.getoption("--screenshots"):
        WALKTHROUGH.mkdir(parents=True, exist_ok=True)
        for name, text in shown.items():
            (WALKTHROUGH / f"{name}.txt").write_text(text + "\n")
