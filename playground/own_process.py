"""A lesson in a process of its own, at /lessons/NN/ of the playground all the same.

For each lesson whose manifest entry says ``own_process``, the launcher starts the lesson as
``nox -s lesson`` does, with ``--prefix /lessons/NN``, and forwards that path to it
(playground/proxy.py). A thread of its own starts the process and waits on it, so the moment it
exits it is reaped (no zombie is left) and shown stopped, with its exit and its last output;
the same thread starts it again on request (``restart()``). The thread outlives the process on
purpose: a child started with PR_SET_PDEATHSIG is signalled when the *thread* that started it
ends (playground/server_process.py), so a request's thread must not start it.
"""

from __future__ import annotations

import signal
import threading

from playground import proxy
from playground.lesson_process import LessonFailedToStart, LessonProcess
from playground.manifest import Lesson

# What the index and the lesson's URL say of it.
STARTING, LIVE, STOPPED, FAILED = "starting", "live", "stopped", "failed"
# Seconds its start may take: the launcher imports every other lesson meanwhile, and a busy
# machine takes over 15 s for that (see PlaygroundProcess).
STARTUP_TIMEOUT = 60.0
OUTPUT_SHOWN = 4000  # characters: the end of its output, where a crash says why


def describe_exit(returncode: int) -> str:
    """``exited with code 1``, ``killed by signal 9 (SIGKILL)``."""
    if returncode < 0:
        try:
            name = f" ({signal.Signals(-returncode).name})"
        except ValueError:
            name = ""
        return f"killed by signal {-returncode}{name}"
    return f"exited with code {returncode}"


class OwnProcessLesson:
    """One own-process lesson: its process, its status, and the WSGI app at its path."""

    def __init__(self, lesson: Lesson, path: str, async_mode: str, hosts=()):
        self.lesson, self.path, self.async_mode = lesson, path, async_mode
        # The playground's names: the proxy passes the browser's Host on, so the lesson's own
        # Host check (playground/wiring.py RefuseForeignHosts) must accept them.
        self.hosts = tuple(hosts)
        self.status = STARTING
        self.exit: str | None = None  # how its last process ended (describe_exit)
        self.output = ""  # the end of what its last process printed, once it is not live
        self.server: LessonProcess | None = None  # the process while it is live
        self._process: LessonProcess | None = None  # the last one started
        self._settled = threading.Event()  # its first start succeeded or failed
        self._wake = threading.Event()  # restart() or stop() asked something of the thread
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"lesson {lesson.id}", daemon=True)

    def start(self) -> OwnProcessLesson:
        self._thread.start()
        return self

    def wait_started(self) -> str:
        """Wait until its first start is over (live or failed); its status then."""
        self._settled.wait()
        return self.status

    def restart(self) -> bool:
        """Start it again if it is stopped or failed; whether it was."""
        if self.status not in (STOPPED, FAILED) or self._stopping:
            return False
        self.status = STARTING
        self._wake.set()
        return True

    def stop(self) -> None:
        """Stop its process and its thread (the playground is stopping)."""
        self._stopping = True
        self._wake.set()
        if self._process is not None:
            self._process.stop()  # live or still starting
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            while not self._stopping:
                self._start_and_wait()
                self._settled.set()
                self._wake.wait()
                self._wake.clear()
        finally:
            self._settled.set()  # whatever happened, no one waits for a start forever

    def _start_and_wait(self) -> None:
        """One life of its process: started, live, and over (stopped or failed)."""
        self.status = STARTING
        allowed = [option for host in self.hosts for option in ("--allow-host", host)]
        server = self._process = LessonProcess(
            self.lesson, async_mode=self.async_mode, args=("--prefix", self.path, *allowed)
        )
        try:
            server.start(timeout=STARTUP_TIMEOUT)
        except Exception as error:  # LessonFailedToStart with its output, or anything else
            detail = str(error) if isinstance(error, LessonFailedToStart) else repr(error)
            self.exit, self.output, self.status = None, detail[-OUTPUT_SHOWN:], FAILED
            return
        self.server, self.status = server, LIVE
        self._settled.set()
        returncode = server.process.wait()  # reaped the moment it exits
        self.server = None
        if self._stopping:
            return
        self.exit, self.output = describe_exit(returncode), server.read_output()[-OUTPUT_SHOWN:]
        self.status = STOPPED
        server.stop()  # nothing left to signal: closes its output file

    def wsgi_app(self, unavailable):
        """The app at its path: the lesson's own answer while it is live, else ``unavailable``'s.

        ``unavailable`` is called as at the playground's root (the request's full path), for a
        page that says why the lesson does not answer.
        """

        def app(environ, start_response):
            server = self.server if self.status == LIVE else None
            if server is not None:
                try:
                    return proxy.forward(
                        environ,
                        start_response,
                        (server.host, server.port),
                        self.path + environ.get("PATH_INFO", ""),
                        self.async_mode,
                    )
                except proxy.Unreachable:
                    pass  # it died a moment ago: its thread is about to say so
            script_name = environ.get("SCRIPT_NAME", "")
            outer = {
                **environ,
                "SCRIPT_NAME": script_name.removesuffix(self.path),
                "PATH_INFO": self.path + environ.get("PATH_INFO", ""),
            }
            return unavailable(outer, start_response)

        return app
