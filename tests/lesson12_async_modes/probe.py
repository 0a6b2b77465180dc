"""The lesson app under Flask-SocketIO's test client, in a Python process of its own.

``python -m tests.lesson12_async_modes.probe MODE [--without MODULE ...]`` creates the lesson's app
with ``ASYNC_MODE=MODE`` (``auto``: no ``async_mode`` at all, Flask-SocketIO chooses), drives it
with a test client, and prints what it saw as JSON. A process of its own because eventlet must
never be imported into the pytest process (tests/conftest.py), and because which modes can be
imported is decided once per process: ``--without eventlet`` makes ``import eventlet`` fail here.
"""

import argparse
import json
import sys
import warnings

parser = argparse.ArgumentParser()
parser.add_argument("mode", choices=["auto", "threading", "eventlet", "gevent"])
parser.add_argument("--without", action="append", default=[], help="a module that cannot import")
parser.add_argument("--app-file", help="the lesson's module from this file (an exercise's)")
args = parser.parse_args()
for module in args.without:
    sys.modules[module] = None  # `import module` now raises ImportError, as if not installed

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from playground import app_file, manifest

    lesson = manifest.find("12")
    if args.app_file:
        app_file.install(lesson, args.app_file)
    app, socketio = lesson.create_app(
        ASYNC_MODE=None if args.mode == "auto" else args.mode, TESTING=True
    )

# Keep the task that `count` starts, to wait for it to end (join() yields to green threads too).
tasks = []
start_background_task = socketio.start_background_task
socketio.start_background_task = lambda *a, **kw: (
    tasks.append(start_background_task(*a, **kw)) or tasks[-1]
)

client = socketio.test_client(app)
report = {
    "async_mode": socketio.async_mode,
    # each warning raised while importing and creating the app, with its base classes
    "warnings": {
        type(w.message).__name__: [base.__name__ for base in type(w.message).__mro__[1:-2]]
        for w in caught
    },
    "eventlet_imported": sys.modules.get("eventlet") is not None,
    "echo": client.emit("echo", {"text": "hello", "n": 1}, callback=True),
    "server_info": client.emit("server_info", callback=True),
    "count": client.emit("count", 3, callback=True),
}


def ticks() -> list:
    return [event["args"][0] for event in client.get_received() if event["name"] == "tick"]


# join() right away: in eventlet mode it returns at once while the task has not run yet, since
# engineio's EventletThread.join() tests `if self.g`, and a green thread is falsy until it runs.
# (No task at all: `count` started none, which the count tests then show; the rest still holds.)
for task in tasks:
    task.join()
report["ticks_after_first_join"] = ticks()
socketio.sleep(0)  # yields once: a green-thread task gets to start
for task in tasks:
    task.join()
report["ticks"] = report["ticks_after_first_join"] + ticks()
client.disconnect()
print(json.dumps(report))
