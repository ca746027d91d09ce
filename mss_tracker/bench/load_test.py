"""Load test: gunicorn + PostgreSQL on loopback, driven by wrk from a second process.

    uv run python -m mss_tracker.bench.load_test [--duration 60] [--connections 64]

Creates a throwaway PostgreSQL database with the sample data, starts gunicorn with the
repository's gunicorn.conf.py (production settings, DEBUG off), and runs
`wrk --latency -t2 -c64 -d60s -s mss_tracker/bench/load_test.lua`: dashboards with varying
`as_of` and `type`, country pages, timeline pages, summary and events CSV exports.
Prints throughput, latency percentiles, and the count of errors and non-2xx responses;
exits non-zero if there was any. Needs Debian's `wrk` (apt-get install wrk).
Only loopback traffic; wrk stops by itself after the duration.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from mss_tracker.bench.sample_server import sample_server

PORT = 8767
DATABASE = "mss_load_test"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2 * os.cpu_count() + 1)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk")
        return 2
    with sample_server(
        DATABASE, port=PORT, workers=args.workers, gunicorn_args=("--access-logfile", "/dev/null")
    ) as server:
        result = subprocess.run(
            [
                "wrk",
                "--latency",
                "-t2",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "-s",
                str(Path(__file__).with_name("load_test.lua")),
                server.url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    print(result.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    errors = re.search(r"Socket errors: (.*)", result.stdout)
    print(f"gunicorn workers: {args.workers}; connections: {args.connections}; {args.duration} s")
    failed = bool(non2xx) or bool(errors)
    print("FAIL: errors or non-2xx responses" if failed else "PASS: zero errors, zero non-2xx")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
