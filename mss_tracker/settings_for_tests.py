"""The test suite's settings: production's (settings.py), plus what makes tests fast and
their counts exact. pytest reads this module (pyproject.toml); subprocess tests start
`manage.py`/gunicorn with settings.py itself and an environment of their own.

- DEBUG on by default, as for `demo`, so that settings.py needs no secret key or host
  list (pytest-django still runs each test with DEBUG off).
- MD5 password hashing: the default PBKDF2 is slow on purpose, and every login, admin,
  history and roles test creates or checks a password (68 s of the suite before, 6 s now).
- The page cache off: the pinned query counts are those of a page computed afresh
  (the cache tests turn it on to test it).
- Background tasks run at once, inside the request that enqueues them
  (tests/test_two_servers.py runs the real worker).
"""

import os

os.environ.setdefault("DEBUG", "true")

from mss_tracker.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DASHBOARD_CACHE_SECONDS = 0
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
