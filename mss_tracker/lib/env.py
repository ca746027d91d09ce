"""Read configuration from environment variables, refusing bad values loudly.

Every helper raises ImproperlyConfigured with the variable's name, so a typo in a
deployment stops start-up with a message that says what to fix.
"""

import ipaddress
import os
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def envint(name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at most {maximum}.")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envnetworks(name: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated IP addresses or CIDR networks (`127.0.0.1,10.0.0.0/8`); `*` is
    refused, since trusting every address would let any client forge its own."""
    networks = []
    for item in envlist(name, []):
        try:
            networks.append(ipaddress.ip_network(item))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (e.g. 127.0.0.1 or "
                "10.0.0.0/8); list the proxies' addresses, never *."
            ) from None
    return networks


def envchoice(name: str, default: str, choices: list[str]) -> str:
    """One of `choices`, compared case-insensitively and returned as spelled in `choices`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}.")


def envorigins(name: str) -> list[str]:
    """Comma-separated origins with their scheme (https://tracker.example.org)."""
    origins = envlist(name, [])
    for origin in origins:
        if not origin.startswith(("https://", "http://")) or origin.count("/") != 2:
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin; write it as https://host[:port], "
                "without a path."
            )
    return origins


def envdatabase(
    name: str,
    default: str,
    conn_max_age: int = 600,
    pool_size: int = 0,
    pool_timeout: int = 10,
    busy_timeout: float = 5,
) -> dict[str, Any]:
    """Parse a database URL. With `pool_size` > 0, PostgreSQL connections come from a psycopg
    pool (checked before use, as CONN_HEALTH_CHECKS asks) instead of persistent ones.

    SQLite gets a write-ahead log, so that readers never wait for a writer (a long import
    included), and `busy_timeout` seconds for a writer to wait for another before it gives
    up with "database is locked" (docs/reliability.md, "SQLite: serving while an import writes")."""
    raw = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(raw, conn_max_age=conn_max_age, conn_health_checks=True)
    except (ValueError, KeyError) as error:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a database URL "
            "(expected sqlite:////absolute/path.sqlite3 or postgres://user:pass@host:5432/name): "
            f"{error}"
        ) from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"{name}={raw!r}: only sqlite:// and postgres:// URLs are supported."
        )
    if engine == "django.db.backends.sqlite3":
        # SQLite keeps no connection worth reusing; health checks would only add queries.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            **config.get("OPTIONS", {}),
            "init_command": "PRAGMA journal_mode=WAL",
            "timeout": busy_timeout,
        }
    else:
        # No JIT compilation: the pages' queries are short but carry many subplans, whose
        # estimated cost crosses jit_above_cost at tens of thousands of events; compiling
        # them then took 285 of a dashboard query's 294 ms (docs/performance.md, "JIT").
        given = config.get("OPTIONS", {}).get("options", "")
        config.setdefault("OPTIONS", {})["options"] = f"{given} -c jit=off".strip()
    if engine == "django.db.backends.postgresql" and pool_size > 0:
        config["CONN_MAX_AGE"] = 0  # Django: pooling replaces persistent connections
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": pool_timeout,
        }
    return dict(config)


def envcache(name: str, timeout: float = 0.25) -> dict[str, Any]:
    """Django's CACHES["default"] from a cache URL: `redis://host:port/db` (or `rediss://`
    for TLS) selects Django's own Redis cache, shared by every process that names it;
    unset keeps one local-memory cache per process.

    A Redis call gives up after `timeout` seconds, to connect and to read alike: a Redis
    that accepts connections and never answers (stopped, swapping) must cost a page a
    quarter of a second, not a worker (dashboards/caching.py then leaves it alone a while).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parsed = urlsplit(raw)
    try:
        valid = (
            parsed.scheme in ("redis", "rediss")
            and bool(parsed.hostname)
            and (parsed.port is None or parsed.port > 0)  # a port not a number: ValueError
            and (parsed.path.strip("/") or "0").isdigit()
        )
    except ValueError:
        valid = False
    if not valid:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a Redis URL "
            "(expected redis://host:6379/1, rediss:// for TLS, or unset for a per-process cache)."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": raw,
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
    }
