"""Where an uncached dashboard's time goes, part by part, in the process (docs/performance.md,
"The dashboard's chart points"):

    DATABASE_URL=postgres://…/db DEBUG=false SECRET_KEY=… ALLOWED_HOSTS=testserver \\
        SECURE_SSL_REDIRECT=false uv run python -m mss_tracker.bench.dashboard_parts

The database is one `generate_data` has filled; the dashboard is the first synthetic
mission's, at `--requests` dates a week apart (every other one filtered to police), each a
date no earlier request asked for, so the page cache never answers. Each part is timed by
wrapping the function the view calls; a part inside another is counted in both.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import functools
import os
import time

PARTS = {
    "mss_tracker.dashboards.views": [
        "strength_charts",
        "render_page",
        "funding_context",
        "filter_context",
        "citation",
        "get_mission",
    ],
    "mss_tracker.dashboards.charts": ["chart_geometry", "draw"],
    "mss_tracker.dashboards.sorting": ["in_table_order"],  # the country figures, read
}


def _timed(spent: collections.Counter, module, name: str) -> None:
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = original(*args, **kwargs)
            return list(result) if name == "in_table_order" else result
        finally:
            spent[name] += time.perf_counter() - started

    setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--first", default="2024-07-01", help="the first as_of (ISO)")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mss_tracker.settings")
    import django

    django.setup()
    import importlib

    from django.test import Client

    spent: collections.Counter = collections.Counter()
    for module_name, names in PARTS.items():
        module = importlib.import_module(module_name)
        for name in names:
            _timed(spent, module, name)

    client = Client()
    first = datetime.date.fromisoformat(arguments.first)
    client.get("/missions/synthetic-1/?as_of=" + (first - datetime.timedelta(days=1)).isoformat())
    spent.clear()
    started = time.perf_counter()
    for index in range(arguments.requests):
        as_of = first + datetime.timedelta(days=7 * index)
        police = "&type=police" if index % 2 else ""
        response = client.get(f"/missions/synthetic-1/?as_of={as_of}{police}")
        if response.status_code != 200:
            raise SystemExit(f"{as_of}: {response.status_code}")
    total = (time.perf_counter() - started) / arguments.requests
    print(f"an uncached dashboard: {total * 1000:.1f} ms (mean of {arguments.requests})")
    for name, seconds in spent.most_common():
        print(f"  {name:20s} {seconds / arguments.requests * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
