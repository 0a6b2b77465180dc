"""Lesson 13's deployment: gunicorn servers behind a private nginx, sharing a Redis queue; one URL.

``NginxServer`` and ``GunicornServer`` are ServerProcesses (started, waited for, never orphaned);
``Stack`` starts the lot in order (Redis, the servers, nginx last, so its port answers once all is
ready) and stops it in reverse. The runner (``nox -s lesson -- 13``), the tests and the soak use
the same classes; gunicorn serves ``wsgi_app(lesson id)``, configured from ``LESSON_CONFIG``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playground import manifest
from playground.redis_server import RedisServer, RedisServerMissing, subscribers
from playground.server_process import ServerProcess, free_port, start_together, stop_together

LESSON_DIR = manifest.LESSONS_DIR / "lesson13_deploying"
GUNICORN_CONF = LESSON_DIR / "gunicorn.conf.py"
NGINX_TEMPLATE = LESSON_DIR / "nginx.conf.template"
CONFIG_VARIABLE = "LESSON_CONFIG"  # the app's config, as JSON, in each server's environment
INSTALL_HINTS = {
    "nginx": "sudo apt-get install nginx",
    "gunicorn": "pip install gunicorn (a dependency of this project: nox -s lesson installs it)",
}
# Where to look before PATH: /usr/sbin is not on every user's PATH, and the gunicorn to run is
# the one beside this Python (the project's venv), not another on PATH.
FALLBACKS = {
    "nginx": (Path("/usr/sbin/nginx"),),
    "gunicorn": (Path(sys.executable).with_name("gunicorn"),),
}
# gunicorn's worker class -> the async mode the app must then use.
WORKERS = {"gevent": "gevent", "gthread": "threading"}
THREADS = 100  # gthread: threads per worker; each open connection holds one


class DeploymentMissing(RuntimeError):
    """nginx or gunicorn is not installed."""


class DeploymentFailedToStart(RuntimeError):
    pass


def wsgi_app(lesson_id: str):
    """What gunicorn serves: the lesson's Flask app, configured from ``LESSON_CONFIG`` (JSON)."""
    from playground.wiring import mount_under  # here: the noxfile imports this module, stdlib only

    config = json.loads(os.environ.get(CONFIG_VARIABLE, "{}"))
    prefix = config.pop("URL_PREFIX", "")  # behind the playground: /lessons/13
    app, _ = manifest.find(lesson_id).create_app(**config)
    if prefix:
        mount_under(app, prefix)
    return app


def executable(name: str) -> str:
    """The path of the program ``name``, or DeploymentMissing saying what to install."""
    found = next((str(p) for p in FALLBACKS[name] if p.is_file()), None) or shutil.which(name)
    if found is None:
        raise DeploymentMissing(
            f"{name} is not installed; lesson 13 needs it: {INSTALL_HINTS[name]}"
        )
    return found


class GunicornServer(ServerProcess):
    """``gunicorn`` serving one lesson's app: ready once every worker has loaded it."""

    failure = DeploymentFailedToStart
    startup_timeout = 30.0  # seconds; each worker imports Flask-SocketIO and the lesson (~2 s)

    def __init__(
        self,
        lesson: manifest.Lesson,
        *,
        worker: str = "gevent",
        workers: int = 1,
        config: dict | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
    ):
        super().__init__(port, host)
        if worker not in WORKERS:
            raise ValueError(f"worker {worker!r} is not one of {', '.join(WORKERS)}")
        self.lesson, self.worker, self.workers = lesson, worker, workers
        self.config = {"ASYNC_MODE": WORKERS[worker], **(config or {})}
        # The venv's gunicorn beside this Python first. Not ``python -m gunicorn``: the suite's
        # warm parent would fork that, and gevent's worker must patch before anything imports.
        self.executable = executable("gunicorn")

    def __str__(self) -> str:
        return f"gunicorn on port {self.port}"

    # --8<-- [start:gunicorn-command]
    def command(self) -> list[str]:
        threads = ["--threads", str(THREADS)] if self.worker == "gthread" else []
        return [
            self.executable,
            *("--config", str(GUNICORN_CONF.relative_to(manifest.ROOT))),
            *("--bind", f"{self.host}:{self.port}"),
            *("--worker-class", self.worker, "--workers", str(self.workers), *threads),
            f"playground.deployment:wsgi_app({self.lesson.id!r})",
        ]

    # --8<-- [end:gunicorn-command]

    def popen_options(self) -> dict:
        return {
            "cwd": manifest.ROOT,
            "env": {
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                CONFIG_VARIABLE: json.dumps(self.config),
            },
            "start_new_session": True,  # the master and its workers: stop() reaches them all
        }

    @property
    def worker_pids(self) -> list[int]:
        """The worker processes (the master only supervises them), as gunicorn.conf.py logs them."""
        return [int(pid) for pid in re.findall(r"Worker (\d+) serves ", self.read_output())]

    def is_ready(self) -> bool:
        return len(self.worker_pids) >= self.workers

    def port_was_taken(self) -> bool:
        return "Address already in use" in self.read_output()

    def _signal(self, signum: int) -> None:
        # SIGINT is gunicorn's quick shutdown; its SIGTERM waits for open connections to finish,
        # which WebSockets never do (a SIGTERM from elsewhere: gunicorn.conf.py bounds the wait).
        os.killpg(self.process.pid, signal.SIGINT if signum == signal.SIGTERM else signum)


