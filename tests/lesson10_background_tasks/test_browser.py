"""Lesson 10 — background tasks, proven in Chromium against live servers in each async mode.

Timing is what this lesson is about, so the browser records when each event arrives
(``performance.now()``, in ms after the job was asked for). The assertions compare those times
with the job's length with wide margins, so that a loaded machine does not fail them: a job of
5 steps of 100 ms that streams has its progress spread over about 400 ms, one sent in a burst
over a few ms; a server that answers pings does so in a few ms, a blocked one not for 500 ms.

The pitfall (L10.4) is eventlet's and gevent's: in threading mode the same handler streams, and
its tests prove that there instead (``holds_in``).
"""

import json
import re

import pytest
from playwright.sync_api import expect

from playground.claims import holds_in
from playground.lesson_process import LessonProcess
from tests.utils import play, run_js

STEPS, DELAY = 5, 0.1
JOB_MS = STEPS * DELAY * 1000  # how long one job takes on the server: 500 ms

# One connection runs `event`; until its `done`, another one pings the server, one ping at a
# time, 20 ms apart. Times are ms after the job was asked for.
TIME_JOB_JS = """async ([event, size]) => {
    const [worker, pinger] = await Promise.all([kit.connect('/'), kit.connect('/')]);
    const started = performance.now();
    const now = () => Math.round(performance.now() - started);
    const result = {job: null, ackAt: null, progress: [], doneAt: null, pings: []};
    const done = new Promise((resolve) => worker.once('done', () => {
        result.doneAt = now();
        resolve();
    }));
    worker.on('progress', ({step}) => result.progress.push([step, now()]));
    const acked = new Promise((resolve) => worker.emit(event, size, (job) => {
        result.job = job;
        result.ackAt = now();
        resolve();
    }));
    let over = false;
    const pinging = (async () => {
        while (!over) {
            const sentAt = now();
            await kit.send(pinger, 'ping');
            result.pings.push([sentAt, now()]);
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
    })();
    await Promise.all([done, acked]);  // a handler job acks after its done
    over = true;
    await pinging;
    worker.disconnect();
    pinger.disconnect();
    return result;
}"""


# --8<-- [start:patched-server]
@pytest.fixture(scope="module")
def patched_server(lesson, server_mode):
    """The same lesson in a second server: ``python -m playground.run 10 --monkey-patch``."""
    server = LessonProcess(lesson, async_mode=server_mode, args=("--monkey-patch",)).start()
    yield server
    server.stop()


# --8<-- [end:patched-server]


def time_job(page, event):
    return run_js(page, TIME_JOB_JS, [event, {"steps": STEPS, "delay": DELAY}])


def arrivals(result):
    """When each progress event arrived, checking they came all and in order."""
    assert [step for step, _ in result["progress"]] == list(range(1, STEPS + 1))
    return [at for _, at in result["progress"]]


def assert_streamed(result):
    first, *_, last = arrivals(result)
    assert first < JOB_MS / 2  # step 1 arrives long before the job is over
    assert last - first >= 0.6 * JOB_MS  # ideally 400 ms: one step at a time


def assert_burst(result):
    first, *_, last = arrivals(result)
    assert first >= 0.95 * JOB_MS  # nothing arrives before the last step is over...
    assert last - first < 0.3 * JOB_MS  # ...then all of it at once


def pongs_between(result, start, end):
    """How many pings were answered between ``start`` and ``end`` (ms)."""
    return sum(start < answered < end for _, answered in result["pings"])


def assert_pings_answered_meanwhile(result):
    first, *_, last = arrivals(result)
    assert pongs_between(result, first, last) >= 3  # pings are 20 ms apart: ideally ~15
    assert slowest_ping(result) < JOB_MS / 2


def assert_pings_frozen(result):
    # The handler ended just before its burst arrived, and slept JOB_MS before that: no ping
    # was answered in the middle of that time, and one waited most of it.
    first = arrivals(result)[0]
    assert pongs_between(result, first - 0.8 * JOB_MS, first - 0.1 * JOB_MS) == 0
    assert slowest_ping(result) >= 0.6 * JOB_MS


def slowest_ping(result):
    return max(answered - sent for sent, answered in result["pings"])


def job_row(page, prefix, index=0):
    return page.locator(f'.job[data-job^="{prefix}-"]').nth(index)


