"""gunicorn settings for production: `uv run gunicorn` reads this file from the project root.

Environment variables: WEB_CONCURRENCY (workers, default 2 × cores + 1), PORT (default
8000) or BIND (e.g. unix:/run/mss-tracker.sock), GUNICORN_TIMEOUT (seconds, default 30),
GUNICORN_MAX_REQUESTS (requests before a worker is replaced, default 200,000; 0 never),
FORWARDED_ALLOW_IPS and USE_X_FORWARDED_PROTO (read exactly as settings.py reads them),
GUNICORN_CONTROL_SOCKET (a path: gunicornc's control socket; unset, none).
"""

import multiprocessing
import os

from mss_tracker.lib.env import envbool, envint, envnetworks

wsgi_app = "mss_tracker.wsgi:application"

# The reverse proxies in front of the app: the one list Django's login throttling also
# trusts X-Forwarded-For from (lib/throttling.py). With a proxy, gunicorn listens on the
# loopback only by default, so that clients cannot go around the proxy; a proxy on another
# host needs BIND set to an address it can reach (and a firewall that lets only it in).
_proxies = envnetworks("FORWARDED_ALLOW_IPS")
forwarded_allow_ips = ",".join(str(network) for network in _proxies)
_interface = "127.0.0.1" if _proxies else "0.0.0.0"
bind = os.environ.get("BIND") or f"{_interface}:{envint('PORT', 8000, minimum=1)}"
# gunicorn's default believes three HTTPS headers from those proxies; believe only the one
# settings.py names, and only when USE_X_FORWARDED_PROTO says the proxy sets it.
secure_scheme_headers = (
    {"X-FORWARDED-PROTO": "https"} if envbool("USE_X_FORWARDED_PROTO", default=False) else {}
)
workers = envint("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1, minimum=1)

# A request that takes longer than this is stuck: the worker is replaced.
timeout = envint("GUNICORN_TIMEOUT", 30, minimum=1)
# On SIGTERM (a deploy), workers finish the requests they are serving for this long.
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage, but rarely: a new
# worker imports Django again, opens new database connections and starts with cold
# caches (about a second of a core). At full load a server answers about 1,000 requests
# per second, so the former 1,000 restarted each of two workers every 2 s or so (47
# restarts per server in 30 s of load). 200,000 per worker (±10 % so that workers do not
# restart together) is one restart per worker every few minutes at full load, and every
# few days at ordinary traffic: still often enough to bound a slow leak.
max_requests = envint("GUNICORN_MAX_REQUESTS", 200_000, minimum=0)
max_requests_jitter = max_requests // 10

# gunicorn's control socket (gunicornc: worker counts, reload, shutdown) is one path per
# user by default, ~/.gunicorn/gunicorn.ctl: a second server on the host silently takes
# it over from the first. None unless asked for, and then at a path of this server's own.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket

accesslog = "-"  # stdout
errorlog = "-"  # stderr
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def worker_exit(server, worker) -> None:
    """Close the worker's database pools, so their threads don't hold up its exit."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if hasattr(connection, "close_pool"):
            connection.close_pool()
