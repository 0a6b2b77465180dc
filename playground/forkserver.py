"""A warm parent: it imports the heavy modules once, then forks a child per program asked of it.

Starting a lesson server costs about 1.5 s, nearly all of it importing eventlet, Flask-SocketIO and
the lesson; a child forked from a process that has already imported them is listening in a tenth
of that. The child then runs the same entry point with the same arguments as ``python -m`` would
(``runpy``), so it is the same server; only the imports were paid for once. The test suite starts
its lesson servers this way. ``nox -s lesson`` and the playground start theirs the plain way.

What a fork cannot do: patch the standard library before the imports (``--monkey-patch``): a
program that must do that is started the plain way (``ForkServer.can_run`` says which).

    warm = ForkServer(preload=["flask_socketio", "lessons.lesson05_rooms.app"]).start()
    child = warm.spawn("playground.run", ["05", "--port", "5005"], stdout=file)
    child.wait(timeout=5)  # like subprocess.Popen: pid, poll(), wait(), send_signal(), kill()
    warm.stop()

The protocol, on a Unix socket: the caller sends one JSON request ({"module", "argv", "env",
"cwd"}) with its output file's descriptor attached; the warm parent answers {"pid": N} once the
child runs, then {"returncode": N} when it has exited, then closes the connection.
"""

from __future__ import annotations

import array
import contextlib
import io
import json
import os
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import warnings
from pathlib import Path

from playground.server_process import die_with_parent

MAX_REQUEST = 1 << 20  # bytes: a request is a few hundred
# Where a process finds a warm parent it may use but does not own (ForkServer.attached()): the
# exercises' judge tells the pytest it forks, so that its live servers come from the same one.
ENV_ADDRESS = "PLAYGROUND_WARM_PARENT"


class ForkServer:
    """The warm parent, as a child process of the caller; it dies with the caller."""

    def __init__(self, preload: list[str] | tuple[str, ...] = (), cwd: str | Path | None = None):
        self.preload = list(preload)
        self.cwd = str(cwd or Path.cwd())
        self.process: subprocess.Popen | None = None
        self.owned = True  # started and stopped by this process (see attached())
        self._dir = tempfile.TemporaryDirectory(prefix="forkserver-")
        self.address = os.path.join(self._dir.name, "socket")

    @classmethod
    def attached(cls) -> ForkServer | None:
        """The warm parent named by $PLAYGROUND_WARM_PARENT, used as it is: never started or
        stopped by this process. None when there is none."""
        address = os.environ.get(ENV_ADDRESS)
        if not address or not os.path.exists(address):
            return None
        server = cls()
        server._dir.cleanup()
        server.address, server.owned = address, False
        return server

    @staticmethod
    def can_run(argv: list[str]) -> bool:
        """Whether a forked child can run this program as ``python -m`` would."""
        return "--monkey-patch" not in argv

    def launch(self) -> ForkServer:
        """Start the warm parent without waiting for it: it warms up while the caller works."""
        if self.process is None and self.owned:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "playground.forkserver", self.address, *self.preload],
                cwd=self.cwd,
                stdout=subprocess.DEVNULL,
                stderr=None,  # its own failures (a preload that does not import) go to ours
                start_new_session=True,  # Ctrl-C of the caller's terminal is the caller's
                preexec_fn=die_with_parent,
            )
        return self

    def start(self, timeout: float = 30.0) -> ForkServer:
        """Start the warm parent (if not launched yet) and wait until it takes requests."""
        self.launch()
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.address):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the fork server did not start (preload: {self.preload})")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(0.02)
        return self

    def spawn(self, module: str, argv: list[str], *, stdout, env=None, cwd=None) -> ForkedProcess:
        """Run ``python -m module *argv`` as a forked child writing to the file ``stdout``.

        The warm parent starts with the first child it is asked for, if not before.
        """
        if not os.path.exists(self.address):
            self.start()
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(self.address)
        request = {
            "module": module,
            "argv": list(argv),
            "env": dict(os.environ if env is None else env),
            "cwd": str(cwd or self.cwd),
        }
        socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], [stdout.fileno()])
        return ForkedProcess(connection)

    def stop(self) -> None:
        if not self.owned:
            return
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._dir.cleanup()


