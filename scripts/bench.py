"""Benchmark lesson 12's app in each async mode, with Node's socket.io as the reference.

Run with ``nox -s bench`` (``-- --targets threading,gevent``; ``-- --quick`` for a smoke run that
writes nothing unless given ``--output``). The Python servers are lesson 12 as ``nox -s lesson --
12 --async-mode MODE`` starts it: ``socketio.run`` on a free loopback port, in a process of its
own. The reference is scripts/bench/node_server.js, the same events on socket.io 4.8, run when
``--node-modules`` names a node_modules folder that holds socket.io (``nox -s bench`` installs
it from the npm registry into its own tmp folder when ``node`` and ``npm`` are on the PATH).

Each server in turn, on 127.0.0.1 only, every wait bounded (sizes: ``FULL``):

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
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import socketio

from playground import manifest
from playground.lesson_process import LessonProcess, free_port

ROOT = manifest.ROOT
OUTPUT_DIR = ROOT / "docs" / "assets"
NODE_SERVER = ROOT / "scripts" / "bench" / "node_server.js"
MODES = ("threading", "eventlet", "gevent")
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
# Bounded sizes: the whole run stays under 5 minutes on 2 cores (about a minute per server).
FULL = {
    "echo_warmup": 200,
    "echoes": 2000,
    "throughput_clients": 50,
    "throughput_warmup_s": 1.0,
    "throughput_s": 5.0,
    "fanout_clients": (100, 500),
    "fanout_warmup": 3,
    "broadcasts": (40, 20),  # for 100 clients, for 500
    "rounds": 3,  # every server, one after the other, three times: medians of the three
}
QUICK = {
    **FULL,
    "echoes": 300,
    "throughput_s": 2.0,
    "fanout_clients": (60, 100),
    "broadcasts": (5, 5),
    "rounds": 1,
}
PAYLOAD = "x" * 64  # each message carries a little text, like a chat line
CONNECT_CONCURRENCY = 25  # connections opened at once
TIMEOUT = 10.0  # seconds, for any one connection, answer or broadcast
START_TIMEOUT = 15.0
QUIET_PERCENT = 10  # the machine is quiet when other processes use less of its CPU than this
QUIET_WAIT_S = 60  # how long to wait for that before starting anyway


# --- the servers --------------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def rss_mb(pid: int) -> float:
    return int(proc_status(pid)["VmRSS"].split()[0]) / 1024


def os_threads(pid: int) -> int:
    return int(proc_status(pid)["Threads"])


def machine_busy_s(steal: bool = False) -> float:
    """CPU time the whole machine has spent busy since boot, all cores, in seconds; or with
    ``steal=True``, the time a hypervisor gave its cores to other guests."""
    user, nice, system, _idle, _iowait, irq, softirq, stolen = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    ticks = stolen if steal else user + nice + system + irq + softirq
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_busy_percent(seconds: float = 1.0) -> float:
    """How busy the machine is, over ``seconds`` (100 % = every core)."""
    before = machine_busy_s()
    time.sleep(seconds)  # a sampling window, not a wait for something
    return round(100 * (machine_busy_s() - before) / (seconds * os.cpu_count()), 1)


def cpu_s(pid: int) -> float:
    """User + system CPU time the process has used (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PythonServer:
    """Lesson 12 in one async mode, a new process each start()."""

    def __init__(self, mode: str):
        self.name = mode
        self.process = None

    def start(self) -> PythonServer:
        self.process = LessonProcess(manifest.find("12"), async_mode=self.name)
        self.process.start(timeout=START_TIMEOUT)
        self.url, self.pid = self.process.url, self.process.process.pid
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


class NodeServer:
    name = "node"

    def __init__(self, node_modules: Path):
        self.node_modules = node_modules
        self.popen = None

    def start(self) -> NodeServer:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.output = open(os.devnull, "w")  # noqa: SIM115 (closed by stop())
        self.popen = subprocess.Popen(
            ["node", str(NODE_SERVER), str(port)],
            env={**os.environ, "NODE_PATH": str(self.node_modules)},
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.popen.pid
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self.popen.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)  # polling a port that is not open yet: nothing to wait on
        self.stop()
        raise RuntimeError(f"the node server did not start on {self.url}")

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.output.close()


# --- the clients --------------------------------------------------------------------------


class FanOut:
    """Counts the arrivals of each broadcast (by its ``seq``) across all clients."""

    def __init__(self):
        self.waiting: dict[int, list] = {}  # seq -> [clients still to receive, done, last at]

    def expect(self, seq: int, clients: int) -> asyncio.Event:
        done = asyncio.Event()
        self.waiting[seq] = [clients, done, None]
        return done

    def arrived(self, message: dict) -> None:
        entry = self.waiting.get(message.get("seq"))
        if entry is None:
            return
        entry[0] -= 1
        entry[2] = time.perf_counter()
        if entry[0] == 0:
            entry[1].set()

    def last_arrival(self, seq: int) -> float:
        return self.waiting.pop(seq)[2]


async def bounded(what: str, awaitable, timeout: float = TIMEOUT):
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise RuntimeError(f"{what}: not done within {timeout:g} s") from None


async def connect(url: str, count: int, fanout: FanOut) -> list[socketio.AsyncClient]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one() -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)  # a drop must show, not be hidden
        client.on("news", fanout.arrived)
        async with gate:
            await bounded(
                "connecting", client.connect(url, transports=["websocket"], wait_timeout=TIMEOUT)
            )
        return client

    return list(await asyncio.gather(*(one() for _ in range(count))))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[round(p / 100 * (len(ordered) - 1))]