def row_arrivals(row):
    return json.loads(row.get_attribute("data-arrivals"))


# First in the file: on a fresh server, the screenshot shows task-1, task-2, ...
@pytest.mark.claim("L10.2", "L10.3", "L10.4", "L10.5")
def test_console_jobs_fill_bars_cancel_and_freeze_the_ping(lesson_page, server_mode, screenshot):
    page = lesson_page
    # Long enough (1.8 s) that the first job is still running when the test cancels it, even on
    # a busy machine; short next to the suite's 5 s waits.
    steps, delay = 12, 0.15
    job_ms = steps * delay * 1000
    page.get_by_label("Steps").fill(str(steps))
    page.get_by_label("Seconds per step").fill(str(delay))
    page.get_by_role("button", name="Ping every 100 ms").click()
    ping = page.locator("#ping-result")
    expect(ping).to_have_attribute("data-state", "answered")

    # Two background jobs and a job in a handler with socketio.sleep, all at once.
    play(page, "Start job")
    play(page, "Start job")
    page.get_by_role("button", name="Start job in the handler (socketio.sleep)").click()
    first, second = job_row(page, "task", 0), job_row(page, "task", 1)
    expect(first.locator(".job-status")).to_have_text(re.compile(rf"^([1-9]|1[01]) of {steps}$"))
    first.get_by_role("button", name=re.compile(r"^Cancel task-\d+$")).click()

    expect(first).to_have_attribute("data-state", "cancelled")
    expect(first.locator(".job-status")).to_have_text(
        re.compile(rf"^cancelled after ([1-9]|1[01]) of {steps}$")
    )
    expect(first.get_by_role("button")).to_have_count(0)
    expect(second).to_have_attribute("data-state", "done")
    expect(second.locator(".job-status")).to_have_text(f"done: {steps} of {steps}")
    cooperative = job_row(page, "socketio.sleep")
    expect(cooperative).to_have_attribute("data-state", "done")
    expect(
        page.get_by_role("button", name="Start job in the handler (socketio.sleep)")
    ).to_be_enabled()
    streamed = row_arrivals(cooperative)
    assert len(streamed) == steps
    assert streamed[-1] - streamed[0] >= 0.6 * job_ms

    # The blocking job: its bar jumps to the end at once, and the ping waited for it.
    play(page, "Start blocking job (time.sleep)")
    blocking = job_row(page, "time.sleep")
    expect(blocking).to_have_attribute("data-state", "done")
    arrived = row_arrivals(blocking)
    assert len(arrived) == steps
    expect(blocking.get_by_role("button")).to_have_count(0)  # a handler job has no cancel flag
    expect(ping).to_have_attribute("data-state", "answered")
    expect(ping).to_contain_text("slowest")
    slowest = int(ping.get_attribute("data-slowest-ms"))
    if holds_in("L10.4", server_mode):
        assert arrived[0] >= 0.95 * job_ms
        assert arrived[-1] - arrived[0] < 0.3 * job_ms
        assert slowest >= 0.6 * job_ms
    else:  # threading: time.sleep holds the handler's own OS thread, and nothing else
        assert arrived[-1] - arrived[0] >= 0.6 * job_ms
        assert slowest < job_ms / 2
    page.set_viewport_size({"width": 1280, "height": 960})
    page.locator(".scenario").evaluate("section => section.scrollIntoView()")  # the jobs' bars
    screenshot(page, "lesson10-background-tasks")


@pytest.mark.claim("L10.1")
def test_a_background_task_streams_progress_as_it_happens(lesson_page):
    result = time_job(lesson_page, "start_job")

    assert re.fullmatch(r"task-\d+", result["job"])
    assert result["ackAt"] < arrivals(result)[0]  # the handler answered before step 1 ended
    assert_streamed(result)
    assert result["doneAt"] >= arrivals(result)[-1]