class NginxServer(ServerProcess):
    """A private nginx: a config rendered from the lesson's template into a directory of its own."""

    failure = DeploymentFailedToStart
    startup_timeout = 10.0  # seconds; nginx listens within milliseconds

    def __init__(
        self,
        upstreams: list[int],
        *,
        sticky: bool = True,
        upgrade: bool = True,
        port: int = 0,
        host: str = "127.0.0.1",
        url_prefix: str = "",
    ):
        super().__init__(port, host)
        self.upstreams, self.sticky, self.upgrade = list(upstreams), sticky, upgrade
        self.url_prefix = url_prefix  # the path the app is under: /lessons/13 in the playground
        self.executable = executable("nginx")
        self.prefix: tempfile.TemporaryDirectory | None = None

    def __str__(self) -> str:
        return f"nginx on port {self.port}"

    @property
    def config_path(self) -> Path:
        return Path(self.prefix.name) / "nginx.conf"

    def render(self) -> str:
        """The config this nginx runs: the lesson's template with this run's ports and paths."""
        import jinja2  # here: the runner (and so the noxfile) imports this module before installing

        template = jinja2.Template(NGINX_TEMPLATE.read_text(), keep_trailing_newline=True)
        return template.render(
            prefix=self.prefix.name,
            listen=f"{self.host}:{self.port}",
            upstreams=[f"{self.host}:{port}" for port in self.upstreams],
            sticky=self.sticky,
            upgrade=self.upgrade,
            url_prefix=self.url_prefix,
        )

    def command(self) -> list[str]:
        if self.prefix is None:
            self.prefix = tempfile.TemporaryDirectory(prefix="nginx-")
        self.config_path.write_text(self.render())
        # -e: where nginx reports before it has read error_log from the config (a bad config).
        return [
            self.executable,
            "-p",
            self.prefix.name,
            "-c",
            str(self.config_path),
            "-e",
            "stderr",
        ]

    def port_was_taken(self) -> bool:
        return "Address already in use" in self.read_output()

    def stop(self, timeout: float = 5.0) -> None:
        super().stop(timeout)
        if self.prefix is not None:
            self.prefix.cleanup()
            self.prefix = None


def open_and_close_a_session(url: str, query: str = "") -> str | None:
    """One Engine.IO handshake (a long-polling GET), then its close packet: the least a client does.

    A server's first connection is what subscribes it to the message queue. Returns who answered,
    as nginx's X-Upstream header says (None straight from a server). ``query``: ``&lb=key``.
    """
    with urllib.request.urlopen(f"{url}/socket.io/?EIO=4&transport=polling{query}", timeout=5) as r:
        sid = json.loads(r.read()[1:])["sid"]  # the open packet: 0{"sid": ...}
        upstream = r.headers.get("X-Upstream")
    close = urllib.request.Request(
        f"{url}/socket.io/?EIO=4&transport=polling&sid={sid}{query}", data=b"1", method="POST"
    )
    try:
        urllib.request.urlopen(close, timeout=5).close()
    except urllib.error.HTTPError as error:
        # gunicorn --workers 4: the close may reach another worker, which answers this lesson's
        # 400 "Invalid session". The session then ends on its own at its ping timeout.
        if error.code != 400:
            raise
    return upstream