def ms(seconds: float) -> float:
    return round(1000 * seconds, 3)


async def latency(server, client: socketio.AsyncClient, sizes: dict) -> dict:
    times = []
    for i in range(sizes["echo_warmup"] + sizes["echoes"]):
        if i == sizes["echo_warmup"]:
            before = (time.perf_counter(), cpu_s(server.pid), time.process_time())
        started = time.perf_counter()
        answer = await client.call("echo", {"n": i, "text": PAYLOAD}, timeout=TIMEOUT)
        if i >= sizes["echo_warmup"]:
            times.append(time.perf_counter() - started)
        if answer != {"n": i, "text": PAYLOAD}:
            raise RuntimeError(f"echo {i} came back as {answer!r}")
    after = (time.perf_counter(), cpu_s(server.pid), time.process_time())
    wall, server_cpu, client_cpu = (b - a for a, b in zip(before, after, strict=True))
    return {
        "echoes": len(times),
        "p50_ms": ms(percentile(times, 50)),
        "p99_ms": ms(percentile(times, 99)),
        "mean_ms": ms(statistics.fmean(times)),
        "round_trips_per_s": round(len(times) / wall),
        "server_cpu_percent": round(100 * server_cpu / wall),
        "client_cpu_percent": round(100 * client_cpu / wall),
    }


async def throughput(server, clients: list[socketio.AsyncClient], sizes: dict) -> dict:
    counts = [0] * len(clients)
    running = True

    async def echo_loop(index: int, client: socketio.AsyncClient) -> None:
        while running:
            await client.call("echo", {"n": counts[index], "text": PAYLOAD}, timeout=TIMEOUT)
            counts[index] += 1

    loops = [asyncio.create_task(echo_loop(i, c)) for i, c in enumerate(clients)]
    try:
        await asyncio.sleep(sizes["throughput_warmup_s"])  # the measured window starts later
        before = (time.perf_counter(), sum(counts), cpu_s(server.pid), time.process_time())
        await asyncio.sleep(sizes["throughput_s"])  # the measured window: a duration, not a wait
        after = (time.perf_counter(), sum(counts), cpu_s(server.pid), time.process_time())
    finally:
        running = False
        await bounded("stopping the echo loops", asyncio.gather(*loops))
    wall, done, server_cpu, client_cpu = (b - a for a, b in zip(before, after, strict=True))
    return {
        "clients": len(clients),
        "seconds": round(wall, 2),
        "round_trips": done,
        "round_trips_per_s": round(done / wall),
        "server_cpu_percent": round(100 * server_cpu / wall),
        "client_cpu_percent": round(100 * client_cpu / wall),
        "server_cpu_us_per_round_trip": round(1e6 * server_cpu / done, 1),
    }


async def fan_out(
    server, clients: list, fanout: FanOut, seqs, broadcasts: int, sizes: dict
) -> dict:
    trigger = clients[0]
    times = []
    cpu_before = None
    for round_ in range(sizes["fanout_warmup"] + broadcasts):
        if round_ == sizes["fanout_warmup"]:
            cpu_before = cpu_s(server.pid)
        seq = next(seqs)
        done = fanout.expect(seq, len(clients))
        started = time.perf_counter()
        told = await trigger.call("broadcast", {"seq": seq, "text": PAYLOAD}, timeout=TIMEOUT)
        await bounded(f"broadcast {seq} reaching {len(clients)} clients", done.wait())
        if told != len(clients):
            raise RuntimeError(f"the server broadcast to {told} clients, not {len(clients)}")
        if round_ >= sizes["fanout_warmup"]:
            times.append(fanout.last_arrival(seq) - started)
        else:
            fanout.last_arrival(seq)
    server_cpu = cpu_s(server.pid) - cpu_before
    return {
        "clients": len(clients),
        "broadcasts": len(times),
        "p50_ms": ms(percentile(times, 50)),
        "max_ms": ms(max(times)),
        "server_cpu_ms_per_broadcast": round(1000 * server_cpu / len(times), 1),
    }


