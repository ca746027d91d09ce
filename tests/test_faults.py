"""The fault script (mss_tracker/bench/faults.py) at its smallest: its options, how it
counts what the readers saw, and the import files it uploads. A full run needs its own
PostgreSQL cluster, Redis and a few minutes (docs/reliability.md, "Faults under reads").
"""

import csv
import io

import pytest

from mss_tracker.bench import fault_parts, faults


def test_it_runs_every_fault_by_default_and_any_chosen_few():
    args = faults.parse_args([])
    assert args.faults == ["worker", "redis", "postgres", "sqlite"]
    assert (args.rows, args.sqlite_rows, args.redis_stop) == (30_000, 84_000, 15)
    chosen = faults.parse_args(["--faults", "sqlite,redis", "--rows", "100000"])
    assert chosen.faults == ["sqlite", "redis"] and chosen.rows == 100_000


def test_an_unknown_fault_is_refused(capsys):
    with pytest.raises(SystemExit):
        faults.parse_args(["--faults", "worker,disk"])
    assert "choose among worker, redis, postgres, sqlite" in capsys.readouterr().err


def test_it_counts_failures_by_status_and_names_the_slowest_answer():
    answers = [
        fault_parts.Answer(0, "/", 200, 0.1, "hit"),
        fault_parts.Answer(1, "/healthz", 200, 0.3, ""),
        fault_parts.Answer(2, "/missions/gsf/", 500, 0.2, "miss"),
        fault_parts.Answer(3, "/missions/mss/", "ConnectionRefusedError", 1.5, ""),
        fault_parts.Answer(4, "/", 302, 0.1, ""),
    ]
    assert [a.failed for a in answers] == [False, False, True, True, False]
    assert fault_parts.describe(answers) == (
        "5 requests, 2 failed {200: 2, 302: 1, 500: 1, ConnectionRefusedError: 1}, "
        "slowest 1.50 s (GET /missions/mss/); /healthz slowest 0.30 s"
    )
    assert fault_parts.describe([]) == "no requests"


def test_a_later_slice_of_the_arrivals_holds_other_rows_than_the_first():
    first, _ = fault_parts.arrival_lines(0, 800, 10)
    later, personnel = fault_parts.arrival_lines(800, 200, 10)
    first_rows = list(csv.DictReader(io.StringIO(first.decode())))
    later_rows = list(csv.DictReader(io.StringIO(later.decode())))
    assert (len(first_rows), len(later_rows)) == (800, 200)
    assert sum(int(row["personnel"]) for row in later_rows) == personnel
    key = ("date", "country_iso3", "personnel_type", "personnel")

    def keys(rows):
        return {tuple(row[k] for k in key) for row in rows}

    assert not keys(first_rows) & keys(later_rows)


def test_a_report_counts_what_failed():
    report = fault_parts.Report("a fault")
    report.check(True, "fine")
    report.check(False, "lost a row")
    assert report.failures == ["lost a row"]
    assert report.lines == ["fine", "FAIL: lost a row"]


def test_it_never_controls_a_cluster_of_anyone_else():
    with pytest.raises(ValueError, match="not a cluster of this script's own"):
        fault_parts.pg_ctlcluster(("15", "main"), "restart")


@pytest.mark.slow
def test_the_sqlite_fault_runs_whole_at_a_small_size(capsys):
    """The demo on a SQLite file, a 3,000-row import under reads: every check passes."""
    assert faults.main(["--faults", "sqlite", "--sqlite-rows", "3000"]) == 0
    out = capsys.readouterr().out
    assert "(+3,000, the file has 3,000)" in out
    assert "check_timelines: exit 0" in out and out.rstrip().endswith("PASS")
