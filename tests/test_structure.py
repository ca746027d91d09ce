"""The code's structure, read from its imports with `ast`, so it stays:

- no module of mss_tracker/ is over 500 lines (migrations aside);
- no project modules import each other, directly or round a cycle (imports inside
  functions, type-only imports under `if TYPE_CHECKING:` and a model looked up by name,
  `apps.get_model("tracker", …)`, all count: they are how a cycle hides);
- lib/ is a leaf: it imports no app;
- the tracker app imports nothing from the dashboards app;
- no private API of a library where a public one exists, and the few without one stay
  in the one place whose comment names why.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mss_tracker"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in path.relative_to(PACKAGE).parts
}


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every dotted name `module` imports, at any depth (`if TYPE_CHECKING:` too), and
    `mss_tracker.<app>.models` for each `apps.get_model("<app>", …)` of a project app."""
    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if _looks_up_a_model(node):
            names.add(f"mss_tracker.{node.args[0].value}.models")  # type: ignore[attr-defined]
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = module.split(".")
                if not is_package:
                    package = package[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            # `from a.b import c`: c is a module a.b.c or a name in a.b; the longest
            # project module that prefixes it decides (`_project_module`).
            names.update(f"{base}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _looks_up_a_model(node: ast.AST) -> bool:
    """`apps.get_model("tracker", "Mission")`: an import by another name (migrations,
    which are handed their own `apps`, are not read)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_model"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and f"mss_tracker.{node.args[0].value}" in MODULES
    )


def _project_module(name: str) -> str | None:
    """The project module a dotted name is in (`a.b.func` → `a.b`), or None."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        imported = _imported_names(tree, module, path.name == "__init__.py")
        graph[module] = {_project_module(name) for name in imported} - {None, module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_no_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in MODULES.values()
        if (count := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by job (docs/architecture.md): {long}"


def test_no_project_modules_import_each_other():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_lib_is_a_leaf():
    graph = import_graph()
    offenders = {
        module: sorted(target for target in targets if not target.startswith("mss_tracker.lib"))
        for module, targets in graph.items()
        if module.startswith("mss_tracker.lib")
    }
    assert {module: found for module, found in offenders.items() if found} == {}


def test_the_tracker_app_imports_nothing_from_dashboards():
    graph = import_graph()
    offenders = {
        module: sorted(t for t in targets if t.startswith("mss_tracker.dashboards"))
        for module, targets in graph.items()
        if module.startswith("mss_tracker.tracker")
    }
    assert {module: found for module, found in offenders.items() if found} == {}


@pytest.mark.parametrize(
    ("graph", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, cycle):
    assert find_cycle(graph) == cycle


def test_it_reads_every_kind_of_import():
    tree = ast.parse(
        "from . import spec\n"
        "def f():\n    from mss_tracker.tracker.models import Mission\n"
        "if TYPE_CHECKING:\n    import mss_tracker.dashboards.views\n"
        "def g():\n    return apps.get_model('tracker', 'Pledge'), apps.get_model('auth', 'User')\n"
    )
    names = _imported_names(tree, "mss_tracker.tracker.csv.writer", is_package=False)
    assert "mss_tracker.tracker.csv.spec" in names
    assert "mss_tracker.tracker.models.Mission" in names
    assert "mss_tracker.dashboards.views" in names  # a type-only import is an edge too
    assert "mss_tracker.tracker.models" in names  # so is a model looked up by name
    assert "mss_tracker.auth.models" not in names  # Django's own app


def test_nothing_that_serves_users_imports_the_measuring_tools():
    graph = import_graph()
    offenders = {
        module: sorted(t for t in targets if t.startswith("mss_tracker.bench"))
        for module, targets in graph.items()
        if not module.startswith("mss_tracker.bench")
    }
    assert {module: found for module, found in offenders.items() if found} == {}


# Private or undocumented library APIs: where each may be used (the comment there says why
# no public one does the job), or nowhere.
UNDOCUMENTED = {
    "_iterable_class": set(),  # figures: the pages' percent_of_pledge filter instead
    "blocking_manager_key": set(),  # conftest: post_migrate puts the role groups back
    "pytest_django.plugin": set(),
    "debug_sql": {"mss_tracker/tracker/csv/writing/csv_postgres.py"},  # copy_out()
    "db_worker import Worker": {"mss_tracker/tracker/management/commands/demo.py"},
}


def test_private_library_apis_only_where_no_public_one_exists():
    found: dict[str, set[str]] = {name: set() for name in UNDOCUMENTED}
    for path in [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        if path.name == "test_structure.py":
            continue
        text = path.read_text()
        for name in UNDOCUMENTED:
            if name in text:
                found[name].add(str(path.relative_to(ROOT)))
    assert found == UNDOCUMENTED
