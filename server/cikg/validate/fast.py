"""The fast SHACL validator: the generated shapes compiled to SPARQL and run inside Oxigraph.

Per property shape, one SELECT finds the value nodes breaking any *value* constraint that SPARQL can
decide exactly (``sh:datatype`` by datatype IRI, ``sh:nodeKind``, ``sh:class`` within the graph,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:min/maxLength``); one grouped SELECT checks
``sh:minCount`` / ``sh:maxCount``; ``sh:in`` is an anti-join (``MINUS { VALUES ... }``, hash-based
whatever the list length); ``sh:closed`` is one SELECT per node shape. Two checks run on the
*distinct* values in Python so they agree with pySHACL to the letter: lexical well-formedness of typed
literals (rdflib's ``ill_typed``, as pySHACL uses) and ``sh:pattern`` (Python ``re.search`` with
``sh:flags``, as pySHACL does).

``sh:class`` needs the ``rdf:type`` of the value node. A harvested graph references nodes described
elsewhere (a collection's data holder lives in the data holder's source); values with no type in the
validated graph are looked up in the *context* graphs (by default: every current source graph but the
one being replaced), and only their ``rdf:type`` triples count. The pySHACL reference path is given
the same type triples, so both report the same results.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from cikg.namespaces import RDF, RDFS, SH, XSD
from cikg.store.base import Dataset, TripleStore
from cikg.validate.report import ValidationReport, Violation
from cikg.validate.shapes import NodeShape, PropertyShape, Shapes

_TYPE = f"<{RDF}type>"
_SUBCLASS = f"<{RDFS}subClassOf>"
_STRINGY = {XSD + "string", RDF + "langString"}


def _nt(term: Any) -> str:
    return str(term)


def _lit_sparql(lit: ox.Literal) -> str:
    return str(lit)


class FastValidator:
    """Validates one graph of a :class:`TripleStore` against compiled shapes."""

    engine = "sparql"

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes

    # -- public -------------------------------------------------------------------------------------
    def validate(
        self,
        store: TripleStore,
        graph: str,
        *,
        context_graphs: Sequence[str] = (),
        max_results: int | None = None,
    ) -> ValidationReport:
        t0 = time.perf_counter()
        self._store, self._graph, self._context = store, graph, tuple(context_graphs)
        self._subclass = self._ask(f"ASK {{ ?a {_SUBCLASS} ?b }}")
        out: list[Violation] = []
        focus_total = 0
        for shape in self.shapes.node_shapes:
            n_focus = self._count_focus(shape)
            focus_total += n_focus
            if n_focus == 0:
                continue
            for ps in shape.properties:
                out.extend(self._property(shape, ps))
            if shape.closed:
                out.extend(self._closed(shape))
            if max_results is not None and len(out) >= max_results:
                break
        out = sorted(set(out))
        truncated = max_results is not None and len(out) > max_results
        if truncated:
            out = out[:max_results]
        return ValidationReport(
            conforms=not out,
            violations=out,
            engine=self.engine,
            focus_nodes=focus_total,
            seconds=time.perf_counter() - t0,
            truncated=truncated,
        )

    # -- helpers ------------------------------------------------------------------------------------
    def _select(self, sparql: str) -> list[dict[str, Any]]:
        return list(self._store.query(sparql, graph=self._graph).rows())

    def _ask(self, sparql: str) -> bool:
        return bool(self._store.query(sparql, graph=self._graph).boolean)

    def _focus(self, shape: NodeShape) -> str:
        classes = " ".join(f"<{c}>" for c in shape.target_classes)
        type_path = f"{_TYPE}/{_SUBCLASS}*" if self._subclass else _TYPE
        if len(shape.target_classes) == 1:
            return f"?f {type_path} {classes} ."
        return f"VALUES ?tc {{ {classes} }} ?f {type_path} ?tc ."

    def _count_focus(self, shape: NodeShape) -> int:
        rows = self._select(f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ {self._focus(shape)} }}")
        return int(rows[0]["n"].value) if rows else 0

    def _violation(
        self, f: Any, ps_path: str, component: str, value: Any, message: str, severity: str
    ) -> Violation:
        return Violation(
            focus=_nt(f),
            path=ps_path,
            component=component,
            value=None if value is None else _nt(value),
            message=message,
            severity=severity.rsplit("#", 1)[-1],
        )

    # -- property shapes ----------------------------------------------------------------------------
    def _property(self, shape: NodeShape, ps: PropertyShape) -> list[Violation]:
        out: list[Violation] = []
        focus = self._focus(shape)
        p = f"<{ps.path}>"
        sev = ps.severity
        # cardinality
        if ps.min_count is not None or ps.max_count is not None:
            conds = []
            if ps.min_count is not None and ps.min_count > 0:
                conds.append(f"?n < {ps.min_count}")
            if ps.max_count is not None:
                conds.append(f"?n > {ps.max_count}")
            if conds:
                optional = ps.min_count is not None and ps.min_count > 0
                inner = f"OPTIONAL {{ ?f {p} ?v }}" if optional else f"?f {p} ?v ."
                q = (
                    f"SELECT ?f ?n WHERE {{ {{ SELECT ?f (COUNT(DISTINCT ?v) AS ?n) WHERE {{ "
                    f"{{ SELECT DISTINCT ?f WHERE {{ {focus} }} }} {inner} }} GROUP BY ?f }} "
                    f"FILTER({' || '.join(conds)}) }}"
                )
                for row in self._select(q):
                    n = int(row["n"].value)
                    if ps.min_count is not None and n < ps.min_count:
                        out.append(
                            self._violation(
                                row["f"],
                                ps.path,
                                "MinCountConstraintComponent",
                                None,
                                f"Less than {ps.min_count} values on {row['f']}->{p}",
                                sev,
                            )
                        )
                    if ps.max_count is not None and n > ps.max_count:
                        out.append(
                            self._violation(
                                row["f"],
                                ps.path,
                                "MaxCountConstraintComponent",
                                None,
                                f"More than {ps.max_count} values on {row['f']}->{p}",
                                sev,
                            )
                        )
        # value constraints decidable in SPARQL, in one pass
        checks: list[tuple[str, str, str]] = []  # (variable, violation expression, component)
        if ps.datatype:
            checks.append(
                ("dt", f"!(isLiteral(?v) && datatype(?v) = <{ps.datatype}>)", "DatatypeConstraintComponent")
            )
        if ps.node_kind:
            checks.append(("nk", _node_kind_violation(ps.node_kind), "NodeKindConstraintComponent"))
        type_path = f"{_TYPE}/{_SUBCLASS}*" if self._subclass else _TYPE
        for i, cls in enumerate(ps.class_):
            checks.append(
                (
                    f"cl{i}",
                    f"(isLiteral(?v) || NOT EXISTS {{ ?v {type_path} <{cls}> }})",
                    f"ClassConstraintComponent|{cls}",
                )
            )
        for attr, op, comp in (
            ("min_inclusive", ">=", "MinInclusiveConstraintComponent"),
            ("max_inclusive", "<=", "MaxInclusiveConstraintComponent"),
            ("min_exclusive", ">", "MinExclusiveConstraintComponent"),
            ("max_exclusive", "<", "MaxExclusiveConstraintComponent"),
        ):
            bound = getattr(ps, attr)
            if bound is not None:
                checks.append((attr, f"!COALESCE(?v {op} {_lit_sparql(bound)}, false)", comp))
        if ps.min_length is not None:
            checks.append(
                (
                    "minl",
                    f"(isBlank(?v) || STRLEN(STR(?v)) < {ps.min_length})",
                    "MinLengthConstraintComponent",
                )
            )
        if ps.max_length is not None:
            checks.append(
                (
                    "maxl",
                    f"(isBlank(?v) || STRLEN(STR(?v)) > {ps.max_length})",
                    "MaxLengthConstraintComponent",
                )
            )
        if checks:
            binds = " ".join(f"BIND({expr} AS ?{var})" for var, expr, _ in checks)
            anybad = " || ".join(f"?{var}" for var, _, _ in checks)
            names = " ".join(f"?{var}" for var, _, _ in checks)
            q = f"SELECT DISTINCT ?f ?v {names} WHERE {{ {focus} ?f {p} ?v . {binds} FILTER({anybad}) }}"
            class_candidates: list[tuple[Any, Any, str]] = []
            for row in self._select(q):
                for var, _, comp in checks:
                    flag = row.get(var)
                    if flag is None or flag.value != "true":
                        continue
                    if comp.startswith("ClassConstraintComponent|"):
                        class_candidates.append((row["f"], row["v"], comp.split("|", 1)[1]))
                        continue
                    out.append(self._violation(row["f"], ps.path, comp, row["v"], _message(comp, ps), sev))
            out.extend(self._class_with_context(ps, class_candidates))
        if ps.in_ is not None:
            values = " ".join(str(t) for t in ps.in_)
            q = f"SELECT DISTINCT ?f ?v WHERE {{ {focus} ?f {p} ?v . MINUS {{ VALUES ?v {{ {values} }} }} }}"
            for row in self._select(q):
                out.append(
                    self._violation(
                        row["f"],
                        ps.path,
                        "InConstraintComponent",
                        row["v"],
                        "Value is not in the list of allowed values",
                        sev,
                    )
                )
        if ps.datatype and ps.datatype not in _STRINGY:
            out.extend(self._ill_typed(focus, ps))
        for pattern in ps.patterns:
            out.extend(self._pattern(focus, ps, pattern))
        for hv in ps.has_value:
            q = f"SELECT DISTINCT ?f WHERE {{ {focus} FILTER NOT EXISTS {{ ?f {p} {hv} }} }}"
            for row in self._select(q):
                out.append(
                    self._violation(
                        row["f"],
                        ps.path,
                        "HasValueConstraintComponent",
                        None,
                        f"Missing expected value {hv}",
                        sev,
                    )
                )
        return out

    def _class_with_context(
        self, ps: PropertyShape, candidates: list[tuple[Any, Any, str]]
    ) -> list[Violation]:
        """Class candidates not typed in the graph: look their types up in the context graphs."""
        if not candidates:
            return []
        typed: dict[str, set[str]] = {}
        lookup = sorted({_nt(v) for _, v, _ in candidates if isinstance(v, ox.NamedNode)})
        if lookup and self._context:
            for chunk in _chunks(lookup, 500):
                q = (
                    f"SELECT DISTINCT ?v ?c WHERE {{ VALUES ?v {{ {' '.join(chunk)} }} "
                    f"?v {_TYPE}/{_SUBCLASS}* ?c }}"
                )
                res = self._store.query(q, dataset=Dataset(default=self._context, named=()))
                for row in res.rows():
                    typed.setdefault(_nt(row["v"]), set()).add(row["c"].value)
        out = []
        for f, v, cls in candidates:
            if cls in typed.get(_nt(v), set()):
                continue
            out.append(
                self._violation(
                    f,
                    ps.path,
                    "ClassConstraintComponent",
                    v,
                    f"Value does not have class <{cls}>",
                    ps.severity,
                )
            )
        return out

    def _ill_typed(self, focus: str, ps: PropertyShape) -> list[Violation]:
        from rdflib import Literal as RdfLiteral
        from rdflib import URIRef

        dt = ps.datatype
        assert dt is not None
        q = (
            f"SELECT DISTINCT ?v WHERE {{ {focus} ?f <{ps.path}> ?v . "
            f"FILTER(isLiteral(?v) && datatype(?v) = <{dt}>) }}"
        )
        rdflib_log = logging.getLogger("rdflib.term")
        previous = rdflib_log.disabled
        rdflib_log.disabled = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bad = self._ill_typed_values(q, dt, RdfLiteral, URIRef)
        rdflib_log.disabled = previous
        return self._rows_with_values(
            focus, ps, bad, "DatatypeConstraintComponent", f"Value is not Literal with datatype <{dt}>"
        )

    def _ill_typed_values(self, q: str, dt: str, rdf_literal: Any, uriref: Any) -> list[ox.Literal]:
        bad: list[ox.Literal] = []
        for row in self._select(q):
            lit = row["v"]
            rl = rdf_literal(lit.value, datatype=uriref(dt), normalize=False)
            if getattr(rl, "ill_typed", None) is True or not _actual_datatype_ok(rl, dt):
                bad.append(lit)
        return bad

    def _pattern(self, focus: str, ps: PropertyShape, pattern: str) -> list[Violation]:
        flags = 0
        if ps.flags:
            if "i" in ps.flags.lower():
                flags |= re.I
            if "m" in ps.flags.lower():
                flags |= re.M
        rx = re.compile(pattern, flags)
        q = f"SELECT DISTINCT ?v WHERE {{ {focus} ?f <{ps.path}> ?v . }}"
        bad = []
        for row in self._select(q):
            v = row["v"]
            if isinstance(v, ox.BlankNode) or not rx.search(v.value):
                bad.append(v)
        return self._rows_with_values(
            focus, ps, bad, "PatternConstraintComponent", f"Value does not match pattern '{pattern}'"
        )

    def _rows_with_values(
        self, focus: str, ps: PropertyShape, values: list[Any], component: str, message: str
    ) -> list[Violation]:
        out: list[Violation] = []
        plain = [v for v in values if not isinstance(v, ox.BlankNode)]
        for chunk in _chunks([str(v) for v in plain], 500):
            listed = " ".join(chunk)
            q = f"SELECT DISTINCT ?f ?v WHERE {{ VALUES ?v {{ {listed} }} {focus} ?f <{ps.path}> ?v . }}"
            for row in self._select(q):
                out.append(self._violation(row["f"], ps.path, component, row["v"], message, ps.severity))
        if any(isinstance(v, ox.BlankNode) for v in values):
            q = f"SELECT DISTINCT ?f ?v WHERE {{ {focus} ?f <{ps.path}> ?v . FILTER(isBlank(?v)) }}"
            for row in self._select(q):
                out.append(self._violation(row["f"], ps.path, component, row["v"], message, ps.severity))
        return out

    def _closed(self, shape: NodeShape) -> list[Violation]:
        allowed = " ".join(f"<{p}>" for p in sorted(shape.allowed_predicates))
        q = (
            f"SELECT DISTINCT ?f ?p ?o WHERE {{ {self._focus(shape)} ?f ?p ?o . "
            f"MINUS {{ VALUES ?p {{ {allowed} }} }} }}"
        )
        return [
            self._violation(
                row["f"],
                row["p"].value,
                "ClosedConstraintComponent",
                row["o"],
                f"Node {row['f']} is closed. It cannot have value: {row['o']}",
                shape.severity,
            )
            for row in self._select(q)
        ]


def _node_kind_violation(kind: str) -> str:
    k = kind[len(SH) :]
    return {
        "IRI": "!isIRI(?v)",
        "Literal": "!isLiteral(?v)",
        "BlankNode": "!isBlank(?v)",
        "BlankNodeOrIRI": "isLiteral(?v)",
        "BlankNodeOrLiteral": "isIRI(?v)",
        "IRIOrLiteral": "isBlank(?v)",
    }[k]


def _message(component: str, ps: PropertyShape) -> str:
    return {
        "DatatypeConstraintComponent": f"Value is not Literal with datatype <{ps.datatype}>",
        "NodeKindConstraintComponent": f"Value is not of Node Kind <{ps.node_kind}>",
        "MinInclusiveConstraintComponent": f"Value is not >= {ps.min_inclusive}",
        "MaxInclusiveConstraintComponent": f"Value is not <= {ps.max_inclusive}",
        "MinExclusiveConstraintComponent": f"Value is not > {ps.min_exclusive}",
        "MaxExclusiveConstraintComponent": f"Value is not < {ps.max_exclusive}",
        "MinLengthConstraintComponent": f"String length not >= {ps.min_length}",
        "MaxLengthConstraintComponent": f"String length not <= {ps.max_length}",
    }.get(component, component)


def _actual_datatype_ok(lit: Any, dt: str) -> bool:
    """pySHACL's check that a well-formed literal's Python value has the datatype's type."""
    import datetime as _dt
    from decimal import Decimal

    value = lit.value
    checks: dict[str, type | tuple[type, ...]] = {
        XSD + "integer": int,
        XSD + "float": float,
        XSD + "decimal": Decimal,
        XSD + "boolean": bool,
        XSD + "date": _dt.date,
        XSD + "time": _dt.time,
        XSD + "dateTime": _dt.datetime,
    }
    expected = checks.get(dt)
    return True if expected is None else isinstance(value, expected)


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
