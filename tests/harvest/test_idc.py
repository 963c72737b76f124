"""`cikg harvest idc` on a subset of the real NCI Imaging Data Commons index (the installed
``idc-index-data`` parquet files): SHACL-valid sources, pseudonymised keys, a no-op re-run, an atomic
replacement on a version change, and counts equal to DuckDB's over the same parquet for randomised
questions."""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("duckdb")
pytest.importorskip("idc_index_data")

from cikg.catalogue import Catalogue, InvalidRequest
from cikg.harvest.idc import SOURCE_PREFIX, IdcIndex, harvest_idc, split_values
from cikg.settings import Settings
from cikg.validate import ShaclGate
from tests.support.vocab import real_vocabulary

COLLECTIONS = [
    "cmb_pca",
    "breast_diagnosis",
    "tcga_kich",
    "qin_prostate_repeatability",
    "vestibular_schwannoma_mc_rc",
    "ct_phantom4radiomics",
    "pseudo_phi_dicom_data",
    "anti_pd_1_lung",
]
"""~3,700 series: CT, MR, PT, NM, DX, RF, MG, SR, SEG, SM; sexes, ages, many manufacturers; a phantom
collection, a non-cancer one and a 'Various' one."""

CIKGS = "https://w3id.org/cikg/schema/"
CIKG = "https://w3id.org/cikg/ontology/"
_AGE = (
    "(SELECT CASE WHEN a IS NULL THEN NULL ELSE least(90, a) END FROM (SELECT "
    "TRY_CAST(regexp_extract(PatientAge, '^(\\d{3})[DWMY]$', 1) AS INTEGER) "
    "// CASE regexp_extract(PatientAge, '^\\d{3}([DWMY])$', 1) "
    "WHEN 'Y' THEN 1 WHEN 'M' THEN 12 WHEN 'W' THEN 52 WHEN 'D' THEN 365 END AS a))"
)


@dataclass
class Harvested:
    cat: Catalogue
    settings: Settings
    first: Any
    seconds: float


@pytest.fixture(scope="module")
def harvested(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harvested]:
    data = tmp_path_factory.mktemp("idc")
    settings = Settings(data_dir=data / "data", base_url="http://127.0.0.1:8000")
    cat = Catalogue(settings)
    cat.value_mapper = real_vocabulary()
    started = time.perf_counter()
    first = cat.harvest_idc(collections=COLLECTIONS)
    seconds = time.perf_counter() - started
    yield Harvested(cat, settings, first, seconds)
    cat.close()


@pytest.fixture(scope="module")
def duck() -> Iterator[Any]:
    con = IdcIndex.installed().connect()
    yield con
    con.close()


def _count(cat: Catalogue, sparql: str) -> int:
    rows = list(cat.query(sparql).rows())
    return int(rows[0]["n"].value) if rows and rows[0].get("n") is not None else 0


def _collection(cid: str) -> str:
    return f"<http://127.0.0.1:8000/collection/{SOURCE_PREFIX}{cid}>"


def test_split_values_keeps_qualifiers_with_their_value() -> None:
    assert split_values("Lung Cancer, Non-Cancer, Metastatic disease") == [
        "Lung Cancer",
        "Non-Cancer",
        "Metastatic disease",
    ]
    assert split_values("Renal Cell Carcinoma, Not Otherwise Specified, Rhabdomyosarcoma") == [
        "Renal Cell Carcinoma, Not Otherwise Specified",
        "Rhabdomyosarcoma",
    ]
    assert split_values(None) == []


def test_subset_harvest_is_valid_and_fast(harvested: Harvested) -> None:
    result = harvested.first
    assert result.rejected == []
    assert [r.collection_id for r in result.runs] == COLLECTIONS
    assert all(not r.unchanged and r.report.outcome == "conforms" for r in result.runs)
    assert harvested.seconds < 120, harvested.seconds
    sources = {s.source for s in harvested.cat.sources()}
    for cid in COLLECTIONS:
        assert f"urn:cikg:source:{SOURCE_PREFIX}{cid}" in sources
    # the gate, run again on the stored graphs, still finds nothing
    for cid in COLLECTIONS[:3]:
        report = harvested.cat.validate_source(SOURCE_PREFIX + cid)
        assert report.conforms, report
    assert "urn:cikg:source:idc" in sources  # the one data holder, in a source of its own
    holder_names = _count(
        harvested.cat,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://127.0.0.1:8000/holder/nci-idc> "
        "<http://xmlns.com/foaf/0.1/name> ?name } }",
    )
    assert holder_names == 1, "the data holder is described once, not in every collection graph"
    status = {r.source: r for r in harvested.cat.harvest_status()}
    run = status[f"urn:cikg:source:{SOURCE_PREFIX}cmb_pca"]
    assert run.source_kind == "idc" and run.outcome == "conforms" and run.current


