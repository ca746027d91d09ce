"""The benchmark's results as the tables of docs/performance.md: figures and goals."""

from __future__ import annotations

from dataclasses import dataclass, field

GOAL_SLOWDOWN = 2.0  # time at the largest size ÷ time at the smallest
GOAL_EXPORT_VS_COPY = 0.5
GOAL_EXPORT_MB = 150
GOAL_JSON_VS_CSV_SPEED = 0.5  # events.json rows/s ÷ events.csv rows/s, at least
GOAL_JSON_VS_CSV_MEMORY = 1.5  # events.json peak RSS ÷ events.csv peak RSS, at most
GOAL_THROUGHPUT = 0.5


@dataclass
class Run:
    backend: str
    events: int
    pages: dict = field(default_factory=dict)
    export: dict = field(default_factory=dict)
    export_json: dict = field(default_factory=dict)
    throughput: dict = field(default_factory=dict)
    generate_seconds: float = 0.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _verdict(ok: bool, detail: str) -> str:
    return f"{'met' if ok else 'MISSED'} ({detail})"


def render_table(runs: list[Run]) -> str:
    lines = [
        "| backend | events | dates | dashboard ms (q) | as of a date, police ms (q) "
        "| country ms (q) | summary CSV ms (q) "
        "| cached dashboard ms | export rows/s | baseline rows/s | export ÷ baseline "
        "| export peak RSS MB | dashboard rps | /healthz rps | rps ratio |",
        "|" + " --- |" * 15,
    ]
    for run in runs:
        p, e, t = run.pages, run.export, run.throughput
        ratio = e["rows_per_second"] / e["baseline_rows_per_second"]
        if "error" in t:
            rps = ["—", "—", t["error"]]
        else:
            rps = [
                f"{t['dashboard_rps']:.0f}",
                f"{t['trivial_rps']:.0f}",
                f"{t['ratio']:.2f}",
            ]
        lines.append(
            "| "
            + " | ".join(
                [
                    run.backend,
                    f"{run.events:,}",
                    f"{p['dates']:,}",
                    f"{_ms(p['dashboard']['seconds'])} ({p['dashboard']['queries']})",
                    f"{_ms(p['dashboard as of a date']['seconds'])}"
                    f" ({p['dashboard as of a date']['queries']})",
                    f"{_ms(p['country page']['seconds'])} ({p['country page']['queries']})",
                    f"{_ms(p['summary CSV']['seconds'])} ({p['summary CSV']['queries']})",
                    _ms(p["dashboard (cached)"]["seconds"]),
                    f"{e['rows_per_second']:,.0f}",
                    f"{e['baseline_rows_per_second']:,.0f}",
                    f"{ratio:.2f}",
                    f"{e['peak_rss_mb']:.0f}",
                    *rps,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def render_goals(runs: list[Run]) -> str:
    lines = []
    for backend in dict.fromkeys(run.backend for run in runs):
        mine = sorted((r for r in runs if r.backend == backend), key=lambda r: r.events)
        small, large = mine[0], mine[-1]
        lines.append(f"{backend}:")
        if len(mine) > 1:
            for page in ("dashboard", "dashboard as of a date", "country page", "summary CSV"):
                slowdown = large.pages[page]["seconds"] / small.pages[page]["seconds"]
                lines.append(
                    f"  {page}: {large.events:,} ÷ {small.events:,} events = {slowdown:.2f}× "
                    f"— goal ≤ {GOAL_SLOWDOWN:.0f}×: "
                    + _verdict(
                        slowdown <= GOAL_SLOWDOWN,
                        "ok"
                        if slowdown <= GOAL_SLOWDOWN
                        else f"{slowdown / GOAL_SLOWDOWN:.2f}× over",
                    )
                )
            for page in ("dashboard", "dashboard as of a date", "country page", "summary CSV"):
                counts = sorted({r.pages[page]["queries"] for r in mine})
                lines.append(
                    f"  {page} queries at every size: {counts} — goal identical: "
                    + _verdict(len(counts) == 1, "ok" if len(counts) == 1 else "they differ")
                )
        export = large.export
        ratio = export["rows_per_second"] / export["baseline_rows_per_second"]
        lines.append(
            f"  events export at {export['rows']:,} rows: {ratio:.2f}× the rows/s of "
            f"{export['baseline']} — goal ≥ {GOAL_EXPORT_VS_COPY}: "
            + _verdict(
                ratio >= GOAL_EXPORT_VS_COPY,
                "ok"
                if ratio >= GOAL_EXPORT_VS_COPY
                else f"{GOAL_EXPORT_VS_COPY / ratio:.2f}× short",
            )
        )
        lines.append(
            f"  events export peak RSS {export['peak_rss_mb']:.0f} MB "
            f"— goal < {GOAL_EXPORT_MB} MB: "
            + _verdict(export["peak_rss_mb"] < GOAL_EXPORT_MB, "ok")
        )
        t = large.throughput
        if "error" not in t:
            ratio = t["ratio"]
            lines.append(
                f"  dashboard under load: {ratio:.2f}× the requests/s of /healthz — goal ≥ "
                f"{GOAL_THROUGHPUT}: "
                + _verdict(
                    ratio >= GOAL_THROUGHPUT,
                    "ok" if ratio >= GOAL_THROUGHPUT else f"{GOAL_THROUGHPUT / ratio:.2f}× short",
                )
            )
    return "\n".join(lines)


def render_json_table(runs: list[Run]) -> str:
    """events.json against events.csv: rows/s and peak memory, and the two goals."""
    lines = [
        "| backend | events | csv rows/s | json rows/s | json ÷ csv | csv peak MB | json peak MB "
        "| json ÷ csv | goals |",
        "|" + " --- |" * 9,
    ]
    for run in runs:
        csv_, json_ = run.export, run.export_json
        speed = json_["rows_per_second"] / csv_["rows_per_second"]
        memory = json_["peak_rss_mb"] / csv_["peak_rss_mb"]
        met = speed >= GOAL_JSON_VS_CSV_SPEED and memory <= GOAL_JSON_VS_CSV_MEMORY
        cells = [
            run.backend,
            f"{run.events:,}",
            f"{csv_['rows_per_second']:,.0f}",
            f"{json_['rows_per_second']:,.0f}",
            f"{speed:.2f}",
            f"{csv_['peak_rss_mb']:.0f}",
            f"{json_['peak_rss_mb']:.0f}",
            f"{memory:.2f}",
            "met" if met else "MISSED",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
