"""The SHACL gate: every source graph is validated against the shapes generated from the LinkML model
before it replaces the previous version.

* :class:`FastValidator` (default): the shapes compiled to SPARQL, run on the staged graph inside
  Oxigraph; :class:`ReferenceValidator`: pySHACL, the reference the fast path is tested against.
* :class:`ShaclGate` is the ``validate=`` callable of ``TripleStore.replace_source``: it raises
  ``SourceRejected(message, report)`` so an invalid graph is rejected whole and the previous version
  kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from cikg.store.base import SourceRejected, StagedGraph, TripleStore
from cikg.validate.fast import FastValidator
from cikg.validate.reference import ReferenceValidator
from cikg.validate.report import ValidationReport, Violation
from cikg.validate.shapes import Shapes, UnsupportedShape, default_shapes, load_shapes

Engine = Literal["sparql", "pyshacl"]


def validator(engine: Engine = "sparql", shapes: Shapes | None = None) -> FastValidator | ReferenceValidator:
    shapes = shapes or default_shapes()
    if engine == "pyshacl":
        return ReferenceValidator(shapes)
    if engine == "sparql":
        return FastValidator(shapes)
    raise ValueError(f"unknown SHACL engine {engine!r}: use 'sparql' or 'pyshacl'")


def context_graphs_for(store: TripleStore, source: str | None) -> tuple[str, ...]:
    """The graphs whose ``rdf:type`` triples resolve ``sh:class`` references: every current source
    graph except the current version of ``source`` itself (it is being replaced)."""
    return tuple(sorted(info.graph for info in store.sources() if info.source != source))


class ShaclGate:
    """``replace_source(..., validate=ShaclGate())``: reject a staged graph that breaks the shapes."""

    def __init__(
        self,
        engine: Engine = "sparql",
        shapes: Shapes | Path | None = None,
        *,
        max_results: int | None = 10_000,
        extra_context: Sequence[str] = (),
    ) -> None:
        if isinstance(shapes, Path):
            shapes = load_shapes(shapes)
        self._validator = validator(engine, shapes)
        self.max_results = max_results
        self.extra_context = tuple(extra_context)
        self.last_report: ValidationReport | None = None

    @property
    def engine(self) -> str:
        return self._validator.engine

    def check(self, store: TripleStore, graph: str, source: str | None = None) -> ValidationReport:
        context = context_graphs_for(store, source) + self.extra_context
        return self._validator.validate(store, graph, context_graphs=context, max_results=self.max_results)

    def __call__(self, staged: StagedGraph) -> None:
        report = self.check(staged.store, staged.graph, staged.source)
        self.last_report = report
        if not report.conforms:
            raise SourceRejected(f"rejected by the SHACL gate: {report.summary()}", report)


def report_rows(report: object) -> list[dict[str, object]]:
    """Rows of a gate report (for run reports): tolerant of whatever ``SourceRejected`` carried."""
    if isinstance(report, ValidationReport):
        return [dict(r) for r in report.rows()]
    return []


__all__ = [
    "Engine",
    "FastValidator",
    "ReferenceValidator",
    "ShaclGate",
    "Shapes",
    "UnsupportedShape",
    "ValidationReport",
    "Violation",
    "context_graphs_for",
    "default_shapes",
    "load_shapes",
    "report_rows",
    "validator",
]
