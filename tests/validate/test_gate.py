"""The SHACL gate: the SPARQL fast path reports exactly pySHACL's violations (focus node, path,
constraint component, value) on a corpus of deliberately invalid graphs, and nothing on valid ones;
a rejected graph leaves the store unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest

from cikg.rdfmap import RdfMapper
from cikg.store.base import RdfData, SourceRejected
from cikg.store.oxigraph import OxigraphStore
from cikg.validate import ShaclGate, context_graphs_for, validator

X = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
S = "https://w3id.org/cikg/schema/"
HOLDER = "http://node.example/data-holder/h1"
COLL = "http://node.example/collection/c1"
SER = COLL + "/series/" + "a" * 64

COLLECTION: dict[str, Any] = dict(
    id=COLL,
    identifier="c1",
    title="Prostate MRI",
    description="d",
    data_holder=HOLDER,
    access_rights="RESTRICTED",
    number_of_subjects=3,
    number_of_studies=4,
    number_of_series=9,
    primary_cancer_condition=["prostate_cancer"],
    sex=["male"],
    sex_count=[dict(concept="CIKG:male", count=3)],
    min_typical_age=50,
    max_typical_age=70,
    age_bin=[dict(lower=50, upper=60, count=1)],
    image_modality=["modality_mr"],
    manufacturer=["siemens"],
    temporal_coverage=dict(start_date="2020-01", end_date="2021-02"),
    contact_point=dict(fn="Biobank team", email="mailto:team@example.org"),
    landing_page="https://example.org/c1",
)
SERIES: dict[str, Any] = dict(
    id=SER,
    is_part_of=COLL,
    series_key="a" * 64,
    study_key="b" * 64,
    subject_key="c" * 64,
    modality="modality_mr",
    contrast_agent=False,
    instance_count=24,
    acquisition_month="2020-03",
    subject_sex="male",
    subject_age=66,
)
RUN: dict[str, Any] = dict(
    id="urn:cikg:run:1",
    source="file:site",
    source_kind="dicom",
    harvester=dict(id="urn:cikg:harvester:x:1", name="x", software_version="1"),
    started_at="2024-01-01T00:00:00+00:00",
    ended_at="2024-01-01T00:01:00+00:00",
    validation_outcome="conforms",
    items_seen=3,
)
HOLDER_OBJ: dict[str, Any] = dict(id=HOLDER, identifier="h1", name="H", country="ES", juridical_person="J")


def _base(with_holder: bool = True) -> list[ox.Triple]:
    m = RdfMapper()
    out = list(m.triples(COLLECTION, "Collection")) + list(m.triples(SERIES, "SeriesSummary"))
    out += list(m.triples(RUN, "HarvestRun"))
    if with_holder:
        out += list(m.triples(HOLDER_OBJ, "DataHolder"))
    return out


def N(iri: str) -> ox.NamedNode:  # noqa: N802
    return ox.NamedNode(iri)


def L(lex: str, dt: str | None = None, lang: str | None = None) -> ox.Literal:  # noqa: N802
    if lang:
        return ox.Literal(lex, language=lang)
    return ox.Literal(lex, datatype=N(X + dt)) if dt else ox.Literal(lex)


def drop(s: str, p: str) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    return lambda ts: [t for t in ts if not (t.subject == N(s) and t.predicate.value == p)]


def add(s: Any, p: str, o: Any) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    return lambda ts: [*ts, ox.Triple(N(s) if isinstance(s, str) else s, N(p), o)]


def replace(s: str, p: str, o: Any) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    return lambda ts: add(s, p, o)(drop(s, p)(ts))


def both(*fs: Callable[[list[ox.Triple]], list[ox.Triple]]) -> Callable[[list[ox.Triple]], list[ox.Triple]]:
    def run(ts: list[ox.Triple]) -> list[ox.Triple]:
        for f in fs:
            ts = f(ts)
        return ts

    return run


def _sex_count_bnode(ts: list[ox.Triple]) -> list[ox.Triple]:
    node = next(t.object for t in ts if t.predicate.value == S + "sexCount")
    return [t for t in ts if not (t.subject == node and t.predicate.value == S + "count")]


def _email_not_mailto(ts: list[ox.Triple]) -> list[ox.Triple]:
    node = next(t.object for t in ts if t.predicate.value == "http://www.w3.org/ns/dcat#contactPoint")
    pred = "http://www.w3.org/2006/vcard/ns#hasEmail"
    return [t for t in ts if not (t.subject == node and t.predicate.value == pred)] + [
        ox.Triple(node, N(pred), N("https://example.org/team"))  # type: ignore[arg-type]
    ]


EUCAIM = "https://hyperontology.eucaim.cancerimage.eu/#"
HEALTH = "http://healthdataportal.eu/ns/health#"
CASES: dict[str, tuple[Callable[[list[ox.Triple]], list[ox.Triple]], str]] = {
    "min_count": (drop(COLL, DCT + "title"), "MinCountConstraintComponent"),
    "max_count": (add(COLL, DCT + "title", L("Another title")), "MaxCountConstraintComponent"),
    "datatype_string_for_integer": (
        replace(COLL, HEALTH + "numberOfUniqueIndividuals", L("3")),
        "DatatypeConstraintComponent",
    ),
    "datatype_ill_typed_integer": (
        replace(COLL, HEALTH + "numberOfRecords", L("many", "integer")),
        "DatatypeConstraintComponent",
    ),
    "datatype_ill_typed_boolean": (
        replace(SER, S + "contrastAgentUsed", L("yes", "boolean")),
        "DatatypeConstraintComponent",
    ),
    "datatype_language_tagged": (
        replace(COLL, DCT + "description", L("d", lang="en")),
        "DatatypeConstraintComponent",
    ),
    "min_inclusive": (
        replace(COLL, S + "numberOfSeries", L("-3", "integer")),
        "MinInclusiveConstraintComponent",
    ),
    "max_inclusive": (replace(SER, S + "subjectAge", L("95", "integer")), "MaxInclusiveConstraintComponent"),
    # pySHACL orders incomparable literals (a date against 90) rather than failing them: only the
    # datatype breaks for a max bound, both do for a min bound
    "max_inclusive_date": (
        replace(SER, S + "subjectAge", L("2020-01-01", "date")),
        "DatatypeConstraintComponent",
    ),
    "min_inclusive_date": (
        replace(COLL, S + "numberOfSeries", L("2020-01-01", "date")),
        "MinInclusiveConstraintComponent",
    ),
    "min_inclusive_string": (replace(COLL, S + "numberOfSeries", L("9")), "MinInclusiveConstraintComponent"),
    "pattern_key": (replace(SER, S + "seriesKey", L("PatientID-123")), "PatternConstraintComponent"),
    "pattern_month": (
        replace(SER, S + "acquisitionMonth", L("2020-13", "gYearMonth")),
        "PatternConstraintComponent",
    ),
    "pattern_on_iri": (_email_not_mailto, "PatternConstraintComponent"),
    "in_iri": (
        replace(SER, S + "modality", N("https://w3id.org/cikg/ontology/modality_xx")),
        "InConstraintComponent",
    ),
    "in_string": (replace("urn:cikg:run:1", S + "validationOutcome", L("maybe")), "InConstraintComponent"),
    "in_literal_for_iri": (replace(COLL, DCT + "accessRights", L("RESTRICTED")), "InConstraintComponent"),
    "node_kind_literal_for_iri": (
        replace(COLL, "http://www.w3.org/ns/dcat#landingPage", L("https://example.org")),
        "NodeKindConstraintComponent",
    ),
    "node_kind_iri_for_literal": (
        replace(COLL, DCT + "title", N("https://example.org/title")),
        "NodeKindConstraintComponent",
    ),
    "class_untyped_reference": (
        replace(COLL, DCT + "publisher", N("http://node.example/data-holder/nobody")),
        "ClassConstraintComponent",
    ),
    "class_literal": (replace(SER, DCT + "isPartOf", L(COLL)), "ClassConstraintComponent"),
    "closed": (add(COLL, "http://example.org/patientName", L("Doe^John")), "ClosedConstraintComponent"),
    "min_count_on_blank_node": (_sex_count_bnode, "MinCountConstraintComponent"),
    "combination": (
        both(
            drop(COLL, DCT + "title"),
            replace(SER, S + "subjectAge", L("95", "integer")),
            replace(SER, S + "seriesKey", L("x")),
            add(SER, "http://example.org/x", L("y")),
        ),
        "MaxInclusiveConstraintComponent",
    ),
}


def _load(
    triples: list[ox.Triple], holder_elsewhere: bool = False
) -> tuple[OxigraphStore, str, tuple[str, ...]]:
    store = OxigraphStore()
    if holder_elsewhere:
        store.replace_source(
            "urn:cikg:source:holder", RdfData.of_triples(list(RdfMapper().triples(HOLDER_OBJ, "DataHolder")))
        )
    info = store.replace_source("urn:cikg:source:c1", RdfData.of_triples(triples))
    return store, info.graph, context_graphs_for(store, "urn:cikg:source:c1")


def _both(triples: list[ox.Triple], holder_elsewhere: bool = False) -> tuple[set[Any], set[Any]]:
    store, graph, ctx = _load(triples, holder_elsewhere)
    fast = validator("sparql").validate(store, graph, context_graphs=ctx)
    ref = validator("pyshacl").validate(store, graph, context_graphs=ctx)
    return fast.keys(), ref.keys()


def test_valid_graphs_conform_on_both_paths() -> None:
    fast, ref = _both(_base())
    assert fast == ref == set()
    # the data holder described in another source: sh:class resolved through the context graphs
    fast, ref = _both(_base(with_holder=False), holder_elsewhere=True)
    assert fast == ref == set()


def test_an_unknown_data_holder_is_a_class_violation_on_both_paths() -> None:
    fast, ref = _both(_base(with_holder=False))
    assert fast == ref
    assert {k[2] for k in fast} == {"ClassConstraintComponent"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_path_reports_exactly_what_pyshacl_reports(case: str) -> None:
    mutate, component = CASES[case]
    fast, ref = _both(mutate(_base()))
    assert fast == ref, f"only fast: {fast - ref}; only pySHACL: {ref - fast}"
    assert component in {k[2] for k in fast}


def test_gate_rejects_and_keeps_the_previous_version() -> None:
    store, _graph, _ = _load(_base())
    before = store.source("urn:cikg:source:c1")
    bad = CASES["combination"][0](_base())
    with pytest.raises(SourceRejected) as err:
        store.replace_source("urn:cikg:source:c1", RdfData.of_triples(bad), validate=ShaclGate())
    report = err.value.report
    assert report is not None and not report.conforms and len(report.violations) >= 4
    assert store.source("urn:cikg:source:c1") == before
    assert store.count(before.graph) == len(_base())
    rows = report.rows()
    assert {"focus", "path", "constraint", "value", "message"} <= set(rows[0])
    assert report.to_json()["violations"] == len(report.violations)
    assert len(store._store.named_graphs().__iter__().__next__().value) > 0  # store still readable


def test_subclasses_stated_in_the_graph_count_on_both_paths() -> None:
    """The holder typed only with a subclass of foaf:Organization: still a focus node of the
    organisation shape (its missing name is reported) and a valid sh:class value of dct:publisher."""
    site = "http://example.org/ImagingSite"
    org = "http://xmlns.com/foaf/0.1/Organization"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    mutate = both(
        replace(HOLDER, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", N(site)),
        add(site, rdfs, N(org)),
        drop(HOLDER, "http://xmlns.com/foaf/0.1/name"),
    )
    fast, ref = _both(mutate(_base()))
    assert fast == ref
    assert {(k[0], k[2]) for k in fast} == {(f"<{HOLDER}>", "MinCountConstraintComponent")}
