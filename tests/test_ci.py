"""What `.ci/run` checks besides the tests: types (mypy) and coverage, with their settings in
pyproject.toml, so a gap in either fails CI rather than waiting for a reviewer."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CI = (ROOT / ".ci" / "run").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def commands() -> list[str]:
    return [line.strip() for line in CI.splitlines() if line.strip().startswith(("uv ", "env "))]


def test_ci_checks_types():
    assert "uv run mypy" in commands()
    assert PYPROJECT["tool"]["mypy"]["strict"] is True


def test_ci_measures_coverage_on_both_databases_against_a_floor():
    everyday = [line for line in commands() if re.search(r"uv run pytest(?! -m slow)", line)]
    assert everyday == [
        "env -u DATABASE_URL uv run pytest --cov",  # SQLite: the data starts afresh
        "uv run pytest --cov --cov-append",  # PostgreSQL: added to SQLite's
    ]
    coverage = PYPROJECT["tool"]["coverage"]
    assert coverage["run"]["source"] == ["mss_tracker"]
    assert coverage["report"]["fail_under"] >= 85


def test_the_everyday_suite_itself_runs_without_coverage():
    """`uv run pytest` stays as fast as before: coverage is asked for, not always on."""
    assert "--cov" not in PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
