"""The layering of docs/architecture.md, enforced: imports point down the tiers, never up, never in
a circle; nothing imports the edges (web, cli)."""

from __future__ import annotations

import ast
from pathlib import Path

import cikg

PACKAGE = Path(cikg.__file__).parent

# tier of each top-level module / subpackage of cikg
TIERS: dict[str, int] = {
    "model": 0,
    "namespaces": 0,
    "resources": 0,
    "settings": 0,
    "rdfmap": 0,
    "store": 1,
    "vocab": 1,
    "validate": 1,
    "harvest": 2,
    "mapping": 2,
    "search": 2,
    "publish": 2,
    "generate": 2,
    "demo": 2,
    "federation": 3,
    "beacon": 3,
    "catalogue": 4,
    "web": 5,
    "cli": 5,
    # the package root only carries __version__
    "__init__": 0,
    "__version__": 0,
    # `python -m cikg` runs the CLI
    "__main__": 6,
}
EDGES = {"web", "cli"}
ENTRY_POINTS = {"__main__"}
ALLOWED_EDGE_IMPORTS = {("cli", "web")}  # `cikg serve` starts the web service


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "cikg" or len(parts) < 2:
        return None
    return parts[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    here = ".".join(rel.parts)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = (
                    here.split(".")[: -node.level]
                    if path.name != "__init__.py"
                    else here.split(".")[: len(here.split(".")) - node.level + 1]
                )
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
    return found


def _modules() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent)
        unit = _unit(".".join(rel.with_suffix("").parts))
        if unit is None:
            continue
        deps = {u for u in (_unit(m) for m in _imports(path)) if u is not None and u != unit}
        graph.setdefault(unit, set()).update(deps)
    return graph


def test_every_unit_has_a_tier() -> None:
    missing = sorted(set(_modules()) - set(TIERS))
    assert not missing, f"add these modules to the tiers in docs/architecture.md and TIERS here: {missing}"


def test_imports_point_down_and_never_at_the_edges() -> None:
    problems = []
    for unit, deps in _modules().items():
        for dep in deps:
            if dep in EDGES and unit not in EDGES and unit not in ENTRY_POINTS:
                problems.append(f"{unit} imports the edge {dep}")
            elif dep in EDGES and unit in EDGES and (unit, dep) not in ALLOWED_EDGE_IMPORTS:
                problems.append(f"edge {unit} imports edge {dep}")
            elif TIERS.get(dep, 99) > TIERS.get(unit, -1):
                problems.append(f"{unit} (tier {TIERS.get(unit)}) imports {dep} (tier {TIERS.get(dep)})")
    assert not problems, "\n".join(sorted(problems))


def test_no_import_cycles_between_units() -> None:
    graph = _modules()
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[str] = []

    def visit(u: str) -> None:
        if u in done:
            return
        if u in visiting:
            cycles.append(" -> ".join([*visiting[visiting.index(u) :], u]))
            return
        visiting.append(u)
        for d in sorted(graph.get(u, ())):
            visit(d)
        visiting.pop()
        done.add(u)

    for unit in sorted(graph):
        visit(unit)
    assert not cycles, cycles


def test_no_utils_module_at_the_root() -> None:
    assert not (PACKAGE / "utils.py").exists()
