"""Start-up: how long ``nox -s lesson -- 05`` takes to print its URL, beside the runner alone.

Run with ``python3 scripts/startup.py [--runs 5] [--lesson 05]`` (standard library only). A first,
uncounted run of each makes the lesson's environment if needed; then the two commands take turns,
and the medians are printed side by side with their ratio. Exits 1 when nox takes more than
RATIO_FLOOR times the runner's time: nox's own share must stay small once the environment exists.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from playground.server_process import ServerProcess  # noqa: E402

RATIO_FLOOR = 1.5
LESSON_PYTHON = ROOT / ".nox" / "lesson" / "bin" / "python"  # the env `nox -s lesson` makes


class UntilURL(ServerProcess):
    """A command that serves a lesson on ``--port``: ready once it has printed its URL."""

    startup_timeout = 600.0  # the first run of nox may install the environment

    def __init__(self, argv: list[str]):
        super().__init__()
        self.argv = argv

    def command(self) -> list[str]:
        return [*self.argv, "--port", str(self.port)]

    def is_ready(self) -> bool:
        return f"http://127.0.0.1:{self.port}/" in self.read_output()

    def popen_options(self) -> dict:
        # Its own process group: stop() reaches nox's child too.
        return {"cwd": ROOT, "start_new_session": True}

    def _signal(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)


def seconds_to_url(argv: list[str]) -> float:
    server = UntilURL(argv)
    started = time.monotonic()
    server.start()
    elapsed = time.monotonic() - started
    server.stop()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lesson", default="05")
    args = parser.parse_args()
    commands = {
        f"python3 noxw.py -s lesson -- {args.lesson}": [
            *(sys.executable, str(ROOT / "noxw.py"), "-s", "lesson", "--", args.lesson)
        ],
        f"python -m playground.run {args.lesson}": [
            *(str(LESSON_PYTHON), "-m", "playground.run", args.lesson)
        ],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # uncounted: makes .nox/lesson if it is missing
        seconds_to_url(argv)
    for _ in range(args.runs):
        for name, argv in commands.items():
            times[name].append(seconds_to_url(argv))

    nox_name, runner_name = commands
    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians[nox_name] / medians[runner_name]
    print(f"Seconds to the printed URL, lesson {args.lesson}, median of {args.runs} runs:")
    for name, values in times.items():
        runs = " ".join(f"{value:.2f}" for value in values)
        print(f"  {name:<36}{medians[name]:>6.2f} s   (runs: {runs})")
    verdict = "ok" if ratio <= RATIO_FLOOR else "OVER"
    print(f"  ratio nox / runner: {ratio:.2f} (floor {RATIO_FLOOR}) {verdict}")
    return 0 if ratio <= RATIO_FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
