"""Light inspection of SPARQL text: the query form, dataset clauses and SERVICE targets.

Used by the read-only ``/sparql`` endpoint before any store sees the query. Comments, string
literals and IRIs are masked first, so keywords inside them never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'',
    re.S,
)
_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_COMMENT = re.compile(r"#[^\n]*")
_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*(<[^>]*>)", re.I)
_SERVICE = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?(<[^>]*>|[A-Za-z][\w.-]*:[\w.-]*|\$\w+|\?\w+)", re.I)
_FORM = re.compile(r"(?<![?$:\w])\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b(?![:\w(])", re.I)
_UPDATE = re.compile(
    r"(?<![?$:\w])\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b(?![:\w(])", re.I
)
_DATASET = re.compile(r"(?<![?$:\w])\bFROM\b(?![:\w])", re.I)


class QueryForm(StrEnum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def is_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


class ReadOnlyViolation(ValueError):
    """The text is a SPARQL Update (or contains one of its operations)."""


@dataclass
class QueryInfo:
    form: QueryForm
    services: list[str] = field(default_factory=list)
    """SERVICE targets as IRIs (prefixed names expanded); variables are kept as ``?var``."""
    has_dataset: bool = False
    """The query names its own dataset (FROM / FROM NAMED)."""


def _mask(text: str) -> tuple[str, dict[str, str]]:
    """Blank comments and strings; keep IRIs but protect them from keyword matching."""
    iris: dict[str, str] = {}

    def keep_iri(m: re.Match[str]) -> str:
        key = f"<__iri{len(iris)}__>"
        iris[key] = m.group(0)
        return key

    out = []
    pos = 0
    # strings first (they may contain '#' or '<'), then IRIs, then comments
    for m in _STRING.finditer(text):
        out.append(text[pos : m.start()])
        out.append('""')
        pos = m.end()
    out.append(text[pos:])
    masked = "".join(out)
    masked = _IRI.sub(keep_iri, masked)
    masked = _COMMENT.sub(" ", masked)
    return masked, iris


def inspect(text: str) -> QueryInfo:
    """Classify a SPARQL request text; raise :class:`ReadOnlyViolation` or :class:`ValueError`."""
    masked, iris = _mask(text)
    prefixes = {}
    for m in _PREFIX_DECL.finditer(masked):
        prefixes[m.group(1) or ""] = iris.get(m.group(2), m.group(2))[1:-1]
    body = _PREFIX_DECL.sub(" ", masked)
    body = re.sub(r"\bBASE\s+<[^>]*>", " ", body, flags=re.I)
    form_match = _FORM.search(body)
    update_match = _UPDATE.search(body)
    if update_match and (form_match is None or update_match.start() < form_match.start()):
        raise ReadOnlyViolation(
            f"this endpoint is read-only: SPARQL Update ({update_match.group(1).upper()}) is not allowed"
        )
    if form_match is None:
        raise ValueError("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    if ";" in body[form_match.start() :] and _UPDATE.search(body[form_match.start() :]):
        raise ReadOnlyViolation("this endpoint is read-only: SPARQL Update operations are not allowed")
    services = []
    for m in _SERVICE.finditer(body):
        target = m.group(1)
        if target in iris:
            services.append(iris[target][1:-1])
        elif target.startswith(("?", "$")):
            services.append(target)
        else:
            prefix, _, local = target.partition(":")
            services.append(prefixes.get(prefix, prefix + ":") + local)
    return QueryInfo(
        form=QueryForm(form_match.group(1).upper()),
        services=services,
        has_dataset=bool(_DATASET.search(body)),
    )