def say(name: str, text: str) -> None:
    print(f"[{name:>9}] {text}", flush=True)


async def measure(server, sizes: dict, spent: dict) -> dict:
    """Every workload against one running server, in order; the clients stay connected."""
    result = {"rss_mb_start": round(rss_mb(server.pid), 1), "threads_start": os_threads(server.pid)}
    fanout, seqs = FanOut(), iter(range(1, 1_000_000))
    clients = []
    try:
        clients += await connect(server.url, 1, fanout)
        result["latency"] = await latency(server, clients[0], sizes)
        result["rss_mb_one_client"] = round(rss_mb(server.pid), 1)
        result["threads_one_client"] = os_threads(server.pid)
        lat = result["latency"]
        say(server.name, f"latency, 1 client: p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms")

        clients += await connect(server.url, sizes["throughput_clients"] - 1, fanout)
        result["throughput"] = tp = await throughput(server, clients, sizes)
        say(
            server.name,
            f"throughput, {tp['clients']} clients: {tp['round_trips_per_s']} round trips/s"
            f" (server CPU {tp['server_cpu_percent']} %, clients {tp['client_cpu_percent']} %,"
            f" {tp['server_cpu_us_per_round_trip']} µs of server CPU each)",
        )

        result["fanout"] = {}
        for size, broadcasts in zip(sizes["fanout_clients"], sizes["broadcasts"], strict=True):
            started = time.perf_counter()
            clients += await connect(server.url, size - len(clients), fanout)
            connected_s = time.perf_counter() - started
            info = await clients[0].call("server_info", timeout=TIMEOUT)
            if info["clients"] != size:
                raise RuntimeError(f"the server counts {info['clients']} clients, not {size}")
            fo = await fan_out(server, clients, fanout, seqs, broadcasts, sizes)
            fo.update(
                server_counts_clients=info["clients"],
                rss_mb=round(rss_mb(server.pid), 1),
                threads=os_threads(server.pid),
                connect_s=round(connected_s, 2),
            )
            result["fanout"][str(size)] = fo
            say(
                server.name,
                f"fan-out to {size}: p50 {fo['p50_ms']} ms, max {fo['max_ms']} ms,"
                f" {fo['server_cpu_ms_per_broadcast']} ms of server CPU each;"
                f" holds {fo['server_counts_clients']} connections,"
                f" RSS {fo['rss_mb']} MB, {fo['threads']} OS threads",
            )
        dropped = sum(not c.connected for c in clients)
        if dropped:
            raise RuntimeError(f"{dropped} clients were disconnected during the run")
    finally:
        spent["servers_s"] += cpu_s(server.pid)  # all it used, for the run's CPU accounting
        server.stop()  # first: the clients then see their connections close at once
        await asyncio.wait_for(
            asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True), TIMEOUT
        )
    return result


