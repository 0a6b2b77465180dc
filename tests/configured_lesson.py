"""A lesson served by ``socketio.run`` with ``create_app(**config)``: settings the runner has not.

``python -m tests.configured_lesson LESSON CONFIG_JSON HOST PORT``, for test_security.py's
``ConfiguredLesson``. The runner sets only the async mode; a test of another setting
(``CORS_ALLOWED_ORIGINS``) needs the lesson's app made with it. A module rather than
``python -c``: the suite's warm parent forks it, as it forks the runner.
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")  # before it is imported

from playground import manifest  # noqa: E402
from playground.run import EXIT_PORT_IN_USE  # noqa: E402
from playground.server_process import port_is_free  # noqa: E402

if __name__ == "__main__":
    lesson, config, host, port = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    if not port_is_free(host, port):
        sys.exit(EXIT_PORT_IN_USE)
    app, socketio = manifest.find(lesson).create_app(**config)
    print("listening", flush=True)
    socketio.run(app, host=host, port=port)
