"""Soak lesson 05 (rooms): many clients in many rooms, talking for a minute. Nothing lost, nothing
crossed, nothing kept.

Run with ``nox -s soak`` (``-- --clients N --rooms N --duration S --rate R``; ``--output PATH``
to keep a short run out of the guide), which runs ``python -m scripts.soak``. The server is the
lesson as ``nox -s lesson -- 05`` starts it: eventlet, on a free loopback port, in a process of its
own. The clients are python-socketio ``AsyncClient``\\s over WebSocket, all in this process's
asyncio loop. Every client joins one room (client i: room i mod ROOMS) and then says
``"<sender>:<seq>:<sent at>"`` to its room ``RATE`` times a second for ``DURATION`` seconds.

Checked, and written to docs/assets/soak.json (the guide's reliability page includes that file):

- every client receives every message said in its room exactly once, in the order each sender
  said them, with the sender's real sid, and nothing said in another room;
- no client is disconnected before the end;
- membership, as the server sees it: lesson 05's ``rooms`` event answers ``rooms(sid)`` for any
  sid of the namespace, read from the server's own room table. An auditor client asks it about
  every soak client while they are connected (each must be in its room: this shows the question
  can see membership) and again after they have all disconnected (nobody may be in any room);
- the server's resident memory (VmRSS) comes back to within RSS_TOLERANCE_MB of its value before
  the soak, measured after a warm-up client has connected, joined a room, spoken and left.

With ``--deployed`` the same soak runs twice in one run, side by side: against that one server,
then against lesson 05 deployed as lesson 13 deploys it (nginx in front of three gunicorn servers
with gevent's worker, sharing a private Redis), each client with a sticky key of its own, so they
spread over the servers; membership is then asked of an auditor on each server (a server knows
its own clients only), and memory is the three workers' together. Both results go to
docs/assets/soak-deployed.json.

Traffic goes to 127.0.0.1 only, and every phase is bounded in time. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import socketio

from playground import manifest
from playground.deployment import Stack
from playground.lesson_process import LessonProcess
from scripts.measure import Sampler, bounded, machine, percentile, rss_mb

ROOT = manifest.ROOT
OUTPUT = ROOT / "docs" / "assets" / "soak.json"
DEPLOYED_OUTPUT = ROOT / "docs" / "assets" / "soak-deployed.json"
RSS_TOLERANCE_MB = 20
CONNECT_CONCURRENCY = 20  # connections opened at once
TIMEOUT = 10.0  # seconds, for any one connection or answer
DRAIN_TIMEOUT = 30.0  # seconds for the last messages to arrive once everyone has stopped talking
FORGET_TIMEOUT = 20.0  # seconds for the server to forget the clients once they are gone
RSS_SETTLE_TIMEOUT = 30.0  # seconds for the server's memory to come back
PACKAGES = ("Flask-SocketIO", "python-socketio", "python-engineio", "eventlet")
DEPLOYED_PACKAGES = ("Flask-SocketIO", "python-socketio", "python-engineio", "gevent", "gunicorn")


@dataclass
class Target:
    """What a soak talks to: one URL, the server processes behind it, and how to reach each."""

    url: str
    pids: list[int]  # the processes that hold the clients (their memory is measured)
    lesson: str
    async_mode: str
    served_by: str
    packages: tuple[str, ...]
    auditor_keys: list[str | None] = field(default_factory=lambda: [None])  # one per server
    sticky: bool = False  # each soak client sends a key of its own (nginx spreads them)

    def headers(self, key: str | None) -> dict:
        return {"Cookie": f"lb={key}"} if key else {}

    def rss_mb(self, _pid: int = 0) -> float:
        return sum(rss_mb(pid) for pid in self.pids)


def single(server: LessonProcess) -> Target:
    return Target(
        url=server.url,
        pids=[server.pid],
        lesson=f"{server.lesson.id} {server.lesson.slug}",
        async_mode=server.async_mode,
        served_by="one server process (nox -s lesson -- 05)",
        packages=PACKAGES,
    )


def deployed(stack: Stack) -> Target:
    return Target(
        url=stack.url,
        pids=[pid for server in stack.servers for pid in server.worker_pids],
        lesson=f"{stack.lesson.id} {stack.lesson.slug}",
        async_mode="gevent",
        served_by=f"nginx, {len(stack.servers)} gunicorn servers (gevent worker), Redis",
        packages=DEPLOYED_PACKAGES,
        auditor_keys=stack.sticky_keys(),
        sticky=True,
    )


class SoakClient:
    """One python-socketio AsyncClient in one room, remembering everything it hears."""

    def __init__(self, index: int, room: str):
        self.index = index
        self.room = room
        self.sio = socketio.AsyncClient(reconnection=False)  # a drop must count, not be hidden
        self.sid: str | None = None
        self.sent = 0
        self.heard: list[tuple[str, str, str, float]] = []  # (room, from, text, arrived at)
        self.leaving = False
        self.dropped = False
        self.sio.on("said", self.on_said)
        self.sio.on("disconnect", self.on_disconnect)

    async def on_said(self, message: dict) -> None:
        self.heard.append((message["room"], message["from"], message["text"], time.monotonic()))

    async def on_disconnect(self, reason=None) -> None:
        if not self.leaving:
            self.dropped = True

    async def connect(self, url: str, headers: dict | None = None) -> None:
        await self.sio.connect(
            url, transports=["websocket"], headers=headers or {}, wait_timeout=TIMEOUT
        )
        self.sid = self.sio.get_sid("/")
        rooms = await self.sio.call("join", self.room, timeout=TIMEOUT)
        if sorted(rooms) != sorted([self.sid, self.room]):
            raise RuntimeError(f"client {self.index} joined {rooms}, not {self.room}")

    async def talk(self, until: float, interval: float, rng: random.Random) -> None:
        """Say something to the room every ``interval`` seconds until ``until``."""
        next_at = time.monotonic() + rng.uniform(0, interval)  # spread the clients out
        while next_at < until:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))  # pacing, not waiting
            text = f"{self.index}:{self.sent}:{time.monotonic():.6f}"
            await self.sio.emit("say", (self.room, text))
            self.sent += 1
            next_at += interval

    async def leave(self) -> None:
        self.leaving = True
        await self.sio.disconnect()


async def warm_up(target: Target) -> None:
    """A client connects to each server, joins a room, speaks and leaves: all is loaded."""
    for key in target.auditor_keys:
        client = SoakClient(-1, "warm-up")
        await bounded("warm-up", client.connect(target.url, target.headers(key)), TIMEOUT)
        await client.sio.call("say", ("warm-up", "-1:0:0"), timeout=TIMEOUT)
        await client.leave()


async def memberships(auditors: list[socketio.AsyncClient], clients: list[SoakClient]) -> list:
    """What the servers say each client's rooms are (lesson 05's `rooms` event, any sid).

    A server knows its own clients only: each client's rooms are the one non-empty answer.
    """
    found = []
    for client in clients:
        answers = [await auditor.call("rooms", client.sid, timeout=TIMEOUT) for auditor in auditors]
        found.append(next((rooms for rooms in answers if rooms), []))
    return found


def tally(clients: list[SoakClient]) -> dict:
    """Per client, per sender of its room: every message once, in order; nothing else."""
    by_sid = {c.sid: c for c in clients}
    counts = dict.fromkeys(
        ("expected", "received", "missing", "duplicates", "out_of_order"), 0
    ) | dict.fromkeys(("from_other_rooms", "forged_sender"), 0)
    latencies = []
    for client in clients:
        members = [c for c in clients if c.room == client.room]
        seqs = defaultdict(list)
        for room, sender_sid, text, arrived in client.heard:
            index, seq, sent_at = text.split(":")
            sender = by_sid.get(sender_sid)
            if room != client.room or sender is None or sender.room != client.room:
                counts["from_other_rooms"] += 1
                continue
            if sender.index != int(index):
                counts["forged_sender"] += 1
            seqs[sender.index].append(int(seq))
            latencies.append(arrived - float(sent_at))
        for sender in members:
            got = seqs[sender.index]
            counts["expected"] += sender.sent
            counts["received"] += len(got)
            counts["duplicates"] += len(got) - len(set(got))
            counts["missing"] += len(set(range(sender.sent)) - set(got))
            counts["out_of_order"] += sum(1 for a, b in itertools.pairwise(got) if b < a)

    def ms(p: float) -> float | None:
        return round(1000 * percentile(latencies, p), 1) if latencies else None

    return {**counts, "latency_ms": {"median": ms(50), "p99": ms(99), "max": ms(100)}}


async def soak(args: argparse.Namespace, target: Target) -> dict:
    phases = {}
    started = time.monotonic()

    def phase(name: str, since: float) -> float:
        now = time.monotonic()
        phases[name] = round(now - since, 2)
        return now

    await warm_up(target)
    rss_before = target.rss_mb()
    print(f"server RSS before: {rss_before:.1f} MB", flush=True)

    rooms = [f"soak-{r:02d}" for r in range(args.rooms)]
    clients = [SoakClient(i, rooms[i % args.rooms]) for i in range(args.clients)]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(client: SoakClient) -> None:
        async with gate:
            key = f"soak-{client.index}" if target.sticky else None
            connecting = client.connect(target.url, target.headers(key))
            await bounded(f"client {client.index} connecting", connecting, TIMEOUT)

    t = time.monotonic()
    await asyncio.gather(*(connect(c) for c in clients))
    auditors = []
    for key in target.auditor_keys:
        auditors.append(socketio.AsyncClient(reconnection=False))
        await auditors[-1].connect(
            target.url, transports=["websocket"], headers=target.headers(key), wait_timeout=TIMEOUT
        )
    seen = await memberships(auditors, clients)
    members_seen = sum(
        sorted(r) == sorted([c.sid, c.room]) for r, c in zip(seen, clients, strict=True)
    )
    t = phase("connect_join_s", t)
    print(
        f"{len(clients)} clients connected in {len(rooms)} rooms ({phases['connect_join_s']} s);"
        f" the server shows {members_seen} of them in their rooms",
        flush=True,
    )

    async with Sampler(target.rss_mb, 0, every=0.5) as rss_samples:
        rng = random.Random(5)
        until = time.monotonic() + args.duration
        await asyncio.gather(*(c.talk(until, 1 / args.rate, rng) for c in clients))
        t = phase("talk_s", t)
        sent = sum(c.sent for c in clients)
        print(f"{sent} messages said in {phases['talk_s']} s", flush=True)

        expected = {c.index: sum(s.sent for s in clients if s.room == c.room) for c in clients}
        drain_deadline = time.monotonic() + DRAIN_TIMEOUT
        while any(len(c.heard) < expected[c.index] for c in clients):
            if time.monotonic() > drain_deadline:
                break
            await asyncio.sleep(0.05)
        t = phase("drain_s", t)
    peak = max(rss_before, *rss_samples.samples)

    dropped = sum(c.dropped for c in clients)
    await bounded("disconnecting", asyncio.gather(*(c.leave() for c in clients)), TIMEOUT)
    forget_deadline = time.monotonic() + FORGET_TIMEOUT
    while True:
        left = [r for r in await memberships(auditors, clients) if r]
        if not left or time.monotonic() > forget_deadline:
            break
        await asyncio.sleep(0.1)
    for auditor in auditors:
        await auditor.disconnect()
    t = phase("disconnect_forget_s", t)

    rss_deadline = time.monotonic() + RSS_SETTLE_TIMEOUT
    while (rss_after := target.rss_mb()) - rss_before > RSS_TOLERANCE_MB:
        if time.monotonic() > rss_deadline:
            break
        await asyncio.sleep(0.5)
    phase("rss_settle_s", t)
    phases["total_s"] = round(time.monotonic() - started, 2)

    counts = tally(clients)
    checks = {
        "every_message_once_and_in_order": counts["received"] == counts["expected"]
        and counts["missing"] == counts["duplicates"] == counts["out_of_order"] == 0
        and counts["forged_sender"] == 0,
        "nothing_from_other_rooms": counts["from_other_rooms"] == 0,
        "no_client_dropped": dropped == 0,
        "membership_visible_while_connected": members_seen == len(clients),
        "no_membership_left_after": not left,
        "rss_back_within_tolerance": rss_after - rss_before <= RSS_TOLERANCE_MB,
    }
    return {
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "lesson": target.lesson,
        "served_by": target.served_by,
        "server_processes": len(target.pids),
        "async_mode": target.async_mode,
        "transport": "websocket",
        "clients": len(clients),
        "rooms": len(rooms),
        "duration_s": args.duration,
        "rate_per_client_hz": args.rate,
        "messages_said": sent,
        "deliveries_expected": counts["expected"],
        "deliveries_received": counts["received"],
        "deliveries_per_s": round(counts["received"] / phases["talk_s"]),
        "missing": counts["missing"],
        "duplicates": counts["duplicates"],
        "out_of_order": counts["out_of_order"],
        "from_other_rooms": counts["from_other_rooms"],
        "forged_sender": counts["forged_sender"],
        "clients_dropped": dropped,
        "latency_ms": counts["latency_ms"],
        "memberships_seen_while_connected": members_seen,
        "memberships_left_after": len(left),
        "rss_mb": {
            "before": round(rss_before, 1),
            "peak": round(peak, 1),
            "after": round(rss_after, 1),
            "after_minus_before": round(rss_after - rss_before, 1),
            "tolerance": RSS_TOLERANCE_MB,
        },
        "phases_s": phases,
        "versions": {name: version(name) for name in target.packages},
        "machine": machine(),
        "checks": checks,
        "passed": all(checks.values()),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="nox -s soak --", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of talk")
    parser.add_argument("--rate", type=float, default=1.0, help="messages per client per second")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--deployed",
        action="store_true",
        help="also soak lesson 05 behind nginx + 3 gunicorn + Redis, side by side in "
        f"{DEPLOYED_OUTPUT.name}",
    )
    args = parser.parse_args(argv)
    if not (0 < args.rooms <= args.clients <= 1000 and 0 < args.duration <= 600):
        parser.error("need 0 < rooms <= clients <= 1000 and 0 < duration <= 600")
    if not 0 < args.rate <= 20:
        parser.error("need 0 < rate <= 20")
    return args


def side_by_side(results: dict[str, dict]) -> list[str]:
    """The figures that compare, a row each, one column per run."""
    rows = [
        ("deliveries", lambda r: f"{r['deliveries_received']}/{r['deliveries_expected']}"),
        ("lost", lambda r: r["missing"]),
        ("crossed (other rooms)", lambda r: r["from_other_rooms"]),
        ("duplicates, out of order", lambda r: f"{r['duplicates']}, {r['out_of_order']}"),
        ("clients dropped", lambda r: r["clients_dropped"]),
        ("latency median ms", lambda r: r["latency_ms"]["median"]),
        ("latency p99 ms", lambda r: r["latency_ms"]["p99"]),
        ("latency max ms", lambda r: r["latency_ms"]["max"]),
        ("deliveries/s", lambda r: r["deliveries_per_s"]),
        ("RSS after - before MB", lambda r: r["rss_mb"]["after_minus_before"]),
        ("passed", lambda r: r["passed"]),
    ]
    names = list(results)
    width = max(len(label) for label, _ in rows)
    lines = [f"{name}: {results[name]['served_by']}" for name in names]
    lines.append(f"{'':{width}}  " + "  ".join(f"{name:>14}" for name in names))
    for label, value in rows:
        lines.append(
            f"{label:{width}}  " + "  ".join(f"{value(results[name])!s:>14}" for name in names)
        )
    return lines


def run_single(args: argparse.Namespace) -> dict:
    # Without the console's server view: no admin instrumentation in what is measured.
    server = LessonProcess(manifest.find("05"), args=("--no-server-view",)).start()
    try:
        return asyncio.run(soak(args, single(server)))
    finally:
        server.stop()


def run_deployed(args: argparse.Namespace) -> dict:
    with Stack(manifest.find("05")) as stack:
        return asyncio.run(soak(args, deployed(stack)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.deployed:
        results = {"single": run_single(args), "deployed": run_deployed(args)}
        output = args.output if args.output != OUTPUT else DEPLOYED_OUTPUT
        table = side_by_side(results)
        report = {
            **results,
            "side_by_side": table,
            "passed": all(r["passed"] for r in results.values()),
        }
        print("\n".join(table))
        output_table = (args.output if args.output != OUTPUT else DEPLOYED_OUTPUT).with_suffix(
            ".txt"
        )
        output_table.write_text("\n".join(table) + "\n")  # the guide's lesson 13 shows it
    else:
        report = run_single(args)
        output = args.output
        print(json.dumps(report, indent=2))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    failed = [
        f"{name}: {check}"
        for name, result in (results.items() if args.deployed else [("soak", report)])
        for check, ok in result["checks"].items()
        if not ok
    ]
    verdict = "passed" if not failed else "FAILED: " + ", ".join(failed)
    print(f"soak {verdict}; written to {output}", flush=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
