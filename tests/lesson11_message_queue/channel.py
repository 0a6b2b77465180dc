"""The Redis channel the lesson 11 servers share: its name, and how many processes listen on it."""

import redis

CHANNEL = "flask-socketio"  # Flask-SocketIO's default channel on the queue


def subscribers(queue_url: str) -> int:
    """How many processes listen on the channel now (Redis's PUBSUB NUMSUB)."""
    with redis.Redis.from_url(queue_url) as client:
        [(_, count)] = client.pubsub_numsub(CHANNEL)
        return count
