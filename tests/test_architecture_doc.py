"""docs/architecture.md names every module of mss_tracker/, so the next engineer finds
where each thing lives from the repository alone.

A module is named when the document holds, in backticks, its path or a tail of it long
enough to tell it from every other module (`run.py` is enough; `missions.py` is not, as
both `models/missions.py` and `importing/missions.py` exist). A package is named by its
folder (`importing/`). Migrations and empty `__init__.py` files are left out: they hold
nothing to find.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mss_tracker"
DOC = ROOT / "docs" / "architecture.md"


def module_paths() -> list[tuple[str, ...]]:
    """Each module as its path's parts under mss_tracker/ (a package as its folder + "")."""
    paths = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts:
            continue
        if path.name == "__init__.py":
            if not path.read_text().strip():
                continue
            parts = (*parts[:-1], "")  # the folder: `importing/`
        paths.append(parts)
    return paths


def shortest_unique_tail(parts: tuple[str, ...], others: list[tuple[str, ...]]) -> str:
    for length in range(1, len(parts) + 1):
        tail = parts[-length:] if parts[-1] else parts[-length - 1 :]
        if sum(1 for other in others if other[-len(tail) :] == tail) == 1:
            return "/".join(tail)
    return "/".join(parts)


def named_in_doc() -> set[str]:
    return set(re.findall(r"`([^`\s]+)`", DOC.read_text()))


def is_named(tail: str, names: set[str]) -> bool:
    return any(name == tail or name.endswith("/" + tail) for name in names)


def test_every_module_is_named_in_the_architecture_doc():
    paths = module_paths()
    names = named_in_doc()
    missing = [
        "/".join(parts)
        for parts in paths
        if not is_named(shortest_unique_tail(parts, paths), names)
    ]
    assert missing == [], f"name these in docs/architecture.md: {missing}"


def test_a_tail_tells_a_module_from_its_namesakes():
    paths = [("tracker", "models", "missions.py"), ("tracker", "csv", "missions.py"), ("run.py",)]
    assert shortest_unique_tail(paths[0], paths) == "models/missions.py"
    assert shortest_unique_tail(paths[2], paths) == "run.py"
    assert shortest_unique_tail(("tracker", "csv", ""), [("tracker", "csv", "")]) == "csv/"
    assert is_named("models/missions.py", {"tracker/models/missions.py"})
    assert not is_named("missions.py", {"mymissions.py"})
