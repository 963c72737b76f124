"""The validation report both validators produce: one row per SHACL validation result."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cikg.namespaces import SH


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL validation result. Terms are N-Triples text (``<iri>``, ``"lex"^^<dt>``, ``_:b``)."""

    focus: str
    path: str  # the predicate IRI (no brackets)
    component: str  # constraint component local name, e.g. "MinCountConstraintComponent"
    value: str | None = None
    message: str = field(default="", compare=False)
    severity: str = field(default="Violation", compare=False)

    def key(self) -> tuple[str, str, str, str | None]:
        """What makes two validators agree: focus node, path, constraint component, value."""
        return (self.focus, self.path, self.component, self.value)


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    engine: str
    focus_nodes: int = 0
    seconds: float = 0.0
    truncated: bool = False

    def keys(self) -> set[tuple[str, str, str, str | None]]:
        return {v.key() for v in self.violations}

    def to_json(self, *, limit: int | None = None) -> dict[str, Any]:
        rows = self.violations if limit is None else self.violations[:limit]
        return {
            "conforms": self.conforms,
            "engine": self.engine,
            "violations": len(self.violations),
            "focus_nodes": self.focus_nodes,
            "seconds": round(self.seconds, 3),
            "results": [asdict(v) for v in rows],
        }

    def rows(self, *, compact: bool = True) -> list[dict[str, Any]]:
        """Human-readable rows (CURIEs where the prefix map knows the namespace)."""
        from cikg.namespaces import converter

        conv = converter()

        def show(term: str | None) -> str:
            if term is None:
                return ""
            if compact and term.startswith("<") and term.endswith(">"):
                return conv.compress_or_iri(term[1:-1])
            return term

        return [
            {
                "focus": show(v.focus),
                "path": conv.compress_or_iri(v.path) if compact else v.path,
                "constraint": v.component.removesuffix("ConstraintComponent"),
                "value": show(v.value),
                "message": v.message,
            }
            for v in self.violations
        ]

    def summary(self, limit: int = 5) -> str:
        if self.conforms:
            return "conforms"
        parts = [
            f"{r['focus']} {r['path']}: {r['constraint']}" + (f" ({r['value']})" if r["value"] else "")
            for r in self.rows()[:limit]
        ]
        more = len(self.violations) - limit
        return (
            f"{len(self.violations)} SHACL violation(s): "
            + "; ".join(parts)
            + (f"; and {more} more" if more > 0 else "")
        )


def component_name(iri: str) -> str:
    return iri[len(SH) :] if iri.startswith(SH) else iri
