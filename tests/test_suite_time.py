"""scripts/suite_time.py's reading of `pytest --durations=0` output (`nox -s suite-time`)."""

import pytest

from scripts.suite_time import parse, table

# Saved from `pytest --durations=0 --durations-min=0 -q` runs here, as pytest 9 prints them
# (fewer lines, shorter test names).
QUIET_RUN = """\
..........................                                               [100%]
============================== slowest durations ===============================
2.04s setup    tests/lesson01_namespaces/test_client.py::test_same_event_is_handled_by_its_namespace
0.29s call     tests/test_manifest.py::test_every_claim_is_proven_in_both_layers
0.02s setup    tests/lesson01_namespaces/test_client.py::test_three_ways[whisper-hello chat]
0.01s call     tests/lesson01_namespaces/test_client.py::test_three_ways[whisper-hello chat]
1.25s teardown tests/lesson05_rooms/test_browser.py::test_rooms_view[chromium]
0.00s teardown tests/test_manifest.py::test_nothing_is_unlisted
26 passed in 4.00s
"""
VERBOSE_RUN_WITH_FAILURES = """\
============================== slowest durations ===============================
0.50s call     tests/test_a.py::test_one
0.25s setup    tests/test_a.py::test_two

(30 durations < 0.005s hidden.  Use -vv to show these durations.)
0.75s call     tests/test_b.py::test_looks_like_a_duration_but_is_after_the_section
=========================== short test summary info ============================
FAILED tests/test_a.py::test_one - assert 1 == 2
====== 1 failed, 520 passed, 3 skipped, 1 error in 198.70s (0:03:18) ======
"""


def test_sums_each_phase_and_reads_the_wall_time_and_counts():
    assert parse(QUIET_RUN) == {
        "setup_s": 2.06,
        "call_s": 0.30,
        "teardown_s": 1.25,
        "wall_s": 4.0,
        "setup_share_percent": 51.5,
        "counts": {"passed": 26},
        "not_passed": [],
    }


def test_stops_at_the_end_of_the_durations_section_and_reads_every_count():
    figures = parse(VERBOSE_RUN_WITH_FAILURES)
    assert (figures["setup_s"], figures["call_s"], figures["teardown_s"]) == (0.25, 0.5, 0.0)
    assert figures["wall_s"] == 198.7
    assert figures["counts"] == {"failed": 1, "passed": 520, "skipped": 3, "error": 1}
    assert figures["not_passed"] == ["FAILED tests/test_a.py::test_one - assert 1 == 2"]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("26 passed in 4.00s\n", "was pytest run with --durations=0"),
        (QUIET_RUN.rsplit("26 passed", 1)[0], "did pytest finish"),
    ],
)
def test_output_without_durations_or_summary_is_a_clear_error(output, message):
    with pytest.raises(ValueError, match=message):
        parse(output)


def test_the_table_puts_both_sides_side_by_side_with_their_ratio():
    def side(label: str, setup: float) -> dict:
        figures = {"setup_s": setup, "call_s": 8.0, "teardown_s": 1.0, "wall_s": 20.0}
        figures["setup_share_percent"] = 100 * setup / 20.0
        figures["others_cpu_percent"] = 3.0
        return {"label": label, "runs": [{"counts": {"passed": 26}}], "median": figures}

    lines = table({"here": side("this checkout", 5.0), "against": side("main", 10.0)}).splitlines()

    assert lines[0].split() == ["this", "checkout", "main", "ratio"]
    assert lines[1].split() == ["tests", "26", "passed", "26", "passed"]
    assert lines[2].split() == ["set-up", "(s)", "5.0", "10.0", "0.50"]
    assert lines[5].split() == ["wall", "(s)", "20.0", "20.0", "1.00"]
    assert lines[6].split()[-2:] == ["25.0", "50.0"]  # shares: side by side, no ratio
    assert lines[7].split()[-2:] == ["3.0", "3.0"]