def test_collection_metadata_from_the_collections_index(harvested: Harvested, duck: Any) -> None:
    q = f"""PREFIX dct: <http://purl.org/dc/terms/> PREFIX eucaim: <https://hyperontology.eucaim.cancerimage.eu/#>
    SELECT ?title ?id ?licence ?cond WHERE {{ GRAPH ?g {{ {_collection("vestibular_schwannoma_mc_rc")}
      dct:title ?title ; dct:identifier ?id ; dct:license ?licence ; eucaim:hasCondition ?cond }} }}"""
    rows = list(harvested.cat.query(q).rows())
    name, licence = duck.execute(
        "SELECT collection_name, sources[1].license.license_url FROM collections WHERE collection_id = ?",
        ["vestibular_schwannoma_mc_rc"],
    ).fetchone()
    assert {r["title"].value for r in rows} == {name}
    assert {r["id"].value for r in rows} == {"vestibular_schwannoma_mc_rc"}
    assert {r["licence"].value for r in rows} == {licence}
    assert {r["cond"].value for r in rows} == {CIKG + "vestibular_schwannoma"}
    phantom = f"""PREFIX eucaim: <https://hyperontology.eucaim.cancerimage.eu/#>
    SELECT ?cond WHERE {{ GRAPH ?g {{ {_collection("ct_phantom4radiomics")} eucaim:hasCondition ?cond }} }}"""
    assert {r["cond"].value for r in harvested.cat.query(phantom).rows()} == {CIKG + "phantom"}


def test_no_identifier_reaches_the_graph(harvested: Harvested, duck: Any, tmp_path: Path) -> None:
    raw = duck.execute(
        "SELECT PatientID, StudyInstanceUID, SeriesInstanceUID FROM series WHERE collection_id = ? LIMIT 50",
        ["breast_diagnosis"],
    ).fetchall()
    out = tmp_path / "dump.nq"
    with out.open("wb") as fh:
        harvested.cat.export(fh)
    text = out.read_text(encoding="utf-8")
    for patient, study, series in raw:
        for value in (patient, study, series):
            assert value not in text
    keys = re.findall(r'<https://w3id.org/cikg/schema/(?:subject|study|series)Key> "([^"]*)"', text)
    assert keys and all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


def test_rerun_is_a_no_op(harvested: Harvested) -> None:
    before = {s.source: s.graph for s in harvested.cat.sources()}
    started = time.perf_counter()
    again = harvested.cat.harvest_idc(collections=COLLECTIONS)
    seconds = time.perf_counter() - started
    assert all(r.unchanged for r in again.runs)
    assert {s.source: s.graph for s in harvested.cat.sources()} == before
    assert seconds < 10, seconds


def test_a_new_index_version_replaces_the_source_graph(harvested: Harvested) -> None:
    cat, settings = harvested.cat, harvested.settings
    installed = IdcIndex.installed()
    newer = IdcIndex(installed.directory, installed.version + ".post1")
    source = f"urn:cikg:source:{SOURCE_PREFIX}pseudo_phi_dicom_data"
    old = cat.store.source(source)
    assert old is not None
    result = harvest_idc(
        cat.store,
        settings,
        mapper=real_vocabulary(),
        gate=ShaclGate("sparql"),
        collections=["pseudo_phi_dicom_data"],
        index=newer,
    )
    assert [r.unchanged for r in result.runs] == [False]
    new = cat.store.source(source)
    assert new is not None and new.graph != old.graph and new.triples == old.triples
    assert _count(cat, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{old.graph}> {{ ?s ?p ?o }} }}") == 0
    again = harvest_idc(
        cat.store,
        settings,
        mapper=real_vocabulary(),
        gate=ShaclGate("sparql"),
        collections=["pseudo_phi_dicom_data"],
        index=newer,
    )
    assert [r.unchanged for r in again.runs] == [True]


