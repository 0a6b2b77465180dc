"""The measuring kit: a process's memory, CPU time and threads, the machine's, percentiles."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def rss_mb(pid: int) -> float:
    """The process's resident memory (VmRSS), in MB (MiB)."""
    return int(_status(pid)["VmRSS"].split()[0]) / 1024


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: its children, theirs, and so on."""
    found, waiting = [], [pid]
    while waiting:
        parent = waiting.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(child) for child in task.read_text().split()]
            except FileNotFoundError:  # the task has just ended
                continue
            found += children
            waiting += children
    return found


def tree_rss_mb(pid: int) -> float:
    """The resident memory of ``pid`` and every process below it, summed, in MB: pages they
    share count once per process, so this is an upper bound."""
    total = 0.0
    for each in [pid, *descendants(pid)]:
        try:
            total += rss_mb(each)
        except FileNotFoundError:  # gone meanwhile
            continue
    return total


def os_threads(pid: int) -> int:
    """How many OS threads the process has."""
    return int(_status(pid)["Threads"])


def cpu_s(pid: int) -> float:
    """User + system CPU time the process has used (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def machine_busy_s(steal: bool = False) -> float:
    """CPU time the whole machine has spent busy since boot, all cores, in seconds; or with
    ``steal=True``, the time a hypervisor gave its cores to other guests."""
    user, nice, system, _idle, _iowait, irq, softirq, stolen = map(
        int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (stolen if steal else user + nice + system + irq + softirq) / TICKS_PER_S


def machine_busy_percent(seconds: float = 1.0) -> float:
    """How busy the machine is, over ``seconds`` (100 % = every core)."""
    before = machine_busy_s()
    time.sleep(seconds)  # a sampling window, not a wait for something
    return round(100 * (machine_busy_s() - before) / (seconds * os.cpu_count()), 1)


def machine() -> dict:
    """What a report says the figures were measured on."""
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


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value that ``p`` % of the values do not exceed.

    The one definition of p50 (the median), p90 and p99 in the project's reports: always one of
    the values, never an interpolation between two.
    """
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = math.ceil(round(p * len(ordered) / 100, 9))  # round(): 99.9 is not exact in binary
    return ordered[max(rank, 1) - 1]


async def bounded(what: str, awaitable, timeout: float):
    """``await awaitable``, or raise RuntimeError saying ``what`` was not done in ``timeout`` s."""
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise RuntimeError(f"{what}: not done within {timeout:g} s") from None


class Sampler:
    """``read(pid)`` every ``every`` seconds while ``async with`` runs: ``samples`` (once at
    the start, at least). For a figure that is gone by the end, e.g. a peak of memory."""

    def __init__(self, read: Callable[[int], float], pid: int, every: float):
        self.read, self.pid, self.every = read, pid, every
        self.samples: list[float] = []

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)  # the sampling period, not a wait for something
            self.samples.append(self.read(self.pid))

    async def __aenter__(self) -> Sampler:
        self.samples.append(self.read(self.pid))
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
