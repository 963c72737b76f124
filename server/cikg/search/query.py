"""The query model: nested AND / OR / NOT over criteria, parsed from the native JSON and resolved
against the vocabulary (every concept value translated to a hyperontology concept and, by default,
expanded to its descendants) before either engine sees it.

Both engines (the columnar index and the SPARQL compiler) take a resolved :class:`Node` tree whose
leaves carry the exact set of graph values (IRIs) they match.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Protocol

from cikg.namespaces import CIKG, converter
from cikg.search.fields import FIELDS, Field, enum_values


class SearchError(ValueError):
    """A query that cannot be answered: the message names what is wrong and where."""


class VocabularyLike(Protocol):
    """What resolution needs from :class:`cikg.vocab.Vocabulary`."""

    def resolve_match(self, code_or_label: str, *, branch: str | None = None) -> Any: ...

    def descendants(
        self, concept_id: str, include_self: bool = True, *, include_codes: bool = False
    ) -> frozenset[str]: ...


@dataclass
class Leaf:
    field: str
    values: list[str] = dc_field(default_factory=list)
    descendants: bool = True
    min: float | None = None
    max: float | None = None
    text: str | None = None
    # filled by resolve()
    iris: frozenset[str] = frozenset()
    concepts: dict[str, list[str]] = dc_field(default_factory=dict)
    """value as given -> concept ids it matches (after expansion)."""
    index: int = -1

    @property
    def spec(self) -> Field:
        return FIELDS[self.field]

    def describe(self) -> str:
        if self.spec.kind == "numeric":
            lo = "" if self.min is None else _num(self.min)
            hi = "" if self.max is None else _num(self.max)
            return f"{self.field} in [{lo}, {hi}]"
        if self.spec.kind == "text":
            return f"text contains {self.text!r}"
        shown = []
        for v in self.values:
            ids = self.concepts.get(v, [])
            head = ids[0] if ids else v
            extra = f" (+{len(ids) - 1} descendants)" if len(ids) > 1 else ""
            shown.append(f"{head}{extra}" if head == v else f"{v} -> {head}{extra}")
        return f"{self.field} = " + " | ".join(shown)


@dataclass
class Node:
    op: str  # "and" | "or" | "not" | "leaf"
    children: list[Node] = dc_field(default_factory=list)
    leaf: Leaf | None = None

    def leaves(self) -> Iterator[Leaf]:
        if self.leaf is not None:
            yield self.leaf
        for c in self.children:
            yield from c.leaves()

    def positive_leaves(self, negated: bool = False) -> Iterator[Leaf]:
        """Leaves under an even number of NOTs (they select what the query is about)."""
        if self.leaf is not None:
            if not negated:
                yield self.leaf
            return
        for c in self.children:
            yield from c.positive_leaves(not negated if self.op == "not" else negated)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# -- parsing ------------------------------------------------------------------------------------------
def parse(criterion: Any, where: str = "query") -> Node:
    """The native JSON criterion -> a Node tree (no vocabulary yet)."""
    if not isinstance(criterion, Mapping):
        raise SearchError(f"{where}: a criterion must be an object, got {type(criterion).__name__}")
    keys = set(criterion)
    for op in ("and", "or"):
        if op in criterion:
            if keys != {op}:
                raise SearchError(f"{where}: {op!r} takes no other keys (got {sorted(keys)})")
            items = criterion[op]
            if not isinstance(items, list) or not items:
                raise SearchError(f"{where}.{op}: give a non-empty list of criteria")
            return Node(op, [parse(c, f"{where}.{op}[{i}]") for i, c in enumerate(items)])
    if "not" in criterion:
        if keys != {"not"}:
            raise SearchError(f"{where}: 'not' takes no other keys (got {sorted(keys)})")
        return Node("not", [parse(criterion["not"], f"{where}.not")])
    if "field" not in criterion:
        raise SearchError(f"{where}: expected 'and', 'or', 'not' or 'field' (got {sorted(keys)})")
    name = criterion["field"]
    spec = FIELDS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise SearchError(f"{where}: unknown field {name!r}; use one of {', '.join(FIELDS)}")
    allowed = {"field", "value", "descendants", "min", "max"}
    extra = keys - allowed
    if extra:
        raise SearchError(f"{where}: unknown key(s) {sorted(extra)} in a {name} criterion")
    if spec.kind == "numeric":
        lo, hi = criterion.get("min"), criterion.get("max")
        if "value" in criterion:
            v = criterion["value"]
            lo = hi = v
        for label, x in (("min", lo), ("max", hi)):
            if x is not None and (isinstance(x, bool) or not isinstance(x, int | float) or math.isnan(x)):
                raise SearchError(f"{where}: {name} {label} must be a number, got {x!r}")
        if lo is None and hi is None:
            raise SearchError(f"{where}: a {name} criterion needs 'min' and/or 'max'")
        if lo is not None and hi is not None and lo > hi:
            raise SearchError(f"{where}: {name} min {lo} is greater than max {hi}")
        return Node("leaf", leaf=Leaf(name, min=lo, max=hi))
    value = criterion.get("value")
    if spec.kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise SearchError(f"{where}: a text criterion needs a non-empty 'value' string")
        return Node("leaf", leaf=Leaf(name, text=value.strip()))
    values = value if isinstance(value, list) else [value]
    if not values or not all(
        isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip() for v in values
    ):
        raise SearchError(f"{where}: a {name} criterion needs 'value': a code or label, or a list of them")
    desc = criterion.get("descendants", True)
    if not isinstance(desc, bool):
        raise SearchError(f"{where}: 'descendants' must be true or false")
    if (criterion.get("min") is not None) or (criterion.get("max") is not None):
        raise SearchError(f"{where}: {name} is not numeric; 'min' / 'max' do not apply")
    return Node("leaf", leaf=Leaf(name, values=[str(v).strip() for v in values], descendants=desc))


# -- resolution ---------------------------------------------------------------------------------------
@dataclass
class Holders:
    """The data holders the catalogue knows: IRI -> (identifier, name)."""

    by_iri: dict[str, tuple[str, str]]
    names: dict[str, str] = dc_field(default_factory=dict)
    """Names the graph gives (the free-text search reads these)."""

    def find(self, value: str) -> str | None:
        v = value.strip()
        if v in self.by_iri:
            return v
        low = v.lower()
        for iri, (ident, name) in self.by_iri.items():
            if low in (ident.lower(), name.lower()):
                return iri
        return None


def resolve(root: Node, vocab: VocabularyLike, holders: Holders) -> Node:
    """Fill every leaf's match set; one error names every unknown value of the query."""
    unknown: list[str] = []
    for i, leaf in enumerate(root.leaves()):
        leaf.index = i
        spec = leaf.spec
        if spec.kind != "concept":
            continue
        iris: set[str] = set()
        for value in leaf.values:
            try:
                found = _resolve_value(spec, value, leaf.descendants, vocab, holders)
            except LookupError as exc:
                unknown.append(f"{leaf.field} {value!r} ({exc})")
                continue
            leaf.concepts[value] = [c for c, _ in found]
            iris.update(iri for _, iri in found)
        leaf.iris = frozenset(iris)
    if unknown:
        raise SearchError("unknown value(s): " + "; ".join(unknown))
    return root