def test_unknown_collection_is_a_clear_error(harvested: Harvested) -> None:
    with pytest.raises(InvalidRequest, match="no_such_collection"):
        harvested.cat.harvest_idc(collections=["no_such_collection"])


# -- counts: cikg (SPARQL on the store) == DuckDB (SQL on the parquet) -------------------------------------


def _raw_values(duck: Any, column: str, kind: str, concept: str, collection: str) -> list[str]:
    """The raw index values of ``column`` in a collection that the vocabulary maps to ``concept``."""
    vocab = real_vocabulary()
    sql = f"SELECT DISTINCT {column} FROM series WHERE collection_id = ? AND {column} IS NOT NULL"
    return [v for (v,) in duck.execute(sql, [collection]).fetchall() if vocab.map_value(kind, v) == concept]


def _questions(duck: Any, rng: random.Random) -> list[tuple[str, str, str, list[Any]]]:
    """(description, SPARQL, SQL, SQL parameters) for randomised questions over the harvested subset."""
    vocab = real_vocabulary()
    out: list[tuple[str, str, str, list[Any]]] = []
    pre = f"PREFIX c: <{CIKGS}> PREFIX dct: <http://purl.org/dc/terms/> PREFIX h: <http://healthdataportal.eu/ns/health#>"
    for cid in rng.sample(COLLECTIONS, 4):
        coll = _collection(cid)
        out.append(
            (
                f"{cid}: subjects, studies, series",
                f"{pre} SELECT (CONCAT(STR(?a), '/', STR(?b), '/', STR(?c)) AS ?n) "
                f"WHERE {{ GRAPH ?g {{ {coll} "
                "h:numberOfUniqueIndividuals ?a ; h:numberOfRecords ?b ; c:numberOfSeries ?c } }",
                "SELECT count(DISTINCT PatientID) || '/' || count(DISTINCT StudyInstanceUID) "
                "|| '/' || count(*) FROM series WHERE collection_id = ?",
                [cid],
            )
        )
    pairs = duck.execute(
        "SELECT collection_id, Modality FROM series WHERE collection_id IN "
        f"({', '.join('?' * len(COLLECTIONS))}) GROUP BY 1, 2 ORDER BY 1, 2",
        COLLECTIONS,
    ).fetchall()
    for cid, modality in rng.sample(pairs, 6):
        concept = vocab.map_value("modality", modality)
        coll = _collection(cid)
        out.append(
            (
                f"{cid}: subjects with a {modality} series",
                f"{pre} SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE {{ GRAPH ?g {{ ?s dct:isPartOf {coll} ; "
                f"c:modality <{CIKG}{concept}> ; c:subjectKey ?k }} }}",
                "SELECT count(DISTINCT PatientID) FROM series WHERE collection_id = ? AND Modality = ?",
                [cid, modality],
            )
        )
    for cid in rng.sample(COLLECTIONS, 3):
        coll = _collection(cid)
        sex = rng.choice(["F", "M"])
        concept = vocab.map_value("sex", sex)
        out.append(
            (
                f"{cid}: studies of subjects with sex {sex}",
                f"{pre} SELECT (COUNT(DISTINCT ?st) AS ?n) WHERE {{ GRAPH ?g {{ ?s dct:isPartOf {coll} ; "
                f"c:subjectSex <{CIKG}{concept}> ; c:studyKey ?st }} }}",
                "SELECT count(DISTINCT StudyInstanceUID) FROM series "
                "WHERE collection_id = ? AND PatientSex = ?",
                [cid, sex],
            )
        )
    for cid in rng.sample(COLLECTIONS, 3):
        coll = _collection(cid)
        lo = rng.choice([20, 30, 40, 50])
        hi = lo + rng.choice([10, 20, 30])
        out.append(
            (
                f"{cid}: subjects imaged aged {lo}-{hi}",
                f"{pre} SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE {{ GRAPH ?g {{ ?s dct:isPartOf {coll} ; "
                f"c:subjectAge ?a ; c:subjectKey ?k }} FILTER(?a >= {lo} && ?a <= {hi}) }}",
                f"SELECT count(DISTINCT PatientID) FROM series "
                f"WHERE collection_id = ? AND {_AGE} BETWEEN ? AND ?",
                [cid, lo, hi],
            )
        )
    parts = duck.execute(
        "SELECT collection_id, BodyPartExamined FROM series "
        "WHERE BodyPartExamined IS NOT NULL AND collection_id IN "
        f"({', '.join('?' * len(COLLECTIONS))}) GROUP BY 1, 2 ORDER BY 1, 2",
        COLLECTIONS,
    ).fetchall()
    mapped = [(c, p, k) for c, p in parts if (k := vocab.map_value("body_part", p))]
    for cid, _, concept in rng.sample(mapped, min(3, len(mapped))):
        raw = _raw_values(duck, "BodyPartExamined", "body_part", concept, cid)
        coll = _collection(cid)
        out.append(
            (
                f"{cid}: series of body part {concept}",
                f"{pre} SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s dct:isPartOf {coll} ; "
                f"c:bodyPartExamined <{CIKG}{concept}> }} }}",
                "SELECT count(*) FROM series WHERE collection_id = ? AND list_contains(?, BodyPartExamined)",
                [cid, raw],
            )
        )
    makers = duck.execute(
        "SELECT collection_id, Manufacturer FROM series WHERE Manufacturer IS NOT NULL AND collection_id IN "
        f"({', '.join('?' * len(COLLECTIONS))}) GROUP BY 1, 2 ORDER BY 1, 2",
        COLLECTIONS,
    ).fetchall()
    mapped = [(c, m, k) for c, m in makers if (k := vocab.map_value("manufacturer", m))]
    for cid, _, concept in rng.sample(mapped, min(3, len(mapped))):
        raw = _raw_values(duck, "Manufacturer", "manufacturer", concept, cid)
        coll = _collection(cid)
        out.append(
            (
                f"{cid}: subjects with a {concept} series, and their instances",
                f"{pre} SELECT (CONCAT(STR(COUNT(DISTINCT ?k)), '/', STR(SUM(?i))) AS ?n) "
                "WHERE { GRAPH ?g { "
                f"?s dct:isPartOf {coll} ; c:manufacturer <{CIKG}{concept}> ; c:subjectKey ?k ; "
                "c:numberOfInstances ?i } }",
                "SELECT count(DISTINCT PatientID) || '/' || sum(instanceCount) FROM series "
                "WHERE collection_id = ? AND list_contains(?, Manufacturer)",
                [cid, raw],
            )
        )
    # a combination across collections: subjects with an MR series aged 50-70, per collection, summed
    out.append(
        (
            "all: subjects with an MR series imaged aged 50-70",
            f"{pre} SELECT (COUNT(DISTINCT ?pair) AS ?n) WHERE {{ GRAPH ?g {{ ?s dct:isPartOf ?coll ; "
            f"c:modality <{CIKG}modality_mr> ; c:subjectAge ?a ; c:subjectKey ?k }} "
            "FILTER(?a >= 50 && ?a <= 70) BIND(CONCAT(STR(?coll), ?k) AS ?pair) }",
            f"SELECT count(DISTINCT collection_id || PatientID) FROM series WHERE Modality = 'MR' AND {_AGE} "
            f"BETWEEN 50 AND 70 AND collection_id IN ({', '.join('?' * len(COLLECTIONS))})",
            list(COLLECTIONS),
        )
    )
    return out


