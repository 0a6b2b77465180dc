"""Start-up: how long ``nox -s lesson -- 05`` takes to print its URL, beside the runner alone.

Run with ``python3 scripts/startup.py [--runs 5] [--lesson 05]`` (standard library only). A first,
uncounted run of each makes the lesson's environment if needed; then the two commands take turns,
and the medians are printed side by side with their ratio. Exits 1 when nox takes more than
RATIO_FLOOR times the runner's time: nox's own share must stay small once the environment exists.
Beside the wall-clock seconds, the CPU seconds its processes used until then (from /proc, so
Linux only), which a busy machine disturbs less.
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
LESSON_PYTHON = ROOT / ".nox" / "project" / "bin" / "python"  # the env `nox -s lesson` shares


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


def seconds_to_url(argv: list[str]) -> tuple[float, float]:
    """(wall-clock seconds until the URL is printed, CPU seconds its processes used until then)."""
    server = UntilURL(argv)
    started = time.monotonic()
    server.start()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(server.process.pid)
    server.stop()
    return elapsed, cpu


def cpu_seconds(group: int) -> float:
    """CPU time of the processes in a process group, and of the children they have waited for."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == group:  # after the name: state, ppid, pgrp, ...
            ticks += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


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
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for argv in commands.values():  # uncounted: makes .nox/project if it is missing
        seconds_to_url(argv)
    for _ in range(args.runs):
        for name, argv in commands.items():
            times[name].append(seconds_to_url(argv))

    def median(name: str, which: int) -> float:
        return statistics.median(run[which] for run in times[name])

    nox_name, runner_name = commands
    print(f"Lesson {args.lesson}, median of {args.runs} runs each, taking turns:")
    print(f"  {'':<36}{'to the URL':>11}{'CPU':>9}   (each run's seconds to the URL)")
    for name in commands:
        runs = " ".join(f"{wall:.2f}" for wall, _ in times[name])
        print(f"  {name:<36}{median(name, 0):>9.2f} s{median(name, 1):>7.2f} s   ({runs})")
    ratio = median(nox_name, 0) / median(runner_name, 0)
    cpu_ratio = median(nox_name, 1) / median(runner_name, 1)
    verdict = "ok" if ratio <= RATIO_FLOOR else "OVER"
    print(f"  ratio nox / runner: {ratio:.2f} to the URL (floor {RATIO_FLOOR}) {verdict}, ", end="")
    print(f"{cpu_ratio:.2f} in CPU")
    return 0 if ratio <= RATIO_FLOOR else 1


if __name__ == "__main__":
    sys.exit(main())
