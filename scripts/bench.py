"""Benchmark lesson 12's app in each async mode, with Node's socket.io as the reference.

Run with ``nox -s bench`` (``-- --targets threading,gevent``; ``-- --quick`` for a smoke run that
writes nothing unless given ``--output``); it runs ``python -m scripts.bench``. The Python servers
are lesson 12 as ``nox -s lesson -- 12 --async-mode MODE`` starts it: ``socketio.run`` on a free
loopback port, in a process of its own. The reference is scripts/bench/node_server.js, the same
events on socket.io 4.8, run when ``--node-modules`` names a node_modules folder that holds
socket.io (``nox -s bench`` installs it from the npm registry into its own tmp folder when
``node`` and ``npm`` are on the PATH).

Each server in turn, on 127.0.0.1 only, every wait bounded (sizes: ``FULL``; the workloads are in
scripts/bench_workloads.py, the sizes, table and chart in scripts/bench_report.py):

1. latency: one client, 2,000 echo round trips one after the other (``call("echo")``, answered
   by the acknowledgement): p50 and p99 in ms;
2. throughput: 50 clients echo as fast as they can for 5 s: round trips per second, and the CPU
   the server and the clients' process used meanwhile (the one near 100 % of a core is the limit);
3. fan-out: with 100 clients connected, then 500, one of them asks for a broadcast, again and
   again; the time from asking until the last client has the message (p50, ms), and the server's
   CPU time per broadcast;
4. connections held: the server's own count of its clients once 500 are connected, and its
   resident memory (RSS) and OS threads then, and with one client.

Then the next server, and the whole round three times: each figure is the median of the three
rounds, so that a slow moment of the machine does not decide a comparison.

The clients are python-socketio ``AsyncClient``\\s (aiohttp) over WebSocket, all in this process's
one asyncio loop. On a 2-core machine the server and the clients each get about one core, and the
clients' process can be the bottleneck (against Node's server it is): where it is the one at
100 %, round trips per second measure the clients, not the server. The server's CPU time per
round trip and per broadcast say how much work each server does for the same traffic, whoever is
the bottleneck; the tables show both sides' CPU so the reader can tell.

Writes docs/assets/bench.json (everything, every round), bench.txt (the Markdown table the guide
includes) and bench.png (the chart). Exits 1 if a server failed a phase or held fewer connections
than asked.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from playground import manifest
from playground.lesson_process import LessonProcess
from playground.server_process import ServerProcess
from scripts.bench_report import FULL, MODES, QUICK, QUIET_PERCENT, chart, markdown, median_of
from scripts.bench_workloads import PAYLOAD, measure, say
from scripts.measure import machine, machine_busy_percent, machine_busy_s

ROOT = manifest.ROOT
OUTPUT_DIR = ROOT / "docs" / "assets"
NODE_SERVER = ROOT / "scripts" / "bench" / "node_server.js"
PACKAGES = (
    "Flask",
    "Flask-SocketIO",
    "python-socketio",
    "python-engineio",
    "Werkzeug",
    "simple-websocket",
    "eventlet",
    "gevent",
    "greenlet",
    "aiohttp",
)
QUIET_WAIT_S = 60  # how long to wait for a quiet machine (QUIET_PERCENT) before starting anyway


class NodeServer(ServerProcess):
    """scripts/bench/node_server.js on Node's socket.io, on a free loopback port."""

    def __init__(self, node_modules: Path):
        super().__init__()
        self.node_modules = node_modules

    def __str__(self) -> str:
        return "the node server"

    def command(self) -> list[str]:
        return ["node", str(NODE_SERVER), str(self.port)]

    def popen_options(self) -> dict:
        return {"env": {**os.environ, "NODE_PATH": str(self.node_modules)}}


def node_versions(node_modules: Path) -> dict:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    package = json.loads((node_modules / "socket.io" / "package.json").read_text())
    return {"node": node.stdout.strip().lstrip("v"), "socket.io (npm)": package["version"]}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s bench --", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--targets",
        default=",".join((*MODES, "node")),
        help="comma-separated: threading, eventlet, gevent, node (default: all)",
    )
    parser.add_argument("--node-modules", type=Path, help="node_modules holding socket.io 4.8")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--output", type=Path, help=f"where to write (default: {OUTPUT_DIR})")
    args = parser.parse_args(argv)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(args.targets) - {*MODES, "node"}
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    if args.output is None and not args.quick:
        args.output = OUTPUT_DIR
    return args


