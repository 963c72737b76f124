"""ICD-10 in ClaML (the WHO's XML distribution): every ``<Class>`` (chapter, block, category) with its
preferred rubric as label, inclusion rubrics as synonyms and ``<SuperClass>`` as ``skos:broader``.
Parsed incrementally (iterparse), each class dropped once written."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from cikg.vocab.importers.base import (
    T_ALT,
    T_BROADER,
    T_PREF,
    Context,
    ImportFormatError,
    find_files,
    iri,
    literal,
    scheme_iri,
)

SYNONYM_RUBRICS = {"inclusion", "preferredLong", "modifierlink"}


def files(path: Path) -> list[Path]:
    found = find_files(path, ["*.xml", "*.claml"])
    if not found:
        raise ImportFormatError(path, None, "no ClaML .xml file here")
    return found[:1]


def _text(el: ET.Element) -> str:
    return " ".join("".join(el.itertext()).split())


def run(ctx: Context) -> None:
    scheme = scheme_iri(ctx.kind)
    out = ctx.out
    for path in ctx.paths:
        size = path.stat().st_size
        seen_root = False
        try:
            with path.open("rb") as handle:
                last = 0
                for event, el in ET.iterparse(handle, events=("start", "end")):
                    if event == "start":
                        if not seen_root:
                            seen_root = True
                            if el.tag != "ClaML":
                                raise ImportFormatError(
                                    path, 1, f"root element <{el.tag}>, ClaML needs <ClaML>"
                                )
                        continue
                    if el.tag != "Class":
                        continue
                    code = (el.get("code") or "").strip()
                    if not code:
                        raise ImportFormatError(path, None, "a <Class> without a code attribute")
                    ctx.report.rows += 1
                    s = iri("ICD10", code)
                    out.term(s, scheme, code)
                    for sup in el.findall("SuperClass"):
                        if sup.get("code"):
                            out.add(s, T_BROADER, iri("ICD10", sup.get("code", "")))
                    for rubric in el.findall("Rubric"):
                        kind = rubric.get("kind")
                        for label in rubric.findall("Label"):
                            lang = label.get("{http://www.w3.org/XML/1998/namespace}lang") or "en"
                            text = _text(label)
                            if not text:
                                continue
                            if kind == "preferred":
                                out.add(s, T_PREF, literal(text, lang))
                            elif kind in SYNONYM_RUBRICS:
                                out.add(s, T_ALT, literal(text, lang))
                    el.clear()
                    pos = handle.tell()
                    ctx.progress(pos - last)
                    last = pos
                ctx.progress(size - last)
        except ET.ParseError as exc:
            raise ImportFormatError(path, exc.position[0], f"not well-formed XML: {exc}") from exc
