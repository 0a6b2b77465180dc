"""Lesson 12 — what the committed benchmark result says (docs/assets/bench.json).

``nox -s bench`` measures; these tests read what it wrote, so the lesson page's claims stay true of
the numbers the page shows. After a new run, a claim the new numbers no longer support fails here,
and the page (and myth M26, tests/myths) must change with it.
"""

import json

import pytest

from playground import manifest
from scripts import bench_report

ROOT = manifest.ROOT
ASSETS = ROOT / "docs" / "assets"
PYTHON_MODES = ("threading", "eventlet", "gevent")


@pytest.fixture(scope="module")
def script():
    """scripts/bench_report.py: the benchmark's sizes, its table's rows, comparisons, Markdown."""
    return bench_report


@pytest.fixture(scope="module")
def bench() -> dict:
    return json.loads((ASSETS / "bench.json").read_text())


@pytest.fixture(scope="module")
def rounds(bench, script):
    """``rounds(mode, label)``: that measure of the table in each round, and its "better"."""
    where = {label: (path, better) for label, path, _, better in script.ROWS}

    def get(mode: str, label: str) -> tuple[list, str]:
        path, better = where[label]
        return [script.dig(r, path) for r in bench["rounds"][mode]], better

    return get


def measures(script) -> list[str]:
    """The table's rows where lower or higher is better."""
    return [label for label, _, _, better in script.ROWS if better]


def ahead(script, rounds, mode: str, other: str, label: str) -> bool:
    """Whether ``mode`` beat ``other`` on ``label`` in every round (bench_report.ahead)."""
    mine, better = rounds(mode, label)
    theirs, _ = rounds(other, label)
    return script.ahead(mine, theirs, better)


def test_the_committed_result_is_a_full_run_of_every_server_on_a_quiet_machine(bench, script):
    assert bench["errors"] == {}
    # Other processes' CPU time during the run, in % of the machine's: a busy machine's figures
    # are noise, not evidence.
    assert bench["machine"]["others_during_percent"] < script.QUIET_PERCENT
    assert set(bench["results"]) == {*PYTHON_MODES, "node"}
    for key, size in script.FULL.items():
        assert bench["workload"][key] == (list(size) if isinstance(size, tuple) else size), key
    for name, rounds in bench["rounds"].items():
        assert len(rounds) == script.FULL["rounds"], name
        assert [r["fanout"]["500"]["server_counts_clients"] for r in rounds] == [500] * 3, name


def test_the_page_shows_the_committed_result(bench, script):
    assert (ASSETS / "bench.txt").read_text() == script.markdown(bench)
    assert (ASSETS / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (ROOT / "docs" / "lessons" / "12-async-modes.md").read_text()
    assert '\n--8<-- "docs/assets/bench.txt"\n' in page
    assert "](../assets/bench.png)" in page


@pytest.mark.claim("L12.5")
def test_eventlet_is_not_the_fastest_python_mode(script, rounds):
    # Ahead of gevent in every round on no measure at all (one client's round trip: level)...
    assert [m for m in measures(script) if ahead(script, rounds, "eventlet", "gevent", m)] == []
    assert not ahead(script, rounds, "gevent", "eventlet", "1 client: echo round trip, p50")
    # ...while gevent is, on the server's speed and memory under load.
    for label in (
        "50 clients: round trips/s",
        "Server CPU per round trip",
        "Server RSS, 500 clients",
    ):
        assert ahead(script, rounds, "gevent", "eventlet", label), label


@pytest.mark.claim("L12.5")
def test_threading_is_last_under_load_and_holds_four_threads_per_connection(bench, script, rounds):
    under_load = [
        "50 clients: round trips/s",
        "Server CPU per round trip",
        "Fan-out to 500 clients, p50",
        "Server CPU per broadcast to 500",
        "Server RSS, 500 clients",
    ]
    for label in under_load:
        for mode in ("eventlet", "gevent"):
            assert ahead(script, rounds, mode, "threading", label), (label, mode)

    for run in bench["rounds"]["threading"]:
        threads = {size: run["fanout"][size]["threads"] for size in ("100", "500")}
        assert threads["500"] - threads["100"] == 4 * 400
    for mode in ("eventlet", "gevent"):
        assert bench["results"][mode]["fanout"]["500"]["threads"] <= 2


def test_ahead_means_every_round(script):
    """The comparison the claims use: ranges that overlap are no difference."""
    assert script.ahead([1.0, 1.1], [1.2, 1.3], "lower")
    assert not script.ahead([1.0, 1.25], [1.2, 1.3], "lower")  # one round each way: level
    assert script.ahead([90, 95], [80, 85], "higher")
    assert not script.ahead([80, 95], [85, 90], "higher")


@pytest.mark.claim("L12.6")
def test_python_servers_are_the_limit_and_node_is_not(bench):
    results = bench["results"]
    for mode in PYTHON_MODES:
        load = results[mode]["throughput"]
        assert load["server_cpu_percent"] >= 95, mode  # a whole core (threading: a bit more)
        assert load["client_cpu_percent"] <= 75, mode  # room left on the clients' side
    node = results["node"]["throughput"]
    assert node["client_cpu_percent"] >= 95  # the clients' process is the limit...
    assert node["server_cpu_percent"] < 50  # ...and Node's server has room left


@pytest.mark.claim("L12.6")
def test_node_needs_under_a_quarter_of_the_server_cpu_per_round_trip(bench):
    results = bench["results"]
    best_python = min(
        results[mode]["throughput"]["server_cpu_us_per_round_trip"] for mode in PYTHON_MODES
    )
    assert results["node"]["throughput"]["server_cpu_us_per_round_trip"] < best_python / 4
