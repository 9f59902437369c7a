"""The house stays straight: apps depend one way only and no module grows past 600 lines.

Imports are read with `ast` from every module under src/rezerva/<app>/ (migrations exempt),
including imports inside functions, so a deferred import cannot hide an edge. The order is the
README's "Layout" paragraph; change both together.
"""

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "rezerva"
MAX_LINES = 600

# Each domain app and the apps it sits directly on; it may import those and everything below
# them. Lowest first. booking, payments and coupons import each other one way only:
# payments -> booking -> coupons.
SITS_ON = {
    "core": (),
    "tenancy": ("core",),
    "accounts": ("tenancy",),
    "catalog": ("tenancy",),
    "scheduling": ("catalog",),
    "availability": ("scheduling",),
    "coupons": ("availability",),
    "booking": ("coupons",),
    "payments": ("booking",),
    # Readers of the domain events sit above the writers (core.events is the writers' hook).
    "notify": ("payments", "accounts"),
}
# Interface apps: they may import any domain app (and, without a cycle, each other).
INTERFACES = ("hub", "dashboard", "api")


def _apps() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def _modules() -> dict[str, Path]:
    """{dotted name: file} for every module of every app, migrations left out."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if len(parts) < 3 or "migrations" in parts:
            continue  # rezerva/settings.py, urls.py, wsgi.py belong to no app
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported_names(name: str, source: str, *, is_package: bool = False) -> set[str]:
    """Every dotted name the module imports, anywhere in it (`from a import b` gives `a.b`)."""
    package = name.split(".") if is_package else name.split(".")[:-1]
    names = set()
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "rezerva" or n.startswith("rezerva.")}


def _imports_of(name: str, path: Path) -> set[str]:
    source = path.read_text(encoding="utf-8")
    return _imported_names(name, source, is_package=path.name == "__init__.py")


def _resolve(imported: str, modules: dict[str, Path]) -> str | None:
    """The module an imported name lives in (its longest module prefix), if it is one of ours."""
    parts = imported.split(".")
    while len(parts) > 2:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return ".".join(parts) if ".".join(parts) in modules else None


def _app_edges() -> dict[str, dict[str, set[str]]]:
    """{app: {imported app or top-level module: {importing module, ...}}}."""
    edges: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, path in _modules().items():
        app = name.split(".")[1]
        for imported in _imports_of(name, path):
            parts = imported.split(".")
            if len(parts) > 1 and parts[1] != app:
                edges[app][parts[1]].add(name)
    return edges


def _allowed(app: str, apps: list[str]) -> set[str]:
    if app in INTERFACES:
        return set(apps) - {app}
    allowed: set[str] = set()
    todo = list(SITS_ON[app])
    while todo:
        below = todo.pop()
        if below not in allowed:
            allowed.add(below)
            todo.extend(SITS_ON[below])
    return allowed


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_every_app_has_a_place_in_the_order():
    unplaced = [a for a in _apps() if a not in SITS_ON and a not in INTERFACES]
    assert unplaced == [], f"add {unplaced} to SITS_ON or INTERFACES (and README's Layout)"


def test_the_apps_import_each_other_without_a_cycle():
    graph = {app: set(targets) for app, targets in _app_edges().items()}
    cycle = _cycle(graph)
    assert cycle is None, "apps import in a circle: " + " -> ".join(cycle or ())


def test_no_app_imports_an_app_above_it():
    apps = _apps()
    upward = sorted(
        f"{module} imports rezerva.{target} ({app} may import {sorted(_allowed(app, apps))})"
        for app, targets in _app_edges().items()
        for target, modules in targets.items()
        if target not in _allowed(app, apps)
        for module in modules
    )
    assert upward == []


def test_no_two_modules_import_each_other_even_through_others():
    modules = _modules()
    graph = {
        name: {
            target
            for imported in _imports_of(name, path)
            if (target := _resolve(imported, modules)) not in (None, name)
        }
        for name, path in modules.items()
    }
    cycle = _cycle(graph)
    assert cycle is None, "modules import in a circle: " + " -> ".join(cycle or ())


def test_no_module_is_longer_than_600_lines():
    too_long = sorted(
        f"{path.relative_to(SRC)}: {lines} lines"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    )
    assert too_long == [], "split these by area or process"


def test_the_checks_see_imports_inside_functions_and_relative_ones():
    """The reader catches a deferred import like the one that once hid notify's own circle."""
    source = (
        "from . import tasks\n"
        "def later():\n"
        "    from rezerva.booking.services import place\n"
        "    import rezerva.payments.gateway\n"
    )
    names = _imported_names("rezerva.notify.delivery", source)
    assert names == {
        "rezerva.notify",
        "rezerva.notify.tasks",
        "rezerva.booking.services",
        "rezerva.booking.services.place",
        "rezerva.payments.gateway",
    }
    modules = _modules()
    assert _resolve("rezerva.booking.services.place", modules) == "rezerva.booking.services.place"
    assert _resolve("rezerva.booking.models.Booking", modules) == "rezerva.booking.models"
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}}) is None
