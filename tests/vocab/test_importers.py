"""Importers on fixtures in the exact release formats, into a real (in-memory) Oxigraph store; the
Mondo importer also on the real mapping sets in ../shared/vocab/mondo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cikg.store.oxigraph import OxigraphStore
from cikg.vocab import UnknownTerm, Vocabulary, VocabularyInputs, load_vocabulary
from cikg.vocab.importers import KINDS, ImportFormatError, import_vocabulary
from cikg.vocab.model import VocabularyError
from tests.support import standards
from tests.vocab.conftest import DATA

SHARED_MONDO = standards.vocab_dir() / "mondo"


@pytest.fixture
def store() -> OxigraphStore:
    return OxigraphStore()


def _vocab(store: OxigraphStore, inputs: VocabularyInputs) -> Vocabulary:
    return load_vocabulary(store, inputs=inputs)


def _labels(store: OxigraphStore, iri: str) -> set[str]:
    rows = store.query(
        f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2004/02/skos/core#prefLabel>|"
        f"<http://www.w3.org/2004/02/skos/core#altLabel> ?l }}"
    ).rows()
    return {r["l"].value for r in rows}


@pytest.mark.parametrize(
    ("kind", "path", "code", "label"),
    [
        ("omop", "omop", "https://athena.ohdsi.org/search-terms/terms/4115276", "Non-small cell lung cancer"),
        ("snomed", "snomed", "http://snomed.info/id/254637007", "Fixture term for NSCLC"),
        ("loinc", "loinc/Loinc.csv", "https://loinc.org/24627-2", "CT Chest"),
        ("radlex", "radlex/RadLex.owl", "http://radlex.org/RID/RID10312", "magnetic resonance imaging"),
        ("ncit", "ncit/Thesaurus.txt", "http://purl.obolibrary.org/obo/NCIT_C2926", "NSCLC"),
        (
            "ncit",
            "ncit/Thesaurus.owl",
            "http://purl.obolibrary.org/obo/NCIT_C3512",
            "Adenocarcinoma of the Lung",
        ),
        ("mondo", "mondo", "http://purl.obolibrary.org/obo/MONDO_0005233", "non-small cell lung carcinoma"),
        (
            "icd10",
            "icd10/icd10_claml.xml",
            "https://icd.who.int/browse10/2019/en#/C34.1",
            "Fixture: upper lobe, bronchus or lung",
        ),
        ("icdo3", "icdo3", "https://w3id.org/cikg/icdo3/8140/3", "Fixture: adenocarcinoma synonym"),
    ],
)
def test_each_kind_loads_labels_into_its_own_graph(
    store: OxigraphStore, kind: str, path: str, code: str, label: str
) -> None:
    seen: list[int] = []
    report = import_vocabulary(store, kind, DATA / path, progress=seen.append)
    assert report.terms > 0 and report.rows > 0 and report.triples > report.terms
    assert report.info is not None and report.info.source == f"urn:cikg:source:vocab-{kind}"
    assert label in _labels(store, code)
    assert sum(seen) > 0
    assert [s.source for s in store.sources()] == [f"urn:cikg:source:vocab-{kind}"]


def test_imported_hierarchy_expands_under_the_hyperontology(
    store: OxigraphStore, fixture_inputs: VocabularyInputs
) -> None:
    import_vocabulary(store, "snomed", DATA / "snomed")
    vocab = _vocab(store, fixture_inputs)
    # 254634000 (squamous cell carcinoma of lung) is not in the fixture ontology; it is-a 254637007 (NSCLC)
    res = vocab.resolve_match("SNOMEDCT:254634000")
    assert res.concept.id == "non_small_cell_lung_carcinoma"
    assert res.predicate == "skos:narrowMatch"
    assert "SNOMEDCT:254637007" in res.via
    assert "SNOMEDCT:254634000" in vocab.descendants("lung_cancer", include_codes=True)
    assert "SNOMEDCT:254634000" in vocab.codes_under("non_small_cell_lung_carcinoma")
    assert vocab.search("fixture term for squamous")[0].id == "SNOMEDCT:254634000"
    assert vocab.ancestors("SNOMEDCT:254634000") >= {
        "SNOMEDCT:254637007",
        "non_small_cell_lung_carcinoma",
        "lung_cancer",
    }


def test_omop_ids_resolve_through_their_source_codes(
    store: OxigraphStore, fixture_inputs: VocabularyInputs
) -> None:
    import_vocabulary(store, "omop", DATA / "omop")
    vocab = _vocab(store, fixture_inputs)
    # a site-local concept that "Maps to" the standard NSCLC concept
    assert vocab.resolve("OMOP:2000000001").id == "non_small_cell_lung_carcinoma"
    res = vocab.resolve_match("OMOP:2000000001")
    assert res.predicate == "skos:exactMatch" and "OMOP:4115276" in res.via
    # an OMOP concept whose SNOMED code nothing in the fixture ontology maps: unknown, said clearly
    with pytest.raises(UnknownTerm, match="unknown code OMOP:4180790"):
        vocab.resolve("OMOP:4180790")
    _, codes = vocab.translate("NCIT:C2926")
    assert {"OMOP:4115276", "SNOMEDCT:254637007"} <= {t.code for t in codes}
    assert "OMOP:4180790" in vocab.descendants("OMOP:443396")


def test_mondo_cross_references(store: OxigraphStore, fixture_inputs: VocabularyInputs) -> None:
    report = import_vocabulary(store, "mondo", DATA / "mondo")
    assert report.skipped == {"object prefix ONCOTREE": 1}
    vocab = _vocab(store, fixture_inputs)
    _, codes = vocab.translate("non_small_cell_lung_carcinoma")
    assert any(t.code == "ICDO3:8046/3" for t in codes)


@pytest.mark.slow
def test_mondo_real_mapping_sets(store: OxigraphStore, fixture_inputs: VocabularyInputs) -> None:
    if not SHARED_MONDO.is_dir():
        pytest.fail(f"the real Mondo mapping sets are expected at {SHARED_MONDO}")
    report = import_vocabulary(store, "mondo", SHARED_MONDO)
    assert len(report.files) == 14
    assert report.rows > 30_000
    assert report.terms > 10_000
    vocab = _vocab(store, fixture_inputs)
    # MONDO:0005061 lung adenocarcinoma has real xrefs to NCIt / SNOMED / ICD-O
    _, codes = vocab.translate("MONDO:0005061")
    assert {t.scheme for t in codes} >= {"NCIT", "SNOMEDCT"}
    assert vocab.resolve("MONDO:0005233").id == "non_small_cell_lung_carcinoma"


def test_malformed_input_names_file_and_line_and_leaves_the_store(
    store: OxigraphStore, tmp_path: Path
) -> None:
    import_vocabulary(store, "omop", DATA / "omop")
    before = store.sources()
    with pytest.raises(
        ImportFormatError, match=r"CONCEPT\.csv, line 3: concept_id 'not-an-id' is not a concept id"
    ):
        import_vocabulary(store, "omop", DATA / "bad")
    assert store.sources() == before
    bad = tmp_path / "Loinc.csv"
    bad.write_text('"LOINC_NUM","COMPONENT"\n"1-8","x"\n', encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"Loinc\.csv, line 1: missing column\(s\) LONG_COMMON_NAME"):
        import_vocabulary(store, "loinc", bad)
    xml = tmp_path / "broken.xml"
    xml.write_text("<ClaML><Class code='C34'>", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"broken\.xml, line 1: not well-formed XML"):
        import_vocabulary(store, "icd10", xml)
    with pytest.raises(ImportFormatError, match="no such file"):
        import_vocabulary(store, "snomed", tmp_path / "missing")
    with pytest.raises(VocabularyError, match="unknown vocabulary kind"):
        import_vocabulary(store, "umls", tmp_path)
    assert store.sources() == before


def test_reimport_replaces_the_previous_version(store: OxigraphStore, tmp_path: Path) -> None:
    first = import_vocabulary(store, "loinc", DATA / "loinc")
    copy = tmp_path / "Loinc.csv"
    shutil.copy(DATA / "loinc" / "Loinc.csv", copy)
    with copy.open("a", encoding="utf-8") as f:
        f.write(
            '"18782-3","Study observation","Find","Pt","{Setting}","Doc","{Role}","RAD","ACTIVE",'
            '"Radiology Study observation","Radiology Study observation"\n'
        )
    second = import_vocabulary(store, "loinc", copy)
    assert second.terms == first.terms + 1
    assert len(store.sources()) == 1
    assert store.count(second.info.graph if second.info else None) == second.triples


def test_kinds_are_documented() -> None:
    assert set(KINDS) == {"omop", "snomed", "loinc", "radlex", "ncit", "mondo", "icd10", "icdo3"}
