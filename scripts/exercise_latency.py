"""How long a learner waits for a verdict: edit → verdict in the exercise watcher, measured.

``nox -s exercise-latency`` starts the real watcher (``python -m playground.exercises 05``) on a
scratch workspace, saves lesson 05's file N times (a wrong answer and the right one in turn) and
times each save to the watcher's next "── judged in" line. Beside it, in the same run, the same
judgement as a fresh pytest process, which is what a watcher without a warm parent would cost.
"""

from __future__ import annotations

import argparse
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from playground.exercises import judge, model
from playground.manifest import ROOT
from scripts.measure import percentile

SAY = '        emit("said", {"room": room, "from": request.sid, "text": text}, to=room)\n'


def versions(exercise) -> tuple[str, str]:
    right = exercise.render("app", exercise.tasks[:1])
    return right.replace(SAY, SAY.replace(", to=room", "")), right


def watcher_latencies(saves: int, folder: Path) -> list[float]:
    exercise = model.find("05")
    wrong, right = versions(exercise)
    path = folder / exercise.lesson.package / "app.py"
    path.parent.mkdir(parents=True)
    path.write_text(right)
    command = [sys.executable, "-m", "playground.exercises", "05", "--workspace", str(folder)]
    watcher = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in watcher.stdout], daemon=True).start()

    def verdict(timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "── judged in" not in lines.get(timeout=max(0.01, deadline - time.monotonic())):
            pass

    latencies = []
    try:
        verdict()  # the first one, at start
        for n in range(saves):
            time.sleep(0.3)  # a learner does not save twice within a file-system tick
            saved = time.monotonic()
            path.write_text(wrong if n % 2 == 0 else right)
            verdict()
            latencies.append(time.monotonic() - saved)
    finally:
        watcher.terminate()
        watcher.wait(timeout=10)
    return latencies


def fresh_process_latencies(runs: int, folder: Path) -> list[float]:
    exercise = model.find("05")
    wrong, _ = versions(exercise)
    path = folder / "fresh" / "app.py"
    path.parent.mkdir()
    path.write_text(wrong)
    timings = []
    for _ in range(runs):
        started = time.monotonic()
        judge.judge(exercise, {"app": path})  # no warm parent: a new pytest process
        timings.append(time.monotonic() - started)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--fresh-runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warm = watcher_latencies(args.saves, Path(tmp) / "workspace")
        fresh = fresh_process_latencies(args.fresh_runs, Path(tmp))
    print(f"{'edit → verdict, lesson 05, test_client layer':<48}{'median':>9}{'p90':>9}{'max':>9}")
    for name, values in (
        (f"the watcher ({len(warm)} saves)", warm),
        (f"a fresh pytest ({len(fresh)} runs)", fresh),
    ):
        print(
            f"{name:<48}{percentile(values, 50):>8.2f}s{percentile(values, 90):>8.2f}s"
            f"{max(values):>8.2f}s"
        )
    ratio = percentile(fresh, 50) / percentile(warm, 50)
    print(f"the watcher answers {ratio:.1f} times sooner (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
