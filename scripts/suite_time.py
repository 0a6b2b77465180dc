"""Time the test suite here and in another git revision, side by side, from pytest --durations=0.

Run with ``nox -s suite-time`` (``-- --against REV --runs N --json PATH``; pytest's own
arguments after another ``--``, e.g. ``-- --runs 2 -- tests/lesson05_rooms``), which runs
``python -m scripts.suite_time``. The revision (default ``main``) is checked out in a temporary
``git worktree``, removed afterwards; both suites run with this interpreter and its packages (the
session's venv), one after the other: with ``--runs N``, N times each, alternating (here, there,
there, here, ...) so that a slow minute of a shared machine does not fall on one side only.

For each side: the sums of the set-up, call and teardown times pytest reports per test
(``--durations=0 --durations-min=0``: every test, to 0.01 s each), pytest's wall time, and the
CPU time other processes used meanwhile; the p50 of the runs (the kit's nearest rank: with two
runs, the lower), and the ratio here / there.
Exits 1 if a run had failures or errors (the two sides then did not do the same work).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playground.manifest import ROOT
from scripts.measure import machine, machine_busy_s, percentile

PHASES = ("setup", "call", "teardown")
FIGURES = ("setup_s", "call_s", "teardown_s", "wall_s", "setup_share_percent", "others_cpu_percent")
SHARES = ("setup_share_percent", "others_cpu_percent")  # percentages: side by side, no ratio
LABELS = {
    "setup_s": "set-up (s)",
    "call_s": "call (s)",
    "teardown_s": "teardown (s)",
    "wall_s": "wall (s)",
    "setup_share_percent": "set-up share of wall (%)",
    "others_cpu_percent": "other processes' CPU (%)",
}
DURATIONS_HEADER = re.compile(r"^=+ slowest (\d+ )?durations =+$")
DURATION = re.compile(r"^(\d+\.\d+)s (setup|call|teardown) +\S")
SUMMARY = re.compile(r"^=* ?(?P<counts>\d+ \w+.*) in (?P<seconds>\d+\.\d+)s\b")
COUNT = re.compile(r"(\d+) (\w+)")
FAILED = ("failed", "error", "errors")


def parse(output: str) -> dict:
    """One ``pytest --durations=0`` run's figures: the sum of each phase's durations, pytest's
    wall time, its counts (``{"passed": 522, ...}``) and its short summary's FAILED and ERROR
    lines (pytest -ra)."""
    lines = output.splitlines()
    header = next((i for i, line in enumerate(lines) if DURATIONS_HEADER.match(line)), None)
    if header is None:
        raise ValueError("no 'slowest durations' section: was pytest run with --durations=0?")
    sums = dict.fromkeys(PHASES, 0.0)
    for line in lines[header + 1 :]:
        found = DURATION.match(line)
        if not found:
            break  # the section ends at the first line that is not a duration
        sums[found[2]] += float(found[1])
    summary = next((SUMMARY.match(line) for line in reversed(lines) if SUMMARY.match(line)), None)
    if summary is None:
        raise ValueError("no summary line ('N passed in S s'): did pytest finish?")
    counts = {word: int(n) for n, word in COUNT.findall(summary["counts"])}
    wall = float(summary["seconds"])
    return {
        **{f"{phase}_s": round(sums[phase], 2) for phase in PHASES},
        "wall_s": wall,
        "setup_share_percent": round(100 * sums["setup"] / wall, 1) if wall else 0.0,
        "counts": counts,
        "not_passed": [line for line in lines if line.startswith(("FAILED ", "ERROR "))],
    }


def git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


@contextmanager
def worktree(commit: str) -> Iterator[Path]:
    """A temporary detached ``git worktree`` of ``commit``, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="suite-time-"))
    folder = parent / "tree"
    git("worktree", "add", "--detach", "--quiet", str(folder), commit)
    try:
        yield folder
    finally:
        git("worktree", "remove", "--force", str(folder))
        parent.rmdir()


