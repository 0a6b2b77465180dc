"""Lesson 12's benchmark workloads against one running server: latency, throughput, fan-out.

The clients are python-socketio ``AsyncClient``\\s over WebSocket, all in this process's one
asyncio loop; ``measure()`` runs every workload in order (scripts/bench.py runs it per server).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import socketio

from playground.server_process import ServerProcess
from scripts.measure import bounded, cpu_s, os_threads, percentile, rss_mb

PAYLOAD = "x" * 64  # each message carries a little text, like a chat line
CONNECT_CONCURRENCY = 25  # connections opened at once
TIMEOUT = 10.0  # seconds, for any one connection, answer or broadcast


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


async def connect(url: str, count: int, fanout: FanOut) -> list[socketio.AsyncClient]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one() -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection=False)  # a drop must show, not be hidden
        client.on("news", fanout.arrived)
        async with gate:
            connecting = client.connect(url, transports=["websocket"], wait_timeout=TIMEOUT)
            await bounded("connecting", connecting, TIMEOUT)
        return client

    return list(await asyncio.gather(*(one() for _ in range(count))))


def ms(seconds: float) -> float:
    return round(1000 * seconds, 3)


async def latency(server: ServerProcess, client: socketio.AsyncClient, sizes: dict) -> dict:
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


async def throughput(
    server: ServerProcess, clients: list[socketio.AsyncClient], sizes: dict
) -> dict:
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
        await bounded("stopping the echo loops", asyncio.gather(*loops), TIMEOUT)
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
    server: ServerProcess, clients: list, fanout: FanOut, seqs, broadcasts: int, sizes: dict
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
        await bounded(f"broadcast {seq} reaching {len(clients)} clients", done.wait(), TIMEOUT)
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


async def measure(name: str, server: ServerProcess, sizes: dict, spent: dict) -> dict:
    """Every workload against one running server, in order; the clients stay connected. Stops
    the server at the end, and adds the CPU time it used to ``spent["servers_s"]``."""
    result = {"rss_mb_start": round(rss_mb(server.pid), 1), "threads_start": os_threads(server.pid)}
    fanout, seqs = FanOut(), iter(range(1, 1_000_000))
    clients = []
    try:
        clients += await connect(server.url, 1, fanout)
        result["latency"] = await latency(server, clients[0], sizes)
        result["rss_mb_one_client"] = round(rss_mb(server.pid), 1)
        result["threads_one_client"] = os_threads(server.pid)
        lat = result["latency"]
        say(name, f"latency, 1 client: p50 {lat['p50_ms']} ms, p99 {lat['p99_ms']} ms")

        clients += await connect(server.url, sizes["throughput_clients"] - 1, fanout)
        result["throughput"] = tp = await throughput(server, clients, sizes)
        say(
            name,
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
                name,
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
