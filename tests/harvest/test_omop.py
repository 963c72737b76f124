"""OMOP CDM v5.4 harvester against a real PostgreSQL (started by the `postgres` fixture)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pyoxigraph as ox
import pytest

from cikg.catalogue import Catalogue
from cikg.harvest.clinical import age_bins
from cikg.harvest.omop import OmopError, OmopSource, describe_dsn, harvest_omop
from tests.harvest.clinical_mapper import DictMapper, ancestors

DATA = Path(__file__).resolve().parents[1] / "data" / "omop"
MARKER = "PHIMARK"
PERSON_IDS = [str(910000000 + i) for i in range(1, 11)]


def load_cdm(dsn: str, schema: str, *, data: bool = True, drop: tuple[str, ...] = ()) -> None:
    ddl = (DATA / "ddl.sql").read_text(encoding="utf-8").replace("{schema}", schema)
    rows = (DATA / "data.sql").read_text(encoding="utf-8").replace("{schema}", schema)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(ddl)  # type: ignore[arg-type]
        if data:
            conn.execute(rows)  # type: ignore[arg-type]
        for table in drop:
            conn.execute(f'DROP TABLE "{schema}".{table}')  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def omop_db(postgres) -> str:  # type: ignore[no-untyped-def]
    """A database with the synthetic CDM in schema `cdm` (full) and `cdm_min` (no MI-CDM, no ancestors)."""
    dsn = postgres.create_database(f"omop_{uuid.uuid4().hex[:8]}")
    load_cdm(dsn, "cdm")
    load_cdm(dsn, "cdm_min", drop=("image_occurrence", "concept_ancestor", "cdm_source"))
    return dsn


def test_aggregates_match_the_fixture(omop_db: str) -> None:
    result = harvest_omop(OmopSource(omop_db, cdm_schema="cdm"), DictMapper(), ancestors=ancestors)
    agg = result.aggregate
    assert result.cdm_version == "v5.4"
    assert agg.subjects == 10
    assert agg.sex_counts == Counter({"male": 5, "female": 4})
    assert result.unmapped[("sex", "OMOP:0 (no matching concept)")] == 1
    # condition counts include OMOP ancestors (CONCEPT_ANCESTOR) and hyperontology ancestors
    assert agg.condition_counts == Counter(
        {
            "prostate_cancer": 4,  # persons 1, 2 (via its local concept's ancestor), 8 (source concept), 9
            "breast_cancer": 2,
            "non_small_cell_lung_carcinoma": 2,  # person 5 (condition), person 7 (measurement value)
            "lung_cancer": 2,  # hyperontology ancestor of NSCLC
            "malignant_neoplasm": 8,
        }
    )
    assert agg.primary_conditions == Counter(
        {"prostate_cancer": 4, "breast_cancer": 2, "non_small_cell_lung_carcinoma": 2}
    )
    # ages at first diagnosis: 65, 70, 49, 41, 95 -> 90, 42, 54; person 9 diagnosed before birth
    assert agg.ages == Counter({65: 1, 70: 1, 49: 1, 41: 1, 90: 1, 42: 1, 54: 1})
    assert result.invalid_ages == 1
    # the unmapped condition is reported with its subjects and name; ancestors and observations are not
    assert result.unmapped[("condition", "OMOP:201826")] == 1
    assert result.unmapped_names["OMOP:201826"] == "Type 2 diabetes mellitus"
    assert not any(v.startswith("OMOP:4214956") for _, v in result.unmapped)
    # MI-CDM imaging
    assert result.imaging_from == "image_occurrence"
    assert (agg.studies, agg.series) == (4, 5)
    assert agg.modalities == Counter({"modality_mr": 2, "modality_ct": 1})
    assert agg.body_parts == Counter({"bp_prostate": 2, "bp_breast": 1, "bp_chest": 1})
    assert result.unmapped[("modality", "OMOP:2000001003")] == 1
    assert (agg.first_month, agg.last_month) == ("2015-07", "2021-02")

    slots = agg.collection_slots()
    assert slots["number_of_subjects"] == 10
    assert slots["number_of_studies"] == 4
    assert slots["min_typical_age"] == 41 and slots["max_typical_age"] == 90
    assert slots["primary_cancer_condition"] == [
        "breast_cancer",
        "non_small_cell_lung_carcinoma",
        "prostate_cancer",
    ]
    assert {"concept": "CIKG:malignant_neoplasm", "count": 8} in slots["condition_count"]
    assert slots["age_bin"] == [
        {"lower": 40, "upper": 50, "count": 3},
        {"lower": 50, "upper": 60, "count": 1},
        {"lower": 60, "upper": 70, "count": 1},
        {"lower": 70, "upper": 80, "count": 1},
        {"lower": 90, "upper": 100, "count": 1},
    ]
    assert slots["temporal_coverage"] == {"start_date": "2015-07", "end_date": "2021-02"}
    text = repr(result) + repr(slots)
    assert MARKER not in text
    assert not any(pid in text for pid in PERSON_IDS)


def test_without_mi_cdm_nor_concept_ancestor(omop_db: str) -> None:
    """No CONCEPT_ANCESTOR: only direct mappings; no image_occurrence: imaging procedures instead."""
    result = harvest_omop(OmopSource(omop_db, cdm_schema="cdm_min"), DictMapper())
    agg = result.aggregate
    assert result.tables["concept_ancestor"] is False and result.tables["image_occurrence"] is False
    assert agg.condition_counts == Counter(
        {"prostate_cancer": 3, "breast_cancer": 2, "non_small_cell_lung_carcinoma": 2}
    )
    # person 2's local concept has no mapping and, without CONCEPT_ANCESTOR, no mapped ancestor
    assert result.unmapped[("condition", "OMOP:2000000001")] == 1
    assert result.imaging_from == "procedure_occurrence"
    assert agg.studies == 3  # MR, MR, CT procedures; the mammography and the biopsy do not map
    assert agg.modalities == Counter({"modality_mr": 2, "modality_ct": 1})
    assert (agg.first_month, agg.last_month) == ("2015-07", "2021-02")
    assert agg.series is None


def test_separate_vocabulary_schema(omop_db: str) -> None:
    """Vocabulary tables in their own schema (a common OHDSI layout)."""
    with psycopg.connect(omop_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS vocab_only")
        conn.execute("CREATE TABLE IF NOT EXISTS vocab_only.concept_ancestor AS TABLE cdm.concept_ancestor")
        conn.execute("CREATE TABLE IF NOT EXISTS vocab_only.concept AS TABLE cdm.concept")
    result = harvest_omop(OmopSource(omop_db, cdm_schema="cdm_min", vocab_schema="vocab_only"), DictMapper())
    assert result.tables["concept_ancestor"] is True
    assert result.aggregate.condition_counts["prostate_cancer"] == 4
    assert result.aggregate.condition_counts["malignant_neoplasm"] == 8


def test_reads_no_identifying_column(omop_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """What is sent to PostgreSQL: no source value, birth datetime, note, UID or path is ever selected."""
    statements: list[str] = []
    for cls in (psycopg.Cursor, psycopg.ServerCursor):
        original = cls.execute

        def recording(self, query, params=None, *a, __original=original, **k):  # type: ignore[no-untyped-def]
            text = query.as_string(self.connection) if hasattr(query, "as_string") else str(query)
            statements.append(text)
            return __original(self, query, params, *a, **k)

        monkeypatch.setattr(cls, "execute", recording)
    harvest_omop(OmopSource(omop_db, cdm_schema="cdm"), DictMapper(), ancestors=ancestors)
    assert len(statements) > 5
    sql = "\n".join(statements).lower()
    for column in (
        "person_source_value",
        "birth_datetime",
        "condition_source_value",
        "value_as_string",
        "note_text",
        "note_title",
        "wadors_uri",
        "local_path",
        "procedure_source_value",
        "observation_source_value",
        "cdm_holder",
    ):
        assert column not in sql, column
    # person_id is only ever counted or joined on, never selected as such
    for statement in statements:
        head = statement.lower().split(" from ", 1)[0]
        assert not head.strip().startswith("select person_id") or "union" in statement.lower()


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (lambda dsn: OmopSource(dsn, cdm_schema="nope"), "no schema 'nope'"),
        (lambda dsn: OmopSource(dsn, cdm_schema="public"), "table public.person not found"),
    ],
)
def test_wrong_schema_is_a_clear_error(omop_db: str, source, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OmopError, match=message):
        harvest_omop(source(omop_db), DictMapper())


def test_missing_column_is_named(omop_db: str) -> None:
    with psycopg.connect(omop_db, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA broken")
        conn.execute(
            "CREATE TABLE broken.person (person_id integer, gender_concept_id integer, year_of_birth integer)"
        )
    with pytest.raises(OmopError, match=r"broken\.person lacks column\(s\) month_of_birth, day_of_birth"):
        harvest_omop(OmopSource(omop_db, cdm_schema="broken"), DictMapper())


def test_unreachable_server_and_password_never_shown(postgres) -> None:  # type: ignore[no-untyped-def]
    from tests.support.servers import free_port

    port = free_port()
    dsn = f"postgresql://someone:s3cr3t-PHIMARK@127.0.0.1:{port}/cdm"
    with pytest.raises(OmopError) as info:
        harvest_omop(OmopSource(dsn, connect_timeout=3), DictMapper())
    assert f"127.0.0.1:{port}/cdm" in str(info.value)
    assert "s3cr3t" not in str(info.value)
    assert describe_dsn(dsn) == f"postgresql://someone@127.0.0.1:{port}/cdm"


def test_missing_privileges_are_named(postgres, omop_db: str) -> None:  # type: ignore[no-untyped-def]
    """A role without GRANTs gets told which GRANT is missing, not "table not found"."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    role = f"reader_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(omop_db, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw-PHIMARK'")  # type: ignore[arg-type]
    dsn = make_conninfo(**{**conninfo_to_dict(omop_db), "user": role, "password": "pw-PHIMARK"})
    with pytest.raises(OmopError, match=rf"user '{role}' may not use schema 'cdm'") as info:
        harvest_omop(OmopSource(dsn, cdm_schema="cdm"), DictMapper())
    assert "pw-PHIMARK" not in str(info.value)
    with psycopg.connect(omop_db, autocommit=True) as conn:
        conn.execute(f"GRANT USAGE ON SCHEMA cdm TO {role}")  # type: ignore[arg-type]
        conn.execute(f"GRANT SELECT ON cdm.person, cdm.condition_occurrence TO {role}")  # type: ignore[arg-type]
    with pytest.raises(OmopError, match=r"may not read cdm\.observation"):
        harvest_omop(OmopSource(dsn, cdm_schema="cdm"), DictMapper())
    with psycopg.connect(omop_db, autocommit=True) as conn:
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA cdm TO {role}")  # type: ignore[arg-type]
    result = harvest_omop(OmopSource(dsn, cdm_schema="cdm"), DictMapper())
    assert result.aggregate.subjects == 10
    assert "pw-PHIMARK" not in repr(result)


def test_session_is_read_only(omop_db: str) -> None:
    from cikg.harvest.omop import connect

    with (
        connect(OmopSource(omop_db, cdm_schema="cdm")) as conn,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        conn.execute("DELETE FROM cdm.person")


def test_statement_timeout(omop_db: str) -> None:
    with pytest.raises(OmopError, match="statement timeout"):
        harvest_omop(
            OmopSource(omop_db, cdm_schema="cdm", statement_timeout=0.000001),
            DictMapper(),
            ancestors=ancestors,
        )


@pytest.fixture(scope="module")
def big_db(postgres) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """200,000 persons and 600,000 condition rows, generated inside PostgreSQL."""
    dsn = postgres.create_database(f"omop_big_{uuid.uuid4().hex[:8]}")
    load_cdm(dsn, "cdm", data=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO cdm.person (person_id, gender_concept_id, year_of_birth, month_of_birth, "
            "day_of_birth, race_concept_id, ethnicity_concept_id, person_source_value) "
            "SELECT i, CASE WHEN i % 2 = 0 THEN 8507 ELSE 8532 END, 1930 + i % 60, 1 + i % 12, "
            "1 + i % 28, 0, 0, 'PHIMARK-' || i FROM generate_series(1, 200000) AS i"
        )
        conn.execute(
            "INSERT INTO cdm.condition_occurrence (condition_occurrence_id, person_id, condition_concept_id, "
            "condition_start_date, condition_type_concept_id) "
            "SELECT j, 1 + j % 200000, CASE j % 3 WHEN 0 THEN 4163261 WHEN 1 THEN 4112853 ELSE 201826 END, "
            "DATE '2000-01-01' + (j % 7000), 32817 FROM generate_series(1, 600000) AS j"
        )
        conn.execute(
            "INSERT INTO cdm.concept_ancestor VALUES (443392, 4163261, 1, 1), (443392, 4112853, 1, 1)"
        )
        conn.execute("ANALYZE")
    yield dsn


@pytest.mark.slow
def test_large_cdm_is_aggregated_in_sql(big_db: str) -> None:
    """Python memory stays small whatever the table sizes: only aggregates leave PostgreSQL."""
    import tracemalloc

    tracemalloc.start()
    result = harvest_omop(OmopSource(big_db, cdm_schema="cdm"), DictMapper(), ancestors=ancestors)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"peak Python memory {peak / 1e6:.1f} MB"
    agg = result.aggregate
    assert agg.subjects == 200000
    assert agg.sex_counts == Counter({"male": 100000, "female": 100000})
    with psycopg.connect(big_db) as conn:
        expected = {
            concept: conn.execute(
                "SELECT COUNT(DISTINCT person_id) FROM cdm.condition_occurrence "
                "WHERE condition_concept_id = %s",
                (cid,),
            ).fetchone()[0]  # type: ignore[index]
            for concept, cid in (("prostate_cancer", 4163261), ("breast_cancer", 4112853))
        }
        any_cancer = conn.execute(
            "SELECT COUNT(DISTINCT person_id) FROM cdm.condition_occurrence "
            "WHERE condition_concept_id IN (4163261, 4112853)"
        ).fetchone()[0]  # type: ignore[index]
    assert agg.condition_counts["prostate_cancer"] == expected["prostate_cancer"]
    assert agg.condition_counts["breast_cancer"] == expected["breast_cancer"]
    assert agg.condition_counts["malignant_neoplasm"] == any_cancer
    assert sum(agg.ages.values()) + result.invalid_ages == any_cancer
    assert sum(b["count"] for b in age_bins(agg.ages)) == sum(agg.ages.values())


# -- end to end: facade, SHACL gate, store, CLI ------------------------------------------------------

HOLDER = {
    "data_holder": {
        "id": "hospital-a",
        "name": "Hospital A",
        "country": "ES",
        "juridical_person": "Hospital A",
    },
    "title": "Synthetic OMOP cohort",
}


def dump_everything(catalogue: Catalogue, data_dir: Path) -> str:
    """Every quad of the store (all graphs) and every file the harvest left in the data dir."""
    import io

    buf = io.BytesIO()
    catalogue.store.dump(buf, ox.RdfFormat.N_QUADS, graphs=[g for g in _all_graphs(catalogue)])
    texts = [buf.getvalue().decode("utf-8")]
    for f in data_dir.rglob("*"):
        if f.is_file() and "store" not in f.relative_to(data_dir).parts and f.name != "pseudonym.key":
            texts.append(f.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def _all_graphs(catalogue: Catalogue) -> list[str]:
    from cikg.namespaces import SYSTEM_GRAPH

    return [SYSTEM_GRAPH, *(i.graph for i in catalogue.sources())]


def test_harvest_into_the_store(catalogue: Catalogue, omop_db: str) -> None:
    catalogue.value_mapper = DictMapper()
    result = catalogue.harvest_omop(omop_db, "omop-syn", metadata=dict(HOLDER), cdm_schema="cdm")
    assert result.report.outcome == "conforms"
    assert result.info is not None and result.info.source == "urn:cikg:source:omop-syn"
    rows = catalogue.query(
        "PREFIX h: <http://healthdataportal.eu/ns/health#> PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        "SELECT ?n ?min ?max WHERE { ?c a dcat:Dataset ; h:numberOfUniqueIndividuals ?n ; "
        "h:minTypicalAge ?min ; h:maxTypicalAge ?max }"
    ).rows()
    assert [(int(r["n"].value), int(r["min"].value), int(r["max"].value)) for r in rows] == [(10, 41, 90)]
    conditions = catalogue.query(
        "PREFIX e: <https://hyperontology.eucaim.cancerimage.eu/#> SELECT ?c WHERE { ?d e:hasCondition ?c }"
    ).rows()
    assert sorted(r["c"].value.rsplit("/", 1)[-1] for r in conditions) == [
        "breast_cancer",
        "non_small_cell_lung_carcinoma",
        "prostate_cancer",
    ]
    counts = catalogue.query(
        "PREFIX s: <https://w3id.org/cikg/schema/> SELECT ?k ?n WHERE { ?d s:conditionCount ?b . "
        "?b s:concept ?k ; s:count ?n }"
    ).rows()
    assert {r["k"].value.rsplit("/", 1)[-1]: int(r["n"].value) for r in counts}["malignant_neoplasm"] == 8
    status = catalogue.harvest_status()
    assert [(s.source_kind, s.outcome, s.current) for s in status if s.source.endswith("omop-syn")] == [
        ("omop", "conforms", True)
    ]
    everything = dump_everything(catalogue, catalogue.settings.data_dir)
    assert MARKER not in everything
    for secret in (*PERSON_IDS, "1950-03-10", "1960-12-31", "1.2.999"):
        assert secret not in everything, secret
    report = json.loads((catalogue.settings.data_dir / "harvest" / "omop-syn" / "last-run.json").read_text())
    assert {"kind": "condition", "value": "OMOP:201826 (Type 2 diabetes mellitus)", "count": 1} in report[
        "unmapped"
    ]


def test_rejected_harvest_keeps_the_previous_version(catalogue: Catalogue, omop_db: str) -> None:
    from cikg.harvest.base import HarvestRejected

    catalogue.value_mapper = DictMapper()
    first = catalogue.harvest_omop(omop_db, "omop-keep", metadata=dict(HOLDER), cdm_schema="cdm")
    before = catalogue.store.source("urn:cikg:source:omop-keep")
    assert before is not None and first.info is not None
    with pytest.raises(HarvestRejected) as info:
        catalogue.harvest_omop(
            omop_db, "omop-keep", metadata={**HOLDER, "issued": "not-a-date"}, cdm_schema="cdm_min"
        )
    assert info.value.run.outcome == "violations"
    assert any("issued" in v["path"] or "date" in v["message"].lower() for v in info.value.run.violations)
    assert catalogue.store.source("urn:cikg:source:omop-keep") == before
    # a source that cannot be read changes nothing either
    with pytest.raises(OmopError):
        catalogue.harvest_omop(omop_db, "omop-keep", metadata=dict(HOLDER), cdm_schema="missing")
    assert catalogue.store.source("urn:cikg:source:omop-keep") == before


def test_no_condition_anywhere_is_a_clear_error(catalogue: Catalogue, omop_db: str) -> None:
    from cikg.harvest.collection_meta import MetadataError

    catalogue.value_mapper = DictMapper({"sex": {}})
    with pytest.raises(MetadataError, match="give the collection's condition with --condition"):
        catalogue.harvest_omop(omop_db, "omop-none", metadata=dict(HOLDER), cdm_schema="cdm")
    assert catalogue.store.source("urn:cikg:source:omop-none") is None


def test_cli(omop_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cikg.catalogue import Catalogue as Cat
    from cikg.cli import app

    monkeypatch.setattr(Cat, "value_mapper", DictMapper(), raising=False)
    data_dir = tmp_path / "cli-data"
    runner = CliRunner()
    args = ["harvest", "omop", omop_db, "--collection", "omop-cli", "--cdm-schema", "cdm"]
    meta = tmp_path / "collection.yaml"
    meta.write_text(json.dumps(HOLDER))
    args += ["--metadata", str(meta), "--data-dir", str(data_dir)]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "omop-cli" in result.output and "conforms" in result.output
    assert MARKER not in result.output
    bad = runner.invoke(app, [*args[:5], "nowhere", *args[6:]], catch_exceptions=True)
    assert bad.exit_code != 0
