"""The reference validator: pySHACL over the same graph (slow; the fast path is tested against it)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from cikg.namespaces import RDF, SH
from cikg.store.base import Dataset, TripleStore
from cikg.validate.report import ValidationReport, Violation, component_name
from cikg.validate.shapes import Shapes


def to_rdflib(term: Any) -> Any:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    if dt == "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(dt), normalize=False)


def _to_nt(term: Any) -> str:
    """rdflib term -> the N-Triples text pyoxigraph uses (so both validators' rows compare)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return str(ox.NamedNode(str(term)))
    if isinstance(term, BNode):
        return str(ox.BlankNode(str(term)))
    assert isinstance(term, Literal)
    if term.language:
        return str(ox.Literal(str(term), language=term.language))
    if term.datatype is None:
        return str(ox.Literal(str(term)))
    return str(ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype))))


def context_types(
    store: TripleStore, triples: Iterable[ox.Triple], shapes: Shapes, context_graphs: tuple[str, ...]
) -> list[ox.Triple]:
    """``rdf:type`` triples from the context graphs for the IRIs the graph
    references through ``sh:class`` paths without typing them itself (what the fast path looks up)."""
    class_paths = {ps.path for s in shapes.node_shapes for ps in s.properties if ps.class_}
    typed: set[str] = set()
    referenced: set[str] = set()
    rdf_type = RDF + "type"
    for t in triples:
        if t.predicate.value == rdf_type:
            typed.add(str(t.subject))
        elif t.predicate.value in class_paths and isinstance(t.object, ox.NamedNode):
            referenced.add(str(t.object))
    missing = sorted(referenced - typed)
    if not missing or not context_graphs:
        return []
    out: list[ox.Triple] = []
    for i in range(0, len(missing), 500):
        chunk = " ".join(missing[i : i + 500])
        q = f"CONSTRUCT {{ ?v <{rdf_type}> ?c }} WHERE {{ VALUES ?v {{ {chunk} }} ?v <{rdf_type}> ?c }}"
        res = store.query(q, dataset=Dataset(default=context_graphs, named=()))
        out.extend(res.triples or [])
    return out


def validate_triples(
    triples: list[ox.Triple],
    shapes: Shapes,
    *,
    context: list[ox.Triple] = (),  # type: ignore[assignment]
) -> ValidationReport:
    """Run pySHACL on ``triples`` (plus ``context`` type triples, whose subjects are not reported)."""
    import pyshacl
    from rdflib import Graph, URIRef

    t0 = time.perf_counter()
    data = Graph()
    for t in triples:
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    subjects = {str(t.subject) for t in triples}
    for t in context:
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    shacl = Graph().parse(data=shapes.text, format="turtle")
    for name in ("pyshacl", "rdflib.term"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    _conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shacl, inference="none", advanced=False, allow_warnings=True
    )
    sh = lambda local: URIRef(SH + local)  # noqa: E731
    out: list[Violation] = []
    for result in results.subjects(URIRef(RDF + "type"), sh("ValidationResult")):
        focus = results.value(result, sh("focusNode"))
        focus_nt = _to_nt(focus)
        if focus_nt not in subjects:
            continue  # a context node (only its types are here): not part of what is validated
        path = results.value(result, sh("resultPath"))
        comp = results.value(result, sh("sourceConstraintComponent"))
        value = results.value(result, sh("value"))
        msg = results.value(result, sh("resultMessage"))
        sev = results.value(result, sh("resultSeverity"))
        out.append(
            Violation(
                focus=focus_nt,
                path=str(path) if path is not None else "",
                component=component_name(str(comp)),
                value=_to_nt(value) if value is not None else None,
                message=str(msg) if msg is not None else "",
                severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
            )
        )
    out = sorted(set(out))
    focus = len(set(data.subjects(URIRef(RDF + "type"), None)) & {_to_rdflib_subject(s) for s in subjects})
    return ValidationReport(
        conforms=not out,
        violations=out,
        engine="pyshacl",
        focus_nodes=focus,
        seconds=time.perf_counter() - t0,
    )


def _to_rdflib_subject(nt: str) -> Any:
    from rdflib import BNode, URIRef

    if nt.startswith("_:"):
        return BNode(nt[2:])
    return URIRef(nt[1:-1])


class ReferenceValidator:
    """pySHACL on a store graph (read out of Oxigraph into rdflib)."""

    engine = "pyshacl"

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes

    def validate(
        self,
        store: TripleStore,
        graph: str,
        *,
        context_graphs: tuple[str, ...] = (),
        max_results: int | None = None,
    ) -> ValidationReport:
        triples = list(store.triples(graph))
        context = context_types(store, triples, self.shapes, tuple(context_graphs))
        report = validate_triples(triples, self.shapes, context=context)
        if max_results is not None and len(report.violations) > max_results:
            report.violations = report.violations[:max_results]
            report.truncated = True
        return report
