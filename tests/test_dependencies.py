"""Every third-party module the package imports at module level is a declared base dependency.

CI installs the `dev` extra, which pulls in more than `pip install -e .` (what `make demo` / `make run`
install); a module imported by the service but only present through an extra would pass every test
and break the main job (it happened: numpy, for the search index). Imports inside functions are lazy
and may belong to an extra (e.g. duckdb for `cikg harvest idc`).
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions, requires
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "cikg"


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _requirements(dist: str) -> set[str]:
    out = set()
    for req in requires(dist) or []:
        if "extra ==" in req:
            continue
        match = re.match(r"[A-Za-z0-9_.\-]+", req)
        assert match
        out.add(match.group(0).lower().replace("_", "-"))
    return out


def _base_requirements() -> set[str]:
    """The base dependencies and theirs (starlette comes with fastapi), never those of an extra."""
    direct = _requirements("cikg")
    return direct.union(*(_requirements(d) for d in direct))


def test_module_level_imports_are_base_dependencies() -> None:
    dists = packages_distributions()
    declared = _base_requirements()
    missing = {}
    for path in PACKAGE.rglob("*.py"):
        for name in _module_level_imports(path):
            if name in sys.stdlib_module_names or name in {"cikg", "__future__"}:
                continue
            owners = {d.lower().replace("_", "-") for d in dists.get(name, [name])}
            if not owners & declared:
                missing.setdefault(name, []).append(str(path.relative_to(PACKAGE)))
    assert not missing, f"imported at module level but not a base dependency in pyproject.toml: {missing}"