def _resolve_value(
    spec: Field, value: str, descendants: bool, vocab: VocabularyLike, holders: Holders
) -> list[tuple[str, str]]:
    """(display id, graph IRI) pairs a concept criterion value matches."""
    if spec.enum_slot is not None:
        table = enum_values(spec.enum_slot)
        v = value.strip()
        for key, iri in table.items():
            if v.upper() == key or v == iri or v.upper() == iri.rsplit("/", 1)[-1] or v.upper() == iri:
                return [(key, iri)]
        if spec.name == "country":
            raise LookupError("not an ISO 3166 country code the model knows")
        raise LookupError(f"use one of {', '.join(table)}")
    if spec.name == "data_holder":
        holder = holders.find(value)
        if holder is None:
            raise LookupError("no data holder has this id, name or IRI")
        return [(holders.by_iri[holder][0], holder)]
    try:
        res = vocab.resolve_match(value, branch=spec.branch)
    except (LookupError, ValueError) as exc:
        raise LookupError(str(exc).strip("'\"")) from exc
    cid = res.concept.id
    if getattr(res.concept, "imported", False):
        raise LookupError(f"{value} is not mapped to a hyperontology concept")
    ids = sorted(vocab.descendants(cid, True)) if descendants else [cid]
    ids.sort(key=lambda c: c != cid)
    out = [(c, CIKG + c) for c in ids]
    if spec.name == "annotation_type":
        conv = converter()
        codes = vocab.descendants(cid, True, include_codes=True) if descendants else {cid}
        for code in codes:
            expanded = conv.expand(code) if ":" in code else None
            if expanded is not None:  # a code of an unknown scheme cannot be in the graph
                out.append((code, expanded))
    return out


def display(iri: str, holders: Holders | None = None) -> str:
    """The id a graph value is shown as: concept slug, enum key, holder id, or a CURIE."""
    if iri.startswith(CIKG):
        return iri[len(CIKG) :]
    for slot in ("access_rights", "spatial_coverage"):
        for key, v in enum_values(slot).items():
            if v == iri:
                return key
    if holders is not None and iri in holders.by_iri:
        return holders.by_iri[iri][0]
    curie = converter().compress(iri)
    return curie or iri