class Stack:
    """Redis, ``servers`` gunicorn processes and nginx in front of them, at one URL."""

    def __init__(
        self,
        lesson: manifest.Lesson,
        *,
        servers: int = 3,
        workers: int = 1,
        worker: str = "gevent",
        sticky: bool = True,
        upgrade: bool = True,
        debug_logs: bool = False,
        cors_allowed_origins: list[str] | None = None,
        message_queue: str | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        prefix: str = "",
        allow_hosts: tuple[str, ...] = (),
    ):
        self.lesson, self.host, self.prefix = lesson, host, prefix
        self.port = port or free_port(host)  # known before the servers start: they are told it
        self.redis = None if message_queue else RedisServer(host=host)
        self.message_queue = message_queue
        self.workers = workers
        # --8<-- [start:app-config]
        config = {
            "LOGGER": debug_logs,  # SocketIO(logger=...): every event in and out
            "ENGINEIO_LOGGER": debug_logs,  # SocketIO(engineio_logger=...): every packet, every 400
            "CORS_ALLOWED_ORIGINS": cors_allowed_origins,  # None: the page's own origin only
            # Behind nginx, requests carry nginx's Host (127.0.0.1:<nginx port>), not a server's
            # own: the Host check to come must be told to accept it.
            "ALLOWED_HOSTS": [f"{host}:{self.port}", f"localhost:{self.port}", *allow_hosts],
            "URL_PREFIX": prefix,  # under the playground: the path its proxy forwards
            "DEPLOYMENT": {
                "servers": servers,
                "workers": workers,
                "worker": worker,
                "sticky": sticky,
                "upgrade": upgrade,
            },
        }
        # --8<-- [end:app-config]
        self.config = config
        self.servers = [
            GunicornServer(lesson, worker=worker, workers=workers, config=config, host=host)
            for _ in range(servers)
        ]
        self.nginx_options = {"sticky": sticky, "upgrade": upgrade}
        self.nginx: NginxServer | None = None
        self.subscribed = 0  # processes on the queue's channel once every server listens

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.prefix}"

    def start(self) -> Stack:
        executable("nginx")  # a missing nginx is found before anything starts
        try:
            if self.redis:
                self.redis.start()
                self.message_queue = self.redis.url
            for server in self.servers:
                server.config["MESSAGE_QUEUE"] = self.message_queue
            start_together(self.servers)  # their imports overlap: ~2 s for all, not 2 s each
            self.subscribed = subscribers(self.message_queue) + len(self.servers) * self.workers
            self.subscribe_every_server()
            self.reconfigure(**self.nginx_options)
        except BaseException:
            self.stop()
            raise
        return self

    def reconfigure(self, *, sticky: bool = True, upgrade: bool = True) -> NginxServer:
        """nginx with these options, on the stack's port: the one running, or a new one."""
        wanted = {"sticky": sticky, "upgrade": upgrade}
        if self.nginx is None or self.nginx_options != wanted:
            if self.nginx is not None:
                self.nginx.stop()
            self.nginx_options = wanted
            upstreams = [server.port for server in self.servers]
            self.nginx = NginxServer(
                upstreams, port=self.port, host=self.host, url_prefix=self.prefix, **wanted
            ).start()
        return self.nginx

    def restart(self, server: GunicornServer) -> None:
        """Start a server that was stopped or has died, on its port, listening to the queue."""
        server.stop()  # if it died: its output is closed and kept
        server.start()
        self.subscribe_every_server()

    def sticky_keys(self, tries: int = 200) -> list[str]:
        """A sticky key for each server, in the order of ``servers``: ``lb=`` query or cookie."""
        found = {}
        for n in range(tries):
            found.setdefault(self.upstream_of(f"k{n}").port, f"k{n}")
            if len(found) == len(self.servers):
                return [found[server.port] for server in self.servers]
        raise DeploymentFailedToStart(f"{tries} keys reached {len(found)} of the servers")

    def upstream_of(self, key: str) -> GunicornServer:
        """The server nginx sends the sticky key ``key`` to (its X-Upstream answer says which)."""
        address = open_and_close_a_session(self.url, f"&lb={key}")
        return next(server for server in self.servers if address == f"{server.host}:{server.port}")

    def subscribe_every_server(self, timeout: float = 10.0) -> None:
        """Open a session on each server until every worker listens to the queue.

        A server that has not yet had a connection has not subscribed, and would miss what the
        others emit meanwhile. With several workers a server's connections go to any of them.
        """
        deadline = time.monotonic() + timeout
        next_round = 0.0
        while subscribers(self.message_queue) < self.subscribed:
            now = time.monotonic()
            if now > deadline:
                raise DeploymentFailedToStart(
                    f"the servers did not all subscribe to {self.message_queue} within {timeout} s"
                )
            if now >= next_round:  # subscribing takes a moment after the first session
                for server in self.servers:
                    for _ in range(self.workers):  # each worker must have had one
                        open_and_close_a_session(server.url + self.prefix)
                next_round = now + 0.5
            time.sleep(0.02)  # then ask Redis again (a bounded wait: the deadline above)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()  # first: no request reaches a server that is going
        stop_together(self.servers)  # each takes about a second: side by side, not in turn
        if self.redis is not None:
            self.redis.stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def describe(self) -> list[str]:
        """What runs behind the URL, a line each, as the runner prints it."""
        nginx = self.nginx
        balance = "sticky: hash of the lb key" if nginx.sticky else "round-robin, not sticky"
        upgrade = "WebSocket upgrade headers on" if nginx.upgrade else "NO upgrade headers"
        lines = [f"  nginx (pid {nginx.pid}) on {nginx.url}: {balance}; {upgrade}"]
        lines.append(f"    config: {nginx.config_path}")
        for number, server in enumerate(self.servers, 1):
            lines.append(
                f"  server {number}: gunicorn (pid {server.pid}, workers {server.worker_pids})"
                f" on {server.url}"
            )
            lines.append(f"    {subprocess.list2cmdline(server.command())}")
        if self.redis:
            lines.append(
                f"  redis-server (pid {self.redis.pid}) on {self.redis.host}:{self.redis.port}"
            )
        else:
            lines.append("  message queue: the one given with --message-queue")
        return lines


