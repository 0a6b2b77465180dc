"""gunicorn's settings for every lesson 13 server: ``gunicorn --config <this file> …``.

What changes from one server to the next (its port, its worker class, how many workers) is on the
command line that playground/deployment.py builds; what every server shares is here.
"""

# --8<-- [start:settings]
# One worker per gunicorn: its balancer hands each request to any worker, and a long-polling
# session lives in the one that opened it (the 400 "Invalid session" of -w 4).
workers = 1
# gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default: one path for every
# gunicorn of this user, so a second server would take over the first one's. Not needed here.
control_socket_disable = True
# On SIGTERM gunicorn waits this long for open requests; a WebSocket is one that never ends.
graceful_timeout = 3
# The servers listen on loopback behind nginx: trust its X-Forwarded-* headers from there only.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"  # every request, to the runner's output
# --8<-- [end:settings]


def post_worker_init(worker):
    """Say so once a worker has loaded the app: the runner and the tests wait for this line."""
    worker.log.info("Worker %s serves the app", worker.pid)
