"""The warm parent forks children that behave as ``python -m`` would have started them."""

import json
import signal
import subprocess
import sys
import tempfile
import textwrap

import pytest

from playground.forkserver import ForkServer
from playground.lesson_process import LessonProcess
from playground.manifest import ROOT, find
from tests.utils import running, wait_until


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A warm parent of its own, with a module that shows what its child sees."""
    folder = tmp_path_factory.mktemp("forked")
    (folder / "show.py").write_text(
        textwrap.dedent(
            """
            import json, os, sys
            print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "name": __name__,
                              "env": os.environ.get("FORKED"), "pgid": os.getpgid(0),
                              "pid": os.getpid()}))
            if "--hang" in sys.argv:
                import threading; threading.Event().wait()
            sys.exit(int(sys.argv[1]) if sys.argv[1:2] and sys.argv[1].isdigit() else 0)
            """
        )
    )
    server = ForkServer(cwd=folder).start()
    yield server, folder
    server.stop()


def run(warm, argv):
    server, _ = warm
    with tempfile.TemporaryFile("w+") as output:
        child = server.spawn("show", argv, stdout=output, env={"FORKED": "yes"})
        code = child.wait(timeout=10)
        output.seek(0)
        return child, code, output.read()


def test_the_child_runs_the_module_as_main_with_its_argv_env_and_cwd(warm):
    child, code, printed = run(warm, ["7", "--flag"])
    seen = json.loads(printed)
    assert code == 7
    assert seen["argv"] == ["7", "--flag"]
    assert seen["name"] == "__main__"
    assert seen["env"] == "yes"
    assert seen["cwd"] == str(warm[1])
    assert seen["pid"] == child.pid == seen["pgid"]  # a process group of its own


def test_an_error_in_the_program_is_its_output_and_exit_code(warm):
    server, _ = warm
    with tempfile.TemporaryFile("w+") as output:
        child = server.spawn("no_such_module_here", [], stdout=output)
        assert child.wait(timeout=10) == 1
        output.seek(0)
        assert "No module named no_such_module_here" in output.read()


def test_a_signal_ends_the_child_and_is_reported_as_subprocess_reports_it(warm):
    server, _ = warm
    with tempfile.TemporaryFile("w+") as output:
        child = server.spawn("show", ["--hang"], stdout=output)
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=0.05)
        assert child.poll() is None
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=10) == -signal.SIGTERM


def test_a_lesson_forked_warm_serves_as_a_plain_start_does(warm_parent):
    """LessonProcess forks from the suite's warm parent, unless the lesson monkey-patches."""
    with LessonProcess(find("05")) as forked:
        assert forked.process.__class__.__name__ == "ForkedProcess"
        assert "Lesson 05" in wait_until(forked.read_output, "the server's first line")
    assert not ForkServer.can_run(["10", "--monkey-patch"])


def test_children_die_with_the_process_that_started_the_warm_parent(tmp_path):
    """Kill the starter with SIGKILL: its warm parent and the servers forked from it go too."""
    script = tmp_path / "starter.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, threading
            sys.path.insert(0, {str(ROOT)!r})
            from playground.forkserver import ForkServer
            from playground.lesson_process import LessonProcess
            from playground.manifest import find
            from playground.server_process import ServerProcess
            ServerProcess.warm_parent = ForkServer(preload=["flask_socketio"]).start()
            server = LessonProcess(find("01")).start()
            print(ServerProcess.warm_parent.process.pid, server.process.pid, flush=True)
            threading.Event().wait()
            """
        )
    )
    starter = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    warm_pid, server_pid = map(int, starter.stdout.readline().split())
    starter.kill()
    starter.wait()
    starter.stdout.close()

    alive = lambda: running(warm_pid) or running(server_pid)  # noqa: E731
    wait_until(lambda: not alive(), "the warm parent and its server gone")