def servers(args: argparse.Namespace) -> dict[str, Callable[[], ServerProcess]]:
    """Each target that can run here: its name, and how to make a new process of it."""
    found = {
        # The lesson as served, less the console's server view: the measure is of the server.
        mode: functools.partial(
            LessonProcess, manifest.find("12"), async_mode=mode, args=("--no-server-view",)
        )
        for mode in args.targets
        if mode in MODES
    }
    if "node" in args.targets:
        if args.node_modules and shutil.which("node"):
            found["node"] = functools.partial(NodeServer, args.node_modules)
        else:
            print("node: skipped (no node on the PATH, or no --node-modules)", flush=True)
    return found


def quiet_machine() -> float:
    """Wait a little for other work on the machine to end (it would be measured too); return
    how busy the machine was when the wait ended, in % of all its cores."""
    deadline = time.monotonic() + QUIET_WAIT_S
    while (busy := machine_busy_percent(2.0)) > QUIET_PERCENT and time.monotonic() < deadline:
        print(f"waiting for a quiet machine: {busy} % busy", flush=True)
    if busy > QUIET_PERCENT:
        print(f"note: the machine is {busy} % busy before the run: expect noisy figures")
    return busy


def run_rounds(targets: dict[str, Callable[[], ServerProcess]], sizes: dict, report: dict) -> dict:
    """Round after round, every server once: a slow minute of the machine hits them all alike.

    Fills the report's ``rounds`` and ``errors``; returns the CPU time the servers used."""
    spent = {"servers_s": 0.0}
    for round_ in range(1, sizes["rounds"] + 1):
        for name, new_server in targets.items():
            if name in report["errors"]:
                continue
            say(name, f"round {round_} of {sizes['rounds']}: starting")
            server = new_server()
            try:
                result = asyncio.run(measure(name, server.start(), sizes, spent))
                report["rounds"][name].append(result)
            except Exception as error:  # one failed server must not hide the others' results
                server.stop()
                report["errors"][name] = f"{type(error).__name__}: {error}"
                say(name, f"FAILED: {report['errors'][name]}")
    return spent


def write(report: dict, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    # Markdown, but not named .md: `mkdocs build --strict` would take it for a page that the
    # nav leaves out. The lesson page includes it with --8<--.
    (output / "bench.txt").write_text(markdown(report))
    chart(report, output / "bench.png")
    print(f"written: {', '.join(f'{output}/bench.{x}' for x in ('json', 'txt', 'png'))}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    targets = servers(args)
    versions = {name: version(name) for name in PACKAGES}
    if "node" in targets:
        versions |= node_versions(args.node_modules)
    report = {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "machine": machine(),
        "versions": versions,
        "workload": {**sizes, "payload_bytes": len(PAYLOAD), "transport": "websocket"},
        "results": {},  # per server: the median of its rounds
        "rounds": {name: [] for name in targets},
        "errors": {},
    }
    report["machine"]["busy_before_percent"] = quiet_machine()
    machine_before, client_before = machine_busy_s(), time.process_time()
    steal_before = machine_busy_s(steal=True)
    started = time.monotonic()
    spent = run_rounds(targets, sizes, report)
    for name, rounds in report["rounds"].items():
        if rounds and name not in report["errors"]:
            report["results"][name] = median_of(rounds)
    report["duration_s"] = wall = round(time.monotonic() - started, 1)
    # Whatever the machine did beyond the servers and the clients: other processes' CPU time,
    # as a share of all the CPU the machine had meanwhile (0 % on a quiet machine).
    ours = spent["servers_s"] + time.process_time() - client_before
    others = max(0.0, machine_busy_s() - machine_before - ours)
    available = wall * os.cpu_count()
    report["machine"]["others_during_percent"] = round(100 * others / available, 1)
    stolen = machine_busy_s(steal=True) - steal_before  # a virtual machine's neighbours
    report["machine"]["steal_during_percent"] = round(100 * stolen / available, 1)
    print(f"done in {report['duration_s']} s", flush=True)
    if args.output:
        write(report, args.output)
    else:
        print(markdown(report))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
