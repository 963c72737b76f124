"""The fast SHACL validator: the generated shapes compiled into a per-predicate plan over the staged graph.

The graph is read once, as N-Triples text (``TripleStore.ntriples``: Oxigraph writes it natively), into
one column of ``(subject, object)`` pairs per predicate; terms stay N-Triples strings, the form the
report uses. The plan groups every property shape of every node shape by its predicate, and each
predicate's column is visited once for all of them:

* focus nodes of a node shape: subjects of ``rdf:type`` with a target class (or, when the graph states
  ``rdfs:subClassOf``, a subclass of one);
* ``sh:minCount`` / ``sh:maxCount``: set differences and counts of the column's subjects;
* value constraints (``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:in``, ``sh:pattern``,
  ``sh:min/maxLength``, ``sh:min/maxInclusive``, ``sh:min/maxExclusive``) are decided once per
  *distinct* value, then the pairs holding a bad value become results;
* ``sh:hasValue`` and ``sh:closed`` (predicates outside the allowed set whose subjects are focus nodes).

Every decision follows what pySHACL (the reference, ``reference.py``) does, and
``tests/validate/test_gate.py`` checks both report the same (focus, path, component, value) sets on
hand-made and randomly corrupted graphs: typed literals are checked for lexical well-formedness with
rdflib's ``ill_typed`` (as pySHACL), ``sh:pattern`` with Python ``re.search`` and ``sh:flags`` (as
pySHACL), and the bounds with pySHACL's own ``compare_literal`` on the distinct values.

``sh:class`` needs the ``rdf:type`` of the value node. A harvested graph references nodes described
elsewhere (a collection's data holder lives in the data holder's source): values that have no type in
the validated graph are looked up in the *context* graphs (by default: every current source graph but
the one being replaced), and only their ``rdf:type`` triples count (the graph's own
``rdfs:subClassOf`` triples apply to them). The pySHACL reference path is given the same type triples,
so both report the same results.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from typing import Any

import pyoxigraph as ox

from cikg.namespaces import RDF, RDFS, SH, XSD
from cikg.store.base import Dataset, TripleStore
from cikg.validate.reference import to_rdflib
from cikg.validate.report import ValidationReport, Violation
from cikg.validate.shapes import NodeShape, PropertyShape, Shapes

_TYPE = f"<{RDF}type>"
_SUBCLASS = f"<{RDFS}subClassOf>"
_STRINGY = {XSD + "string", RDF + "langString"}
_XSD_STRING = XSD + "string"
_LANG_STRING = RDF + "langString"

Pairs = list[tuple[str, str]]
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_SPLIT3 = methodcaller("split", " ", 2)
Problems = dict[str, list[tuple[str, str]]]  # value -> [(component, message)]


# -- terms as N-Triples text --------------------------------------------------------------------------
def _is_iri(term: str) -> bool:
    return term.startswith("<")


def _is_blank(term: str) -> bool:
    return term.startswith("_:")


def _is_literal(term: str) -> bool:
    return term.startswith('"')


def _unescape(literal: str) -> str:
    triple = next(iter(ox.parse(f"<x:s> <x:p> {literal} .".encode(), format=ox.RdfFormat.N_TRIPLES)))
    obj = triple.object
    assert isinstance(obj, ox.Literal)
    return obj.value


def _literal(term: str) -> tuple[str, str]:
    """``"lex"^^<dt>`` / ``"lex"@en`` / ``"lex"`` -> (lexical form, datatype IRI)."""
    end = term.rfind('"')
    lexical, suffix = term[1:end], term[end + 1 :]
    if "\\" in lexical:
        lexical = _unescape(term)
    if not suffix:
        return lexical, _XSD_STRING
    if suffix[0] == "@":
        return lexical, _LANG_STRING
    return lexical, suffix[3:-1]


def _ox_literal(term: str) -> ox.Literal:
    lexical, datatype = _literal(term)
    if datatype == _LANG_STRING:
        return ox.Literal(lexical, language=term[term.rfind('"') + 2 :])
    return ox.Literal(lexical, datatype=ox.NamedNode(datatype))


def _text(term: str) -> str:
    """``STR()`` of an IRI or literal (what ``sh:pattern`` and the length constraints test)."""
    return term[1:-1] if _is_iri(term) else _literal(term)[0]


# -- the staged graph, one column per predicate -----------------------------------------------------
class _Columns:
    def __init__(self, ntriples: bytes) -> None:
        # every line is "S P O .\n" and no term holds a raw newline (N-Triples escapes it), so splitting
        # on " .\n" cuts whole triples; S and P hold no space
        lines = ntriples.decode("utf-8").split(" .\n")
        lines.pop()  # after the last triple
        cols: defaultdict[str, Pairs] = defaultdict(list)
        for s, p, o in map(_SPLIT3, lines):
            cols[p].append((s, o))
        self.cols = dict(cols)
        self._subjects: dict[str, set[str]] = {}
        self._counts: dict[str, Counter[str]] = {}
        self._types: dict[str, set[str]] | None = None
        parents: dict[str, set[str]] = {}
        for c, d in cols.get(_SUBCLASS, ()):
            parents.setdefault(c, set()).add(d)
        self._parents = parents
        self._ancestors: dict[str, frozenset[str]] = {}

    def pairs(self, p: str) -> Pairs:
        return self.cols.get(p, [])

    def subjects(self, p: str) -> set[str]:
        got = self._subjects.get(p)
        if got is None:
            got = self._subjects[p] = set(map(_FIRST, self.pairs(p)))
        return got

    def counts(self, p: str) -> Counter[str]:
        got = self._counts.get(p)
        if got is None:
            got = self._counts[p] = Counter(map(_FIRST, self.pairs(p)))
        return got

    @property
    def has_subclasses(self) -> bool:
        return bool(self._parents)

    def ancestors(self, cls: str) -> frozenset[str]:
        """``cls`` and its superclasses by the graph's ``rdfs:subClassOf`` (``rdfs:subClassOf*``)."""
        got = self._ancestors.get(cls)
        if got is None:
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self._parents.get(todo.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            got = self._ancestors[cls] = frozenset(seen)
        return got

    def types(self) -> dict[str, set[str]]:
        """Node -> its classes (``rdf:type/rdfs:subClassOf*`` within the graph)."""
        if self._types is None:
            types: dict[str, set[str]] = {}
            for s, c in self.pairs(_TYPE):
                types.setdefault(s, set()).update(self.ancestors(c))
            self._types = types
        return self._types

    def focus(self, shape: NodeShape) -> set[str]:
        targets = {f"<{c}>" for c in shape.target_classes}
        if self.has_subclasses:
            classes = {c for _, c in self.pairs(_TYPE)}
            targets |= {c for c in classes if self.ancestors(c) & targets}
        return {s for s, c in self.pairs(_TYPE) if c in targets}


@dataclass
class _Check:
    """One property shape of one node shape, with its focus nodes."""

    shape: NodeShape
    ps: PropertyShape
    focus: set[str]
    out: list[Violation] = field(default_factory=list)

    def add(self, focus: str, component: str, value: str | None, message: str) -> None:
        self.out.append(_violation(focus, self.ps.path, component, value, message, self.ps.severity))


def _violation(focus: str, path: str, component: str, value: str | None, message: str, sev: str) -> Violation:
    return Violation(
        focus=focus,
        path=path,
        component=component,
        value=value,
        message=message,
        severity=sev.rsplit("#", 1)[-1],
    )


class FastValidator:
    """Validates one graph of a :class:`TripleStore` against the shapes, one pass per predicate."""

    engine = "sparql"  # the CLI / API name of the fast engine (it first compiled shapes to SPARQL)

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self._by_predicate: dict[str, list[tuple[NodeShape, PropertyShape]]] = {}
        for shape in shapes.node_shapes:
            for ps in shape.properties:
                self._by_predicate.setdefault(f"<{ps.path}>", []).append((shape, ps))

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
        run = _Run(store, graph, tuple(context_graphs), _Columns(store.ntriples(graph)))
        focus = {shape.iri: run.g.focus(shape) for shape in self.shapes.node_shapes}
        out: list[Violation] = []
        for p, entries in self._by_predicate.items():
            for shape, ps in entries:
                if focus[shape.iri]:
                    check = _Check(shape, ps, focus[shape.iri])
                    run.property(p, check)
                    out.extend(check.out)
        for shape in self.shapes.node_shapes:
            if shape.closed and focus[shape.iri]:
                out.extend(run.closed(shape, focus[shape.iri]))
        out = sorted(set(out))
        truncated = max_results is not None and len(out) > max_results
        if truncated:
            out = out[:max_results]
        return ValidationReport(
            conforms=not out,
            violations=out,
            engine=self.engine,
            focus_nodes=sum(len(f) for f in focus.values()),
            seconds=time.perf_counter() - t0,
            truncated=truncated,
        )


class _Run:
    """One validation: the columns of the staged graph and the caches shared by every shape."""

    def __init__(self, store: TripleStore, graph: str, context: tuple[str, ...], g: _Columns) -> None:
        self.store, self.graph, self.context, self.g = store, graph, context, g
        self._context_types: dict[str, set[str]] = {}
        self._ill_typed: dict[tuple[str, str], bool] = {}

    # -- one property shape over its predicate's column ---------------------------------------------
    def property(self, p: str, check: _Check) -> None:
        ps, focus = check.ps, check.focus
        pairs = self.g.pairs(p)
        subjects = self.g.subjects(p)
        if not subjects <= focus:
            pairs = [(s, o) for s, o in pairs if s in focus]
            subjects = subjects & focus
        self._counts(p, check, pairs, subjects)
        for hv in ps.has_value:
            has = {s for s, o in pairs if o == str(hv)}
            for f in focus - has:
                check.add(f, "HasValueConstraintComponent", None, f"Missing expected value {hv}")
        problems = self._value_problems(ps, set(map(_SECOND, pairs)))
        if problems:
            for s, o in pairs:
                for component, message in problems.get(o, ()):
                    check.add(s, component, o, message)

    def _counts(self, p: str, check: _Check, pairs: Pairs, subjects: set[str]) -> None:
        ps, focus = check.ps, check.focus
        lo, hi = ps.min_count or 0, ps.max_count
        if lo == 0 and hi is None:
            return
        unique = len(pairs) == len(subjects)  # at most one value per focus node
        few: Iterable[str] = ()
        if lo == 1:
            few = focus - subjects
        elif lo > 1:
            counts = self.g.counts(p)
            few = [f for f in focus if counts.get(f, 0) < lo]
        for f in few:
            check.add(f, "MinCountConstraintComponent", None, f"Less than {lo} values on {f}->{p}")
        if hi is not None and not (unique and hi >= 1):
            counts = self.g.counts(p)
            for f in subjects:
                if counts[f] > hi:
                    check.add(f, "MaxCountConstraintComponent", None, f"More than {hi} values on {f}->{p}")

    # -- value constraints, once per distinct value ------------------------------------------------
    def _value_problems(self, ps: PropertyShape, values: set[str]) -> Problems:
        problems: Problems = {}
        if not values:
            return problems

        def flag(bad: Iterable[str], component: str, message: str) -> None:
            for v in bad:
                problems.setdefault(v, []).append((component, message))

        if ps.datatype:
            flag(
                (v for v in values if not self._has_datatype(v, ps.datatype)),
                "DatatypeConstraintComponent",
                f"Value is not Literal with datatype <{ps.datatype}>",
            )
        if ps.node_kind:
            ok = _NODE_KINDS[ps.node_kind[len(SH) :]]
            flag(
                (v for v in values if not ok(v)),
                "NodeKindConstraintComponent",
                f"Value is not of Node Kind <{ps.node_kind}>",
            )
        for cls in ps.class_:
            flag(
                self._not_of_class(values, cls),
                "ClassConstraintComponent",
                f"Value does not have class <{cls}>",
            )
        for attr, op, comp, text in _BOUNDS:
            bound = getattr(ps, attr)
            if bound is not None:
                flag(self._out_of_bound(values, op, bound), comp, f"Value is not {text} {bound}")
        if ps.min_length is not None:
            n = ps.min_length
            flag(
                (v for v in values if _is_blank(v) or len(_text(v)) < n),
                "MinLengthConstraintComponent",
                f"String length not >= {n}",
            )
        if ps.max_length is not None:
            n = ps.max_length
            flag(
                (v for v in values if _is_blank(v) or len(_text(v)) > n),
                "MaxLengthConstraintComponent",
                f"String length not <= {n}",
            )
        if ps.in_ is not None:
            allowed = {str(t) for t in ps.in_}
            flag(values - allowed, "InConstraintComponent", "Value is not in the list of allowed values")
        for pattern in ps.patterns:
            rx = _regex(pattern, ps.flags)
            flag(
                (v for v in values if _is_blank(v) or not rx.search(_text(v))),
                "PatternConstraintComponent",
                f"Value does not match pattern '{pattern}'",
            )
        return problems

    def _has_datatype(self, value: str, dt: str) -> bool:
        if not _is_literal(value):
            return False
        lexical, actual = _literal(value)
        if actual != dt:
            return False
        if dt in _STRINGY:
            return True
        key = (lexical, dt)
        ill = self._ill_typed.get(key)
        if ill is None:
            ill = self._ill_typed[key] = _ill_typed(lexical, dt)
        return not ill

    def _not_of_class(self, values: set[str], cls: str) -> list[str]:
        target = f"<{cls}>"
        types = self.g.types()
        bad, untyped = [], []
        for v in values:
            if _is_literal(v):
                bad.append(v)
            elif v in types:
                if target not in types[v]:
                    bad.append(v)
            elif _is_blank(v):
                bad.append(v)
            else:
                untyped.append(v)
        if untyped:
            known = self._types_in_context(untyped)
            bad.extend(v for v in untyped if target not in known.get(v, ()))
        return bad

    def _types_in_context(self, iris: list[str]) -> dict[str, set[str]]:
        """The classes of IRIs untyped in the graph: their ``rdf:type`` in the context graphs, closed
        under the graph's ``rdfs:subClassOf`` (what the reference engine's data graph holds)."""
        missing = sorted(v for v in iris if v not in self._context_types)
        for v in missing:
            self._context_types[v] = set()
        if missing and self.context:
            for chunk in _chunks(missing, 500):
                q = f"SELECT DISTINCT ?v ?c WHERE {{ VALUES ?v {{ {' '.join(chunk)} }} ?v {_TYPE} ?c }}"
                res = self.store.query(q, dataset=Dataset(default=self.context, named=()))
                for row in res.rows():
                    self._context_types[str(row["v"])] |= self.g.ancestors(str(row["c"]))
        return self._context_types

    def _out_of_bound(self, values: set[str], op: str, bound: ox.Literal) -> list[str]:
        """The values that break ``value op bound``, decided as pySHACL decides them (its
        ``compare_literal`` on rdflib literals; non-literals, and a string against a non-string,
        always break it)."""
        from pyshacl.rdfutil.compare import compare_literal
        from rdflib import Literal as RdfLiteral
        from rdflib import URIRef

        limit = RdfLiteral(bound.value, datatype=URIRef(bound.datatype.value))  # as rdflib parses the shapes
        limit_is_string = isinstance(limit.value, str)
        bad = []
        with _quiet_rdflib():
            for v in values:
                bad.extend(self._breaks(v, op, limit, limit_is_string, compare_literal))
        return bad

    @staticmethod
    def _breaks(v: str, op: str, limit: Any, limit_is_string: bool, compare: Any) -> list[str]:
        if not _is_literal(v):
            return [v]
        lit = to_rdflib(_ox_literal(v))
        if isinstance(lit.value, str) != limit_is_string:
            return [v]
        try:
            cmp = compare(lit, limit)
        except (TypeError, NotImplementedError):
            return [v]
        return [] if _ORDER[op](cmp) else [v]

    # -- closed node shapes ------------------------------------------------------------------------
    def closed(self, shape: NodeShape, focus: set[str]) -> list[Violation]:
        allowed = {f"<{p}>" for p in shape.allowed_predicates}
        out: list[Violation] = []
        for p, pairs in self.g.cols.items():
            if p in allowed or not self.g.subjects(p) & focus:
                continue
            for s, o in pairs:
                if s in focus:
                    out.append(
                        _violation(
                            s,
                            p[1:-1],
                            "ClosedConstraintComponent",
                            o,
                            f"Node {s} is closed. It cannot have value: {o}",
                            shape.severity,
                        )
                    )
        return out


_NODE_KINDS: dict[str, Callable[[str], bool]] = {
    "IRI": _is_iri,
    "Literal": _is_literal,
    "BlankNode": _is_blank,
    "BlankNodeOrIRI": lambda v: not _is_literal(v),
    "BlankNodeOrLiteral": lambda v: not _is_iri(v),
    "IRIOrLiteral": lambda v: not _is_blank(v),
}

_ORDER: dict[str, Callable[[int], bool]] = {
    ">=": lambda c: c >= 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    "<": lambda c: c < 0,
}
_BOUNDS = (
    ("min_inclusive", ">=", "MinInclusiveConstraintComponent", ">="),
    ("max_inclusive", "<=", "MaxInclusiveConstraintComponent", "<="),
    ("min_exclusive", ">", "MinExclusiveConstraintComponent", ">"),
    ("max_exclusive", "<", "MaxExclusiveConstraintComponent", "<"),
)


def _regex(pattern: str, flags: str | None) -> re.Pattern[str]:
    bits = 0
    if flags:
        if "i" in flags.lower():
            bits |= re.I
        if "m" in flags.lower():
            bits |= re.M
    return re.compile(pattern, bits)


def _ill_typed(lexical: str, dt: str) -> bool:
    """pySHACL's datatype check of a literal whose datatype IRI is right: rdflib's ``ill_typed`` and
    the Python type of its value."""
    from rdflib import Literal as RdfLiteral
    from rdflib import URIRef

    with _quiet_rdflib():
        lit = RdfLiteral(lexical, datatype=URIRef(dt), normalize=False)
        return getattr(lit, "ill_typed", None) is True or not _actual_datatype_ok(lit, dt)


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs and warns about every ill-typed literal it builds; the report says it once."""
    rdflib_log = logging.getLogger("rdflib.term")
    previous = rdflib_log.disabled
    rdflib_log.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        rdflib_log.disabled = previous


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
