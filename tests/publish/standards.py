"""The official shapes, read from the shared standards folder at test time (never copied here).

Upstream defects are patched here, in the loader, exactly as ../shared/standards/README.md says, and
nowhere else: DCAT-AP 3.0.1 ``ranges.ttl`` links 5 property shapes that exist nowhere, HealthDCAT-AP R8
has one ``sh:property`` without ``sh:path``. Both are dropped from the *shapes* graph; the data is never
touched. The number of links dropped is checked, so an upstream fix (or a new defect) is noticed.

The folder is ``$CIKG_STANDARDS_DIR``, by default ``<repo>/../shared/standards``. Tests skip only when
the folder is absent; when it is present a violation fails them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

SH = Namespace("http://www.w3.org/ns/shacl#")
REPO = Path(__file__).resolve().parents[2]
LEVELS = ("PUBLIC", "RESTRICTED", "NON_PUBLIC")


from tests.support.standards import require_standards, standards_dir  # noqa: E402

__all__ = ["require_standards", "standards_dir"]


def _parse(*paths: Path) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


def _drop_pathless_property_links(g: Graph) -> int:
    """Remove ``?shape sh:property ?p`` where ``?p`` has no ``sh:path`` (with ``?p``'s own triples)."""
    dropped = 0
    for shape, prop in list(g.subject_objects(SH.property)):
        if (prop, SH.path, None) in g:
            continue
        g.remove((shape, SH.property, prop))
        if isinstance(prop, BNode):
            _remove_tree(g, prop)
        dropped += 1
    return dropped


def _remove_tree(g: Graph, node: BNode) -> None:
    for _, p, o in list(g.triples((node, None, None))):
        g.remove((node, p, o))
        if isinstance(o, BNode) and not any(True for _ in g.subjects(None, o)):
            _remove_tree(g, o)


@cache
def dcat_ap_shapes() -> Graph:
    """DCAT-AP 3.0.1: ``dcat-ap-SHACL.ttl`` + ``ranges.ttl`` (5 dangling links dropped)."""
    folder = require_standards() / "dcat-ap-3.0.1"
    g = _parse(folder / "dcat-ap-SHACL.ttl", folder / "ranges.ttl")
    dropped = _drop_pathless_property_links(g)
    assert dropped == 5, f"DCAT-AP 3.0.1: expected the 5 known dangling sh:property links, found {dropped}"
    return g


HEALTHDCAT_FILES = {
    level: (
        "shapes/graph-guard.ttl",
        "imports/mdr_imports.ttl",
        "imports/imports.ttl",
        "ranges/range.ttl",
        f"shapes/{stem}-shapes.ttl",
        "controlled-vocabularies/mdr-vocabularies.shape.ttl",
        f"recommended/{stem}-shapes_recommended.ttl",
    )
    for level, stem in (("PUBLIC", "public"), ("RESTRICTED", "restricted"), ("NON_PUBLIC", "non-public"))
}
"""The validator's shape set per access level (its config.properties; see PROVENANCE.md there)."""


@cache
def healthdcat_shapes(level: str) -> Graph:
    """HealthDCAT-AP Release 8, one access level (the one path-less property shape dropped)."""
    folder = require_standards() / "healthdcat-ap-r8" / "validator"
    g = _parse(*(folder / f for f in HEALTHDCAT_FILES[level]))
    dropped = _drop_pathless_property_links(g)
    assert dropped == 1, f"HealthDCAT-AP R8 {level}: expected 1 path-less sh:property, found {dropped}"
    return g


@cache
def fdp_shapes() -> Graph:
    """The FAIR Data Point reference implementation's default shapes (all of them)."""
    folder = require_standards() / "fdp-reference-impl"
    return _parse(*sorted(folder.glob("*.ttl")))


@cache
def schemaorg_shapes() -> Graph:
    return _parse(require_standards() / "schemaorg-30.0" / "schemaorg-shapes.shacl")


def schemaorg_context() -> dict[str, object]:
    import json

    path = require_standards() / "schemaorg-30.0" / "schemaorgcontext.jsonld"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass
class Report:
    conforms: bool
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    focus_nodes: int = 0
    """Data nodes some shape targets (what was actually checked)."""

    def __str__(self) -> str:
        head = f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        return head + "".join(f"\n  - {v}" for v in self.violations[:40])


def validate(data: Graph, shapes: Graph) -> Report:
    """pySHACL, no inference (the shapes need none), every severity reported."""
    from pyshacl import validate as run

    conforms, results, _ = run(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True, meta_shacl=False
    )
    report = Report(conforms=bool(conforms), focus_nodes=len(focus_nodes(data, shapes)))
    # top-level results only: nested ones (sh:detail of an sh:node failure) carry no severity of
    # their own; the result that contains them is the one the shapes graph classifies
    for res in results.objects(None, SH.result):
        severity = results.value(res, SH.resultSeverity)
        text = (
            f"{results.value(res, SH.focusNode)} {results.value(res, SH.resultPath)}: "
            f"{results.value(res, SH.resultMessage)} [{results.value(res, SH.sourceConstraintComponent)}]"
        )
        (report.violations if severity == SH.Violation else report.warnings).append(text)
    return report


def focus_nodes(data: Graph, shapes: Graph) -> set[object]:
    """Nodes of ``data`` targeted by some shape (by class, node, subjects-of or objects-of)."""
    found: set[object] = set()
    for cls in set(shapes.objects(None, SH.targetClass)):
        found.update(data.subjects(RDF.type, cls))
    for node in shapes.objects(None, SH.targetNode):
        if (node, None, None) in data or (None, None, node) in data:
            found.add(node)
    for pred in shapes.objects(None, SH.targetSubjectsOf):
        found.update(data.subjects(pred, None))
    for pred in shapes.objects(None, SH.targetObjectsOf):
        found.update(data.objects(None, pred))
    return found


def assert_conforms(data: Graph, shapes: Graph, what: str) -> Report:
    report = validate(data, shapes)
    assert not report.violations, f"{what}: {report}"
    assert report.focus_nodes > 0, f"{what}: no node was targeted by any shape"
    return report


__all__ = [
    "LEVELS",
    "Report",
    "URIRef",
    "assert_conforms",
    "dcat_ap_shapes",
    "fdp_shapes",
    "healthdcat_shapes",
    "require_standards",
    "schemaorg_context",
    "schemaorg_shapes",
    "validate",
]
