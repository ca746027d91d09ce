"""gunicorn settings for production: `uv run gunicorn` reads this file from the project root.

Environment variables: WEB_CONCURRENCY (workers, default 2 × cores + 1), PORT (default
8000) or BIND (e.g. unix:/run/mss-tracker.sock), GUNICORN_TIMEOUT (seconds, default 30),
FORWARDED_ALLOW_IPS (proxies whose X-Forwarded-* headers are trusted, default 127.0.0.1).
"""

import multiprocessing
import os

from mss_tracker.lib.env import envint

wsgi_app = "mss_tracker.wsgi:application"
bind = os.environ.get("BIND") or f"0.0.0.0:{envint('PORT', 8000, minimum=1)}"
workers = envint("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1, minimum=1)

# A request that takes longer than this is stuck: the worker is replaced.
timeout = envint("GUNICORN_TIMEOUT", 30, minimum=1)
# On SIGTERM (a deploy), workers finish the requests they are serving for this long.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 1000
max_requests_jitter = 100

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def worker_exit(server, worker) -> None:
    """Close the worker's database pools, so their threads don't hold up its exit."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()