class ForkedProcess:
    """A child of the fork server, driven like ``subprocess.Popen``."""

    def __init__(self, connection: socket.socket):
        self._connection = connection
        self._lines = _Lines(connection)
        answer = self._lines.next(timeout=30.0)
        if answer is None or "pid" not in answer:
            raise RuntimeError(f"the fork server did not start the program: {answer}")
        self.pid: int = answer["pid"]
        self.returncode: int | None = None
        # One reader of the connection at a time: Popen's wait() may be called from several
        # threads at once (a thread that watches the process, another that stops it).
        self._reading = threading.Lock()

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read(timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._read(timeout)
            if self.returncode is None:
                raise subprocess.TimeoutExpired(f"forked pid {self.pid}", timeout)
        return self.returncode

    def _read(self, timeout: float | None) -> None:
        if not self._reading.acquire(timeout=-1 if timeout is None else timeout):
            return  # another thread is reading, and has not had the answer in time
        try:
            if self.returncode is None:
                answer = self._lines.next(timeout)
                if answer is not None:
                    self.returncode = answer["returncode"]
                    self._connection.close()
        finally:
            self._reading.release()

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class _Lines:
    """JSON lines from a connection; ``next(timeout)`` is None when none came in time."""

    def __init__(self, connection: socket.socket):
        self._connection, self._buffer = connection, b""

    def next(self, timeout: float | None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            self._connection.settimeout(remaining)
            try:
                chunk = self._connection.recv(4096)
            except (TimeoutError, BlockingIOError):
                return None
            if not chunk:
                raise RuntimeError("the fork server went away")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)


# --- the warm parent itself --------------------------------------------------------------


def serve(address: str, preload: list[str]) -> None:
    """Import ``preload``, then fork a child per request until SIGTERM."""
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    for module in preload:
        __import__(module)
    children: dict[int, socket.socket] = {}  # pid -> the connection that asked for it
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address + ".tmp")
    listener.listen(64)
    os.rename(address + ".tmp", address)  # exists only once it accepts: the caller waits on it
    wakeup_read, wakeup_write = os.pipe()
    os.set_blocking(wakeup_write, False)
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector through the pipe
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wakeup_read, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is listener:
                connection, _ = listener.accept()
                pid = _fork(connection, [listener, wakeup_read, wakeup_write])
                if pid:
                    children[pid] = connection
            else:
                os.read(wakeup_read, 4096)
        _reap(children)


def _reap(children: dict[int, socket.socket]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is not None:
            with contextlib.suppress(OSError):  # the caller may have gone
                connection.sendall(json.dumps({"returncode": _returncode(status)}).encode() + b"\n")
            connection.close()


def _returncode(status: int) -> int:
    """As subprocess reports it: the exit code, or minus the signal that ended the child."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _fork(connection: socket.socket, ours: list) -> int:
    """Read one request and fork its child; in the parent, return the child's pid (0 if none)."""
    fds = array.array("i")
    message, ancillary, _, _ = connection.recvmsg(MAX_REQUEST, socket.CMSG_SPACE(fds.itemsize))
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    try:
        request = json.loads(message)
        [output] = fds
    except ValueError:
        connection.close()
        for fd in fds:
            os.close(fd)
        return 0
    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(output)
        connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        return pid
    _run_child(request, output, parent, [connection, *ours])


def _run_child(request: dict, output: int, parent: int, inherited: list) -> None:
    """In the child: become the program ``python -m module`` would have started; never returns."""
    code = 1
    try:
        os.setsid()  # a process group of its own, as subprocess's start_new_session gives
        die_with_parent()
        if os.getppid() != parent:  # the warm parent died before the line above
            os._exit(1)
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for thing in inherited:
            with contextlib.suppress(OSError):
                thing.close() if hasattr(thing, "close") else os.close(thing)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(output)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        # Unbuffered, as PYTHONUNBUFFERED=1 would have made them: the caller reads as it goes.
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        os.chdir(request["cwd"])
        sys.path[0] = os.getcwd()  # where ``python -m`` looks first
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [request["module"], *request["argv"]]
        # As under ``python -m``, the program runs as __main__, and a module that imports it by
        # name gets a copy of its own (the warm parent may have imported it already).
        sys.modules.pop(request["module"], None)
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        if isinstance(exit.code, int) or exit.code is None:
            code = exit.code or 0
        else:
            print(exit.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only its caller stops it (SIGTERM)
    serve(sys.argv[1], sys.argv[2:])
