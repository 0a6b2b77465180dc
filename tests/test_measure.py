"""The measuring kit (scripts/measure.py), on this test process itself."""

import asyncio
import concurrent.futures
import os
import random
import subprocess
import sys
import threading
import time

import pytest

from scripts.measure import (
    Sampler,
    bounded,
    cpu_s,
    descendants,
    machine,
    machine_busy_s,
    os_threads,
    percentile,
    rss_mb,
    tree_rss_mb,
)

TICK_S = 1 / os.sysconf("SC_CLK_TCK")  # /proc counts CPU time in ticks


def run(coroutine):
    """``asyncio.run()`` in a thread of its own: after a browser test, Playwright's sync API
    keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_percentiles_are_nearest_rank_one_of_the_values():
    values = list(range(1, 101))
    random.Random(1).shuffle(values)
    assert [percentile(values, p) for p in (0, 50, 90, 99, 100)] == [1, 50, 90, 99, 100]
    assert [percentile(range(1, 11), p) for p in (50, 90, 99)] == [5, 9, 10]
    assert percentile([1, 2, 3, 4], 50) == 2  # not 2.5: no interpolation
    assert percentile([0.25], 99) == 0.25
    assert percentile([10.0] * 999 + [20.0], 99.9) == 10.0  # rank 999 exactly, despite floats
    with pytest.raises(ValueError):
        percentile([], 50)


def test_rss_grows_with_memory_the_process_touches():
    before = rss_mb(os.getpid())
    block = b"\x01" * (64 << 20)  # 64 MiB, written: resident
    assert rss_mb(os.getpid()) - before > 48
    del block


# A child that starts a grandchild holding 64 MiB, says its pid, and waits for its stdin to close.
PARENT_OF_A_BIG_CHILD = """
import subprocess, sys
hold = "import sys; block = b'x' * (64 << 20); print(flush=True); sys.stdin.read()"
grandchild = subprocess.Popen(
    [sys.executable, "-c", hold], stdin=sys.stdin, stdout=subprocess.PIPE, text=True
)
grandchild.stdout.readline()  # its block is written
print(grandchild.pid, flush=True)
sys.stdin.read()
grandchild.wait()
"""


def test_a_process_trees_memory_counts_the_grandchildren():
    with subprocess.Popen(
        [sys.executable, "-c", PARENT_OF_A_BIG_CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:  # on leaving: its stdin closed (both exit), then waited for
        grandchild = int(child.stdout.readline())
        assert child.pid in descendants(os.getpid())
        assert descendants(child.pid) == [grandchild]
        assert tree_rss_mb(child.pid) - rss_mb(child.pid) > 48


def test_os_threads_counts_a_new_thread():
    before = os_threads(os.getpid())
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert os_threads(os.getpid()) == before + 1
    finally:
        stop.set()
        thread.join()


def test_cpu_time_of_a_pid_agrees_with_the_process_clock_and_the_machine_counts_it():
    pid = os.getpid()
    before = (cpu_s(pid), time.process_time(), machine_busy_s())
    while time.process_time() - before[1] < 0.2:  # busy on purpose: CPU time to measure
        pass
    after = (cpu_s(pid), time.process_time(), machine_busy_s())
    ours, clock, machine_wide = (b - a for a, b in zip(before, after, strict=True))
    assert abs(ours - clock) <= 2 * TICK_S
    assert machine_wide >= ours - 2 * TICK_S


def test_bounded_returns_the_result_or_says_what_was_not_done():
    async def answer():
        return 42

    assert run(bounded("answering", answer(), 5)) == 42
    with pytest.raises(RuntimeError, match=r"^waiting for nothing: not done within 0.01 s$"):
        run(bounded("waiting for nothing", asyncio.Event().wait(), 0.01))


def test_sampler_reads_at_the_start_then_periodically_and_stops_with_the_block():
    readings = iter(range(1000))

    async def sample() -> list:
        async with Sampler(lambda pid: next(readings), os.getpid(), every=0.001) as sampler:
            assert sampler.samples == [0]  # one at the start, before any wait

            async def three_samples() -> None:
                while len(sampler.samples) < 3:
                    await asyncio.sleep(0)  # let the sampler run

            await bounded("three samples", three_samples(), 10)
        assert asyncio.all_tasks() == {asyncio.current_task()}  # its task is gone
        return sampler.samples

    samples = run(sample())
    assert samples == list(range(len(samples)))


def test_machine_description():
    described = machine()
    assert set(described) == {"cpu", "cores", "memory_gb", "os", "python"}
    assert described["cores"] == os.cpu_count()
    assert described["memory_gb"] > 0