def run_suite(folder: Path, pytest_args: list[str]) -> dict:
    """The suite in ``folder`` with this interpreter: its figures, and how busy the rest of the
    machine was meanwhile (its CPU time beyond pytest's and its children's, in % of all cores)."""
    command = [sys.executable, "-m", "pytest", "--durations=0", "--durations-min=0", "-q"]
    busy_before = machine_busy_s()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    # cwd: the folder's packages come first on sys.path, ahead of the editable install's.
    done = subprocess.run([*command, *pytest_args], cwd=folder, capture_output=True, text=True)
    wall = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = sum(getattr(children, f) - getattr(children_before, f) for f in ("ru_utime", "ru_stime"))
    others = max(0.0, machine_busy_s() - busy_before - ours)
    if done.returncode not in (0, 1):  # 1: some tests failed, and the run is still timed
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise RuntimeError(f"pytest in {folder} exited with {done.returncode}:\n{tail}")
    figures = parse(done.stdout)
    figures["others_cpu_percent"] = round(100 * others / (wall * os.cpu_count()), 1)
    return figures


def counts_text(counts: dict) -> str:
    return ", ".join(f"{n} {word}" for word, n in counts.items())


def medians(runs: list[dict]) -> dict:
    return {figure: percentile([run[figure] for run in runs], 50) for figure in FIGURES}


def table(result: dict) -> str:
    """Both sides' medians and the ratio, one figure a row."""
    here, there = result["here"], result["against"]
    rows = [("", here["label"], there["label"], "ratio")]
    rows.append(("tests", *(counts_text(side["runs"][0]["counts"]) for side in (here, there)), ""))
    for figure in FIGURES:
        mine, theirs = here["median"][figure], there["median"][figure]
        ratio = f"{mine / theirs:.2f}" if theirs and figure not in SHARES else ""
        rows.append((LABELS[figure], f"{mine:.1f}", f"{theirs:.1f}", ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
            ]
        )
        for row in rows
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="nox -s suite-time --", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--against", default="main", help="the git revision (default: main)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each side (default: 1)")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("pytest_args", nargs="*", help="after --: pytest's arguments, both sides")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= 10:
        parser.error("need 1 <= runs <= 10")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # the worktree goes, as on Ctrl-C
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{args.against}^{{commit}}")
    except RuntimeError:
        print(f"error: {args.against!r} is not a revision of this repository", file=sys.stderr)
        return 2
    dirty = " + uncommitted changes" if git("status", "--porcelain") else ""
    here = {"label": "this checkout", "commit": git("rev-parse", "HEAD") + dirty, "runs": []}
    against = {"label": args.against, "commit": commit, "runs": []}
    try:
        with worktree(commit) as folder:
            sides = [(here, ROOT), (against, folder)]
            for run in range(args.runs):
                for side, where in sides if run % 2 == 0 else sides[::-1]:
                    print(f"run {run + 1} of {args.runs}: {side['label']} ...", flush=True)
                    figures = run_suite(where, args.pytest_args)
                    done = f"{counts_text(figures['counts'])} in {figures['wall_s']} s"
                    print(f"  {done}", *figures["not_passed"][:10], sep="\n  ", flush=True)
                    side["runs"].append(figures)
    except RuntimeError as error:  # git or pytest could not do its part: nothing to compare
        print(f"error: {error}", file=sys.stderr)
        return 1
    for side in (here, against):
        side["median"] = medians(side["runs"])
    result = {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "machine": machine(),
        "pytest_args": args.pytest_args,
        "here": here,
        "against": against,
    }
    runs = f"{args.runs} run{'s' * (args.runs != 1)}"
    print(f"\np50 (nearest rank) of {runs} each; ratio: this checkout / {args.against}")
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written: {args.json}")
    every_run = here["runs"] + against["runs"]
    return 1 if any(run["counts"].get(word) for run in every_run for word in FAILED) else 0


if __name__ == "__main__":
    sys.exit(main())