# --- results ------------------------------------------------------------------------------


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text()
    memory_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.M).group(1))
    return {
        "cpu": model.group(1).strip() if model else platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def node_versions(node_modules: Path) -> dict:
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    package = json.loads((node_modules / "socket.io" / "package.json").read_text())
    return {"node": node.stdout.strip().lstrip("v"), "socket.io (npm)": package["version"]}


ROWS = [
    # (label, where in a server's result, unit, better: "lower" | "higher" | None)
    ("1 client: echo round trip, p50", ("latency", "p50_ms"), "ms", "lower"),
    ("1 client: echo round trip, p99", ("latency", "p99_ms"), "ms", "lower"),
    ("1 client: round trips/s", ("latency", "round_trips_per_s"), "", "higher"),
    ("1 client: server CPU, % of a core", ("latency", "server_cpu_percent"), "", None),
    ("1 client: client CPU, % of a core", ("latency", "client_cpu_percent"), "", None),
    ("50 clients: round trips/s", ("throughput", "round_trips_per_s"), "", "higher"),
    ("50 clients: server CPU, % of a core", ("throughput", "server_cpu_percent"), "", None),
    ("50 clients: client CPU, % of a core", ("throughput", "client_cpu_percent"), "", None),
    ("Server CPU per round trip", ("throughput", "server_cpu_us_per_round_trip"), "µs", "lower"),
    ("Fan-out to 100 clients, p50", ("fanout", "100", "p50_ms"), "ms", "lower"),
    ("Fan-out to 500 clients, p50", ("fanout", "500", "p50_ms"), "ms", "lower"),
    (
        "Server CPU per broadcast to 500",
        ("fanout", "500", "server_cpu_ms_per_broadcast"),
        "ms",
        "lower",
    ),
    ("Connections held (the server's count)", ("fanout", "500", "server_counts_clients"), "", None),
    ("Server RSS, 1 client", ("rss_mb_one_client",), "MB", "lower"),
    ("Server RSS, 500 clients", ("fanout", "500", "rss_mb"), "MB", "lower"),
    ("Server OS threads, 500 clients", ("fanout", "500", "threads"), "", None),
]


def dig(result: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def ahead(a: list, b: list, better: str) -> bool:
    """Whether the rounds ``a`` beat the rounds ``b`` every time: a's worst beats b's best.

    Closer than that is no difference this benchmark can show: a mode "ahead" on a measure is
    ahead in every round, whatever the machine did meanwhile.
    """
    return max(a) < min(b) if better == "lower" else min(a) > max(b)


def clearly_best(report: dict, path: tuple[str, ...], better: str) -> str | None:
    """The Python mode ahead of both others on a measure, if one is."""
    rounds = {name: [dig(r, path) for r in report["rounds"][name]] for name in MODES}
    if any(None in values or not values for values in rounds.values()):
        return None  # not measured (a --quick run has no 500 clients)
    for name, mine in rounds.items():
        if all(ahead(mine, theirs, better) for other, theirs in rounds.items() if other != name):
            return name
    return None


def markdown(report: dict) -> str:
    results = report["results"]
    names = list(results)
    m, v = report["machine"], report["versions"]
    python_measured = set(MODES) <= set(results)
    lines = [
        f"| | {' | '.join(f'`{name}`' for name in names)} |",
        f"|---|{'---:|' * len(names)}",
    ]
    for label, path, unit, better in ROWS:
        best = clearly_best(report, path, better) if better and python_measured else None
        cells = []
        for name in names:
            value = dig(results[name], path)
            text = "—" if value is None else f"{value:,}"
            cells.append(f"**{text}**" if name == best else text)
        lines.append(f"| {label}{f' ({unit})' if unit else ''} | {' | '.join(cells)} |")
    versions = ", ".join(f"{name} {v[name]}" for name in v)
    rounds = report["workload"]["rounds"]
    quiet = f"{m['busy_before_percent']} % busy before the run, other processes"
    quiet += f" used {m['others_during_percent']} % of its CPU during it, and the hypervisor"
    quiet += f" gave {m['steal_during_percent']} % of it to other guests (steal time)"
    lines += [
        "",
        f"*Measured {report['date']} by `nox -s bench` on {m['cpu']}, {m['cores']} cores,"
        f" {m['memory_gb']} GB, {m['os']}, Python {m['python']}; {versions}."
        f" The machine was {quiet}."
        f" Each figure is the median of {rounds} round{'s' * (rounds != 1)}. **Bold**: the"
        " Python mode that beat both others in every round, where lower or higher is better.*",
    ]
    return "\n".join(lines) + "\n"


CHART_PANELS = [
    # (title, [(bar label, where in a result)])
    (
        "Echo round trip, 1 client (ms)",
        [("p50", ("latency", "p50_ms")), ("p99", ("latency", "p99_ms"))],
    ),
    ("Echo round trips/s, 50 clients", [("", ("throughput", "round_trips_per_s"))]),
    ("Server CPU per round trip (µs)", [("", ("throughput", "server_cpu_us_per_round_trip"))]),
    (
        "Fan-out, p50 (ms)",
        [
            ("100 clients", ("fanout", "100", "p50_ms")),
            ("500 clients", ("fanout", "500", "p50_ms")),
        ],
    ),
    (
        "Server CPU per broadcast to 500 (ms)",
        [("", ("fanout", "500", "server_cpu_ms_per_broadcast"))],
    ),
    (
        "Server RSS (MB)",
        [("1 client", ("rss_mb_one_client",)), ("500 clients", ("fanout", "500", "rss_mb"))],
    ),
]
COLORS = {"threading": "#3f51b5", "eventlet": "#9e9e9e", "gevent": "#009688", "node": "#e65100"}


def chart(report: dict, path: Path) -> None:
    """Bars: the median of the rounds; whiskers: the lowest and highest round."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    import matplotlib.pyplot as plt

    names = list(report["results"])
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    width = 0.8 / max(1, len(names))
    for ax, (title, series) in zip(axes.flat, CHART_PANELS, strict=True):
        for i, name in enumerate(names):
            medians = [dig(report["results"][name], where) or 0 for _, where in series]
            rounds = [[dig(r, where) or 0 for r in report["rounds"][name]] for _, where in series]
            whiskers = [
                [m - min(r) for m, r in zip(medians, rounds, strict=True)],
                [max(r) - m for m, r in zip(medians, rounds, strict=True)],
            ]
            xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(series))]
            bars = ax.bar(
                xs,
                medians,
                width,
                yerr=whiskers,
                capsize=2,
                label=name,
                color=COLORS.get(name, "#795548"),
                error_kw={"elinewidth": 0.8},
            )
            ax.bar_label(bars, fmt=lambda v: f"{v:,.0f}" if v >= 100 else f"{v:.3g}", fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(series)), [label for label, _ in series])
        ax.margins(y=0.18)
        ax.spines[["top", "right"]].set_visible(False)
    axes.flat[0].legend(fontsize=8, frameon=False)
    m = report["machine"]
    fig.suptitle(
        f"nox -s bench, {report['date']}: {m['cores']} cores ({m['cpu']}), loopback, WebSocket;"
        f" median of {report['workload']['rounds']} rounds (whiskers: lowest and highest)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --- main ---------------------------------------------------------------------------------


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


def median_of(rounds: list):
    """The rounds' results, each number replaced by its median over the rounds."""
    first = rounds[0]
    if isinstance(first, dict):
        return {key: median_of([r[key] for r in rounds]) for key in first}
    if isinstance(first, bool) or not isinstance(first, int | float):
        return first
    middle = statistics.median(rounds)
    return round(middle) if all(isinstance(r, int) for r in rounds) else round(middle, 3)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    servers = [PythonServer(mode) for mode in args.targets if mode in MODES]
    versions = {name: version(name) for name in PACKAGES}
    if "node" in args.targets:
        if args.node_modules and shutil.which("node"):
            servers.append(NodeServer(args.node_modules))
            versions |= node_versions(args.node_modules)
        else:
            print("node: skipped (no node on the PATH, or no --node-modules)", flush=True)
    report = {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "machine": machine(),
        "versions": versions,
        "workload": {**sizes, "payload_bytes": len(PAYLOAD), "transport": "websocket"},
        "results": {},  # per server: the median of its rounds
        "rounds": {server.name: [] for server in servers},
        "errors": {},
    }
    # Other work on the machine would be measured too: wait a little for it to end.
    deadline = time.monotonic() + QUIET_WAIT_S
    while (busy := machine_busy_percent(2.0)) > QUIET_PERCENT and time.monotonic() < deadline:
        print(f"waiting for a quiet machine: {busy} % busy", flush=True)
    report["machine"]["busy_before_percent"] = busy
    if busy > QUIET_PERCENT:
        print(f"note: the machine is {busy} % busy before the run: expect noisy figures")
    spent = {"servers_s": 0.0}
    machine_before, client_before = machine_busy_s(), time.process_time()
    steal_before = machine_busy_s(steal=True)
    started = time.monotonic()
    # Round after round, every server once: a slow minute of the machine hits them all alike.
    for round_ in range(1, sizes["rounds"] + 1):
        for server in servers:
            if server.name in report["errors"]:
                continue
            say(server.name, f"round {round_} of {sizes['rounds']}: starting")
            try:
                result = asyncio.run(measure(server.start(), sizes, spent))
                report["rounds"][server.name].append(result)
            except Exception as error:  # one failed server must not hide the others' results
                server.stop()
                report["errors"][server.name] = f"{type(error).__name__}: {error}"
                say(server.name, f"FAILED: {report['errors'][server.name]}")
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
        args.output.mkdir(parents=True, exist_ok=True)
        (args.output / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
        # Markdown, but not named .md: `mkdocs build --strict` would take it for a page that the
        # nav leaves out. The lesson page includes it with --8<--.
        (args.output / "bench.txt").write_text(markdown(report))
        chart(report, args.output / "bench.png")
        print(f"written: {', '.join(f'{args.output}/bench.{x}' for x in ('json', 'txt', 'png'))}")
    else:
        print(markdown(report))
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