def test_counts_equal_duckdb_for_randomised_questions(harvested: Harvested, duck: Any) -> None:
    seed = int(os.environ.get("CIKG_IDC_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    questions = _questions(duck, rng)
    assert len(questions) >= 20
    differ = []
    for text, sparql, sql, params in questions:
        rows = list(harvested.cat.query(sparql).rows())
        ours = str(rows[0]["n"].value) if rows and rows[0].get("n") is not None else "0"
        theirs = str(duck.execute(sql, params).fetchone()[0] or 0)
        if ours != theirs:
            differ.append((text, ours, theirs))
    assert differ == [], f"seed {seed} (rerun with CIKG_IDC_SEED={seed}): {differ}"


def test_cli_harvests_then_reports_unchanged(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cikg.cli import app

    runner = CliRunner()
    args = ["harvest", "idc", "--collections", "pseudo_phi_dicom_data", "--data-dir", str(tmp_path), "--json"]
    first = runner.invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["harvested"] == 1 and data["rejected"] == []
    second = runner.invoke(app, args, catch_exceptions=False)
    assert json.loads(second.stdout)["unchanged"] == 1
    bad = runner.invoke(app, ["harvest", "idc", "--collections", "nope", "--data-dir", str(tmp_path)])
    assert bad.exit_code != 0 and "nope" in str(bad.exception)
    listed = runner.invoke(app, ["harvest", "idc", "--list", "--json"], catch_exceptions=False)
    rows = {r["collection_id"]: r for r in json.loads(listed.stdout)}
    assert len(rows) >= 179 and rows["nlst"]["series"] > 500_000


# -- search: the IDC collections answer native queries and EUCAIM ASTs like any other ------------------------


def _duck_subjects(duck: Any, concept: str, having: str) -> dict[str, int]:
    """Matching subjects per harvested collection: the collection has a cancer type under ``concept``
    and the subject's series satisfy ``having`` (SQL over the parquet)."""
    vocab = real_vocabulary()
    under = vocab.descendants(concept, include_self=True)
    colls = [
        cid
        for cid, text in duck.execute("SELECT collection_id, cancer_types FROM collections").fetchall()
        if cid in COLLECTIONS and any(vocab.map_value("condition", v) in under for v in split_values(text))
    ]
    if not colls:
        return {}
    marks = ", ".join("?" * len(colls))
    subjects = (
        f"SELECT collection_id, PatientID FROM (SELECT *, {_AGE} AS age FROM series "
        f"WHERE collection_id IN ({marks})) GROUP BY collection_id, PatientID HAVING {having}"
    )
    sql = f"SELECT collection_id, count(*) FROM ({subjects}) GROUP BY 1"
    return {cid: n for cid, n in duck.execute(sql, colls).fetchall()}


SEARCHES = [
    (
        {"and": [{"field": "condition", "value": "prostate_cancer"}, {"field": "modality", "value": "MR"}]},
        {
            "operand": "AND",
            "children": [
                {"key": "SNOMEDCT439401001", "system": "", "type": "EQUALS", "value": "SNOMEDCT399068003"},
                {"key": "RID10311", "system": "", "type": "EQUALS", "value": "RID10312"},
            ],
        },
        "prostate_cancer",
        "bool_or(Modality = 'MR')",
    ),
    (
        {
            "and": [
                {"field": "condition", "value": "ICD10:C34", "descendants": True},
                {"field": "modality", "value": "CT"},
            ]
        },
        None,
        "lung_cancer",
        "bool_or(Modality = 'CT')",
    ),
    (
        {"and": [{"field": "condition", "value": "kidney_cancer"}, {"field": "modality", "value": "DCM:CT"}]},
        None,
        "kidney_cancer",
        "bool_or(Modality = 'CT')",
    ),
    (
        {
            "and": [
                {"field": "condition", "value": "cáncer de mama"},
                {"field": "sex", "value": "female"},
                {"field": "age", "min": 50, "max": 70},
            ]
        },
        None,
        "breast_cancer",
        "bool_or(PatientSex = 'F') AND bool_or(age BETWEEN 50 AND 70)",
    ),
]


@pytest.mark.parametrize(("query", "ast", "concept", "having"), SEARCHES, ids=lambda v: str(v)[:30])
def test_search_answers_idc_collections_like_duckdb(
    harvested: Harvested,
    duck: Any,
    query: dict[str, Any],
    ast: dict[str, Any] | None,
    concept: str,
    having: str,
) -> None:
    if not hasattr(harvested.cat, "search"):
        pytest.skip("cikg.search has not landed on this branch yet")
    expected = _duck_subjects(duck, concept, having)
    assert expected, "the subset must hold collections for this question"
    answer = harvested.cat.search({"query": query, "facets": True, "page_size": 0})
    got = {c["id"]: c["subjects_count"] for c in answer["collections"] if c["subjects_count"]}
    assert got == expected
    assert answer["total"]["subjects_count"] == sum(expected.values())
    assert all(c["data_holder"]["id"] == "nci-idc" for c in answer["collections"])
    if ast is not None:
        eucaim = harvested.cat.search({"ast": ast, "id": "q1"})
        assert {
            c["id"]: c["subjects_count"] for c in eucaim["collections"] if c["subjects_count"]
        } == expected
        assert eucaim["total"]["subjects_count"] == sum(expected.values())