# --- the runner's part ---------------------------------------------------------------------------


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("lesson 13 (a deployment: gunicorn behind nginx)")
    group.add_argument("--servers", type=int, default=3, help="gunicorn processes (default 3)")
    group.add_argument(
        "--workers", type=int, default=1, help="workers per gunicorn (more than 1 breaks polling)"
    )
    group.add_argument(
        "--worker", choices=WORKERS, default="gevent", help="gunicorn's worker class"
    )
    group.add_argument(
        "--round-robin", action="store_true", help="nginx without sticky sessions (breaks polling)"
    )
    group.add_argument(
        "--no-upgrade-headers",
        action="store_true",
        help="nginx without the WebSocket upgrade headers (stays on long-polling)",
    )
    group.add_argument(
        "--debug-logs",
        action="store_true",
        help="logger=True, engineio_logger=True in every server",
    )
    group.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="also accept this origin (cors_allowed_origins); repeat for more",
    )


def serve(lesson: manifest.Lesson, args: argparse.Namespace) -> int:
    """Run the stack until Ctrl-C or SIGTERM, printing what the servers print; the exit code."""
    if not 1 <= args.servers <= 8 or not 1 <= args.workers <= 8:
        print("error: --servers and --workers take 1 to 8", file=sys.stderr)
        return 2
    # SIGTERM stops it as Ctrl-C does (and the previous handler is put back on the way out).
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run_stack(lesson, args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_stack(lesson: manifest.Lesson, args: argparse.Namespace) -> int:
    try:
        stack = Stack(
            lesson,
            servers=args.servers,
            workers=args.workers,
            worker=args.worker,
            sticky=not args.round_robin,
            upgrade=not args.no_upgrade_headers,
            debug_logs=args.debug_logs,
            cors_allowed_origins=args.cors_origin,
            message_queue=args.message_queue,
            port=args.port,
            host=args.host,
            prefix=args.prefix,
            allow_hosts=tuple(args.allow_host),
        ).start()
    except (DeploymentMissing, RedisServerMissing, DeploymentFailedToStart) as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    print(
        f"Lesson {lesson.id} — {lesson.title}: {stack.url}/   (Ctrl-C to stop)\nBehind it:",
        *stack.describe(),
        sep="\n",
        flush=True,
    )
    try:
        follow(stack)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        stack.stop()
    return 0


def follow(stack: Stack) -> None:
    """Print what each process prints, prefixed with its name, and say when one exits."""
    processes = {"nginx": stack.nginx} | {
        f"server {n}": server for n, server in enumerate(stack.servers, 1)
    }
    printed = dict.fromkeys(processes, 0)
    exited = set()
    while True:
        for name, process in processes.items():
            text = process.read_output()
            for line in text[printed[name] :].splitlines():
                print(f"[{name}] {line}", flush=True)
            printed[name] = len(text)
            if name not in exited and process.process.poll() is not None:
                exited.add(name)
                print(f"[{name}] exited with {process.process.returncode}", flush=True)
        try:  # wait a little, or less if nginx exits meanwhile
            stack.nginx.process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        if "nginx" in exited:
            return