@pytest.mark.claim("L10.2")
def test_jobs_started_together_run_at_the_same_time(lesson_page):
    result = run_js(
        lesson_page,
        """async (size) => {
            const socket = await kit.connect('/');
            const started = performance.now();
            const seen = [];
            socket.onAny((event, {job, step}) =>
                seen.push([event, job, step ?? null, performance.now() - started]));
            const finished = new Promise((resolve) => {
                let count = 0;
                socket.on('done', () => ++count === 2 && resolve());
            });
            const jobs = await Promise.all([1, 2].map(() => kit.send(socket, 'start_job', size)));
            await finished;
            socket.disconnect();
            return {jobs, seen};
        }""",
        {"steps": STEPS, "delay": DELAY},
    )

    one, two = result["jobs"]
    assert int(two.removeprefix("task-")) == int(one.removeprefix("task-")) + 1
    expected = [["progress", step] for step in range(1, STEPS + 1)] + [["done", None]]
    for job in (one, two):
        assert [[e, step] for e, j, step, _ in result["seen"] if j == job] == expected
    # They overlap: each one's first step arrives before the other's last.
    times = {job: [at for _, j, _, at in result["seen"] if j == job] for job in (one, two)}
    assert times[two][0] < times[one][-1]
    assert times[one][0] < times[two][-1]


@pytest.mark.claim("L10.3")
def test_cancel_stops_one_job_and_the_other_runs_on(lesson_page):
    result = run_js(
        lesson_page,
        """async (size) => {
            const [alice, bob] = await Promise.all([kit.connect('/'), kit.connect('/')]);
            const seen = [];
            alice.onAny((event, {job, step}) => seen.push([event, job, step ?? null]));
            const first = await kit.send(alice, 'start_job', {...size, steps: 5});
            const second = await kit.send(alice, 'start_job', {...size, steps: 3});
            const over = (job, event) => new Promise((resolve) => alice.on(event, (p) => {
                if (p.job === job) resolve();
            }));
            const finished = Promise.all([over(first, 'cancelled'), over(second, 'done')]);
            await new Promise((resolve) => alice.on('progress', (p) => {
                if (p.job === first) resolve();  // step 1 of the first job is done
            }));
            const byBob = await kit.send(bob, 'cancel_job', first);
            const byAlice = await kit.send(alice, 'cancel_job', first);
            await finished;
            const again = await kit.send(alice, 'cancel_job', first);
            const unknown = await kit.send(alice, 'cancel_job', 'task-0');
            alice.disconnect();
            bob.disconnect();
            return {first, second, byBob, byAlice, again, unknown, seen};
        }""",
        {"delay": DELAY},
    )

    assert (result["byBob"], result["byAlice"], result["again"], result["unknown"]) == (
        False,
        True,
        False,
        False,
    )
    first = [[event, step] for event, job, step in result["seen"] if job == result["first"]]
    *steps, cancelled = first
    assert steps == [["progress", n] for n in range(1, len(steps) + 1)]
    assert cancelled == ["cancelled", len(steps)]  # it says how many steps it had done
    assert 1 <= len(steps) < 5
    second = [[event, step] for event, job, step in result["seen"] if job == result["second"]]
    assert second == [["progress", 1], ["progress", 2], ["progress", 3], ["done", None]]


@pytest.mark.claim("L10.4")
def test_time_sleep_in_a_handler_freezes_an_unpatched_server(lesson_page, server_mode):
    result = time_job(lesson_page, "blocking_job")

    assert re.fullmatch(r"time\.sleep-\d+", result["job"])
    assert result["ackAt"] >= result["doneAt"]  # a handler job's id comes with its end
    if holds_in("L10.4", server_mode):  # eventlet and gevent: one OS thread runs everything
        assert_burst(result)
        assert_pings_frozen(result)  # the other connection's pings waited for the handler
    else:  # threading: the handler's own OS thread sleeps; everyone else's run on
        assert_streamed(result)
        assert_pings_answered_meanwhile(result)


@pytest.mark.claim("L10.5")
def test_socketio_sleep_in_the_same_handler_streams_and_keeps_the_server_answering(lesson_page):
    result = time_job(lesson_page, "cooperative_job")

    assert re.fullmatch(r"socketio\.sleep-\d+", result["job"])
    assert result["ackAt"] >= result["doneAt"]  # still a handler job: its id comes last
    assert_streamed(result)
    assert_pings_answered_meanwhile(result)


@pytest.mark.claim("L10.6")
def test_monkey_patching_makes_the_time_sleep_handler_stream(tab, patched_server):
    result = time_job(tab.open(patched_server.url + "/"), "blocking_job")

    assert re.fullmatch(r"time\.sleep-\d+", result["job"])  # the same, unchanged handler
    assert_streamed(result)
    assert_pings_answered_meanwhile(result)
