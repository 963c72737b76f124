"""OMOP CDM v5.4 (PostgreSQL) -> collection-level aggregates.

What is read, and from where (column names as in the OHDSI v5.4 DDL):

* ``person``: the subjects (``person_id``, counted, never read out), ``gender_concept_id`` (sex),
  ``year_of_birth`` / ``month_of_birth`` / ``day_of_birth`` (only inside SQL, for the age at
  diagnosis);
* condition evidence: ``condition_occurrence`` (``condition_concept_id``, or
  ``condition_source_concept_id`` where the ETL left the standard concept 0; ``condition_start_date``),
  ``observation`` (``observation_concept_id`` and ``value_as_concept_id``, ``observation_date``) and
  ``measurement`` (``value_as_concept_id``, e.g. a histology result; ``measurement_date``);
* imaging: the MI-CDM ``image_occurrence`` table where present (``image_study_uid`` /
  ``image_series_uid`` counted in SQL, ``modality_concept_id``, ``anatomic_site_concept_id``,
  ``image_occurrence_date`` as months), otherwise the ``procedure_occurrence`` rows whose concept
  maps to an imaging modality;
* vocabulary: ``concept_ancestor`` (when present) so a condition counts for its ancestors too, and
  ``concept.concept_name`` for the names of unmapped concepts in the run report.

Everything is aggregated in PostgreSQL (two scans of the evidence tables, whatever their size); only
counts, concept ids and month bounds come back to Python. No ``*_source_value`` column, no
``birth_datetime``, no note and no ``person_id`` is ever fetched. The session is read-only and has a
statement timeout.

OMOP concept ids reach the hyperontology through the value mapper (``map_value("condition",
"OMOP:4163261")``, from the OMOP mappings of the ontology and the steward's reviewed mappings).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cikg.harvest.clinical import Ancestors, ClinicalAggregate, concept_name, month_of, no_ancestors

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import psycopg

    from cikg.harvest.base import ValueMapper
    from cikg.harvest.clinical import ClinicalHarvest
    from cikg.settings import Settings
    from cikg.store.base import TripleStore, Validator

HARVESTER = "cikg-omop"

log = logging.getLogger(__name__)

OMOP = "OMOP"


class OmopError(ValueError):
    """The OMOP database cannot be harvested: the message says what and where (DSN without password)."""


# The columns each table must have for what we read (OMOP CDM v5.4 names).
REQUIRED_TABLES: dict[str, tuple[str, ...]] = {
    "person": ("person_id", "gender_concept_id", "year_of_birth", "month_of_birth", "day_of_birth"),
    "condition_occurrence": (
        "person_id",
        "condition_concept_id",
        "condition_source_concept_id",
        "condition_start_date",
    ),
}
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "observation": ("person_id", "observation_concept_id", "value_as_concept_id", "observation_date"),
    "measurement": ("person_id", "value_as_concept_id", "measurement_date"),
    "procedure_occurrence": ("person_id", "procedure_concept_id", "procedure_date"),
    "image_occurrence": (
        "person_id",
        "image_study_uid",
        "image_series_uid",
        "image_occurrence_date",
        "modality_concept_id",
        "anatomic_site_concept_id",
    ),
    "cdm_source": ("cdm_version",),
}
VOCAB_TABLES: dict[str, tuple[str, ...]] = {
    "concept_ancestor": ("ancestor_concept_id", "descendant_concept_id", "min_levels_of_separation"),
    "concept": ("concept_id", "concept_name"),
}


@dataclass(frozen=True)
class OmopSource:
    """Where the CDM is: a libpq DSN (``postgresql://user@host:port/db`` or ``key=value ...``) and schemas."""

    dsn: str
    cdm_schema: str = "public"
    vocab_schema: str | None = None
    connect_timeout: int = 10
    statement_timeout: float = 3600.0

    @property
    def vocabulary_schema(self) -> str:
        return self.vocab_schema or self.cdm_schema

    def describe(self) -> str:
        """The DSN without its password (for messages and the local run report)."""
        return describe_dsn(self.dsn)

    def provenance_iri(self) -> str:
        """What the published PROV-O says was used: database and schema names only (no host, no user),
        as the DICOM harvester names only the folder."""
        from urllib.parse import quote

        try:
            from psycopg.conninfo import conninfo_to_dict

            db = str(conninfo_to_dict(self.dsn).get("dbname") or "database")
        except Exception:
            db = "database"
        return f"urn:cikg:omop:{quote(db, safe='')}:{quote(self.cdm_schema, safe='')}"


def describe_dsn(dsn: str) -> str:
    """``postgresql://user@host:port/dbname``: never the password, nor any other secret option."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        params = conninfo_to_dict(dsn)
    except Exception:
        return "<unparsable DSN>"
    user = str(params.get("user") or "")
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or "5432")
    db = str(params.get("dbname") or user)
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{db}"


@dataclass
class OmopResult:
    """What an OMOP harvest found: the aggregate, and facts for the run report."""

    aggregate: ClinicalAggregate
    where: str
    tables: dict[str, bool]
    cdm_version: str | None = None
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)
    unmapped_names: dict[str, str] = field(default_factory=dict)
    invalid_ages: int = 0
    notes: list[str] = field(default_factory=list)
    imaging_from: str | None = None


def _clean_error(exc: BaseException, dsn: str) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    try:
        from psycopg.conninfo import conninfo_to_dict

        password = conninfo_to_dict(dsn).get("password")
    except Exception:
        password = None
    if password:
        text = text.replace(str(password), "***")
    return text


@contextmanager
def connect(source: OmopSource) -> Iterator[psycopg.Connection[Any]]:
    """A read-only session with a statement timeout; errors name the (password-less) DSN."""
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - a dependency of cikg
        raise OmopError("the OMOP harvester needs psycopg (pip install 'psycopg[binary]')") from exc
    where = source.describe()
    try:
        conn = psycopg.connect(source.dsn, connect_timeout=source.connect_timeout, autocommit=True)
    except psycopg.Error as exc:
        raise OmopError(
            f"cannot connect to the OMOP database {where}: {_clean_error(exc, source.dsn)}"
        ) from exc
    except Exception as exc:  # a malformed DSN raises ProgrammingError / ValueError
        raise OmopError(f"invalid OMOP DSN {where}: {_clean_error(exc, source.dsn)}") from exc
    try:
        # session settings, outside any transaction so that no rollback can undo them
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        conn.execute(
            "SELECT set_config('statement_timeout', %s, false)",
            (str(max(1, int(source.statement_timeout * 1000))),),
        )
        conn.autocommit = False  # server-side cursors need a transaction
        yield conn
    finally:
        conn.rollback()
        conn.close()


def _columns(conn: psycopg.Connection[Any], schema: str) -> dict[str, tuple[bool, set[str]]]:
    """Tables and views of a schema: whether this session may read each, and its columns.

    Read from pg_catalog (information_schema hides what the user has no privilege on, which would turn
    a missing GRANT into a misleading "table not found").
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, has_table_privilege(c.oid, 'SELECT'), a.attname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND a.attnum > 0 "
            "AND NOT a.attisdropped",
            (schema,),
        )
        out: dict[str, tuple[bool, set[str]]] = {}
        for table, readable, column in cur.fetchall():
            entry = out.setdefault(str(table).lower(), (bool(readable), set()))
            entry[1].add(str(column).lower())
    return out


def _schema_usable(conn: psycopg.Connection[Any], schema: str) -> bool | None:
    """None: no such schema; False: it exists but this session may not use it."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = %s", (schema,)
        )
        row = cur.fetchone()
        return None if row is None else bool(row[0])


def _user(conn: psycopg.Connection[Any]) -> str:
    with conn.cursor() as cur:
        cur.execute("SELECT current_user")
        row = cur.fetchone()
        return str(row[0]) if row else "?"


def inspect_tables(conn: psycopg.Connection[Any], source: OmopSource) -> dict[str, bool]:
    """Which tables are there; raises :class:`OmopError` for a missing required table or column."""
    where = source.describe()
    for schema in dict.fromkeys((source.cdm_schema, source.vocabulary_schema)):
        usable = _schema_usable(conn, schema)
        if usable is None:
            raise OmopError(f"{where}: no schema {schema!r} (give the CDM schema with --cdm-schema)")
        if not usable:
            raise OmopError(
                f"{where}: user {_user(conn)!r} may not use schema {schema!r} "
                f"(GRANT USAGE ON SCHEMA {schema} and SELECT on its tables)"
            )
    cdm_cols = _columns(conn, source.cdm_schema)
    vocab_cols = (
        cdm_cols
        if source.vocabulary_schema == source.cdm_schema
        else _columns(conn, source.vocabulary_schema)
    )
    present: dict[str, bool] = {}
    for tables, schema, cols, required in (
        (REQUIRED_TABLES, source.cdm_schema, cdm_cols, True),
        (OPTIONAL_TABLES, source.cdm_schema, cdm_cols, False),
        (VOCAB_TABLES, source.vocabulary_schema, vocab_cols, False),
    ):
        for table, needed in tables.items():
            found = cols.get(table)
            if found is None:
                if required:
                    raise OmopError(
                        f"{where}: table {schema}.{table} not found; is this an OMOP CDM v5.4 database "
                        "(and is --cdm-schema right)?"
                    )
                present[table] = False
                continue
            readable, have = found
            if not readable:
                raise OmopError(
                    f"{where}: user {_user(conn)!r} may not read {schema}.{table} "
                    f"(GRANT SELECT ON {schema}.{table}, or drop the table from the schema)"
                )
            missing = [c for c in needed if c not in have]
            if missing:
                raise OmopError(
                    f"{where}: table {schema}.{table} lacks column(s) {', '.join(missing)} "
                    "(OMOP CDM v5.4 names expected)"
                )
            present[table] = True
    return present


class _Sql:
    """The SQL of one harvest, with the schema names quoted once."""

    def __init__(self, source: OmopSource, tables: dict[str, bool]) -> None:
        from psycopg import sql

        self.sql = sql
        self.cdm = sql.Identifier(source.cdm_schema)
        self.vocab = sql.Identifier(source.vocabulary_schema)
        self.tables = tables

    def t(self, table: str) -> Any:
        schema = self.vocab if table in VOCAB_TABLES else self.cdm
        return self.sql.SQL("{}.{}").format(schema, self.sql.Identifier(table))

    def evidence(self) -> Any:
        """``ev(person_id, concept_id, d, from_condition)``: every row that may name a condition."""
        s = self.sql
        parts = [
            s.SQL(
                "SELECT person_id, CASE WHEN condition_concept_id <> 0 THEN condition_concept_id "
                "ELSE condition_source_concept_id END AS concept_id, condition_start_date AS d, "
                "true AS from_condition FROM {}"
            ).format(self.t("condition_occurrence"))
        ]
        if self.tables.get("observation"):
            parts.append(
                s.SQL(
                    "SELECT person_id, observation_concept_id, observation_date, false FROM {t} "
                    "UNION ALL SELECT person_id, value_as_concept_id, observation_date, false FROM {t} "
                    "WHERE value_as_concept_id IS NOT NULL AND value_as_concept_id <> 0"
                ).format(t=self.t("observation"))
            )
        if self.tables.get("measurement"):
            parts.append(
                s.SQL(
                    "SELECT person_id, value_as_concept_id, measurement_date, false FROM {} "
                    "WHERE value_as_concept_id IS NOT NULL AND value_as_concept_id <> 0"
                ).format(self.t("measurement"))
            )
        return s.SQL(" UNION ALL ").join(parts)

    def candidates(self) -> Any:
        """Distinct evidence concepts, their subjects (condition rows) and their OMOP ancestors."""
        s = self.sql
        q = s.SQL(
            "WITH ev AS ({ev}), c AS (SELECT concept_id, bool_or(from_condition) AS from_condition, "
            "COUNT(DISTINCT person_id) FILTER (WHERE from_condition) AS persons FROM ev "
            "WHERE concept_id IS NOT NULL AND concept_id <> 0 GROUP BY concept_id) "
            "SELECT concept_id, concept_id, 0, from_condition, persons FROM c"
        ).format(ev=self.evidence())
        if self.tables.get("concept_ancestor"):
            q = s.SQL(
                "{q} UNION ALL SELECT ca.descendant_concept_id, ca.ancestor_concept_id, "
                "ca.min_levels_of_separation, c.from_condition, c.persons FROM {ca} ca "
                "JOIN c ON ca.descendant_concept_id = c.concept_id "
                "WHERE ca.ancestor_concept_id <> ca.descendant_concept_id"
            ).format(q=q, ca=self.t("concept_ancestor"))
        return q

    def counts(self) -> Any:
        """Subjects per target concept (all, and nearest only) and per age at first diagnosis."""
        s = self.sql
        birth = (
            "(make_date(p.year_of_birth, 1, 1) + make_interval(months => COALESCE(p.month_of_birth, 7) - 1, "
            "days => COALESCE(p.day_of_birth, CASE WHEN p.month_of_birth IS NULL THEN 1 ELSE 15 END) - 1))"
        )
        valid = (
            "p.year_of_birth BETWEEN 1850 AND 2200 AND (p.month_of_birth IS NULL OR p.month_of_birth "
            "BETWEEN 1 AND 12) AND (p.day_of_birth IS NULL OR p.day_of_birth BETWEEN 1 AND 31)"
        )
        return s.SQL(
            "WITH m AS (SELECT * FROM unnest(%(ids)s::integer[], %(targets)s::text[], "
            "%(nearest)s::boolean[]) AS m(concept_id, target, nearest)), ev AS ({ev}), "
            "hits AS MATERIALIZED (SELECT ev.person_id, ev.d, m.target, m.nearest FROM ev "
            "JOIN m ON m.concept_id = ev.concept_id), "
            "diag AS (SELECT person_id, MIN(d) AS d FROM hits GROUP BY person_id), "
            "ages AS (SELECT CASE WHEN " + valid + " THEN EXTRACT(YEAR FROM age(diag.d, " + birth + "))::int "
            "END AS age FROM diag JOIN {person} p ON p.person_id = diag.person_id) "
            "SELECT 'condition', target, COUNT(DISTINCT person_id) FROM hits GROUP BY target "
            "UNION ALL SELECT 'nearest', target, COUNT(DISTINCT person_id) FROM hits WHERE nearest "
            "GROUP BY target "
            "UNION ALL SELECT 'age', age::text, COUNT(*) FROM ages GROUP BY age"
        ).format(ev=self.evidence(), person=self.t("person"))


def _stream(conn: psycopg.Connection[Any], query: Any, params: Any = None) -> Iterator[tuple[Any, ...]]:
    """Rows from a server-side cursor (bounded memory whatever the result size)."""
    with conn.cursor(name="cikg_omop") as cur:
        cur.itersize = 5000
        cur.execute(query, params)
        yield from cur


class _Mapper:
    def __init__(self, mapper: ValueMapper) -> None:
        self._mapper = mapper
        self._cache: dict[tuple[str, int], str | None] = {}

    def __call__(self, kind: str, concept_id: int | None) -> str | None:
        if concept_id is None or concept_id == 0:
            return None
        key = (kind, int(concept_id))
        if key not in self._cache:
            found = self._mapper.map_value(kind, f"{OMOP}:{int(concept_id)}")
            self._cache[key] = concept_name(found) if found else None
        return self._cache[key]


def harvest_omop(
    source: OmopSource, mapper: ValueMapper, *, ancestors: Ancestors = no_ancestors
) -> OmopResult:
    """Aggregate one OMOP CDM into collection-level facts (see the module docstring)."""
    where = source.describe()
    m = _Mapper(mapper)
    try:
        with connect(source) as conn:
            return _harvest(conn, source, m, ancestors, where)
    except OmopError:
        raise
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.errors.QueryCanceled):
            raise OmopError(
                f"{where}: a query ran longer than the statement timeout ({source.statement_timeout:g} s)"
            ) from exc
        if isinstance(exc, psycopg.Error):
            raise OmopError(f"{where}: {_clean_error(exc, source.dsn)}") from exc
        raise


def _harvest(
    conn: psycopg.Connection[Any], source: OmopSource, m: _Mapper, ancestors: Ancestors, where: str
) -> OmopResult:
    tables = inspect_tables(conn, source)
    q = _Sql(source, tables)
    result = OmopResult(aggregate=ClinicalAggregate(), where=where, tables=tables)
    agg = result.aggregate
    with conn.cursor() as cur:
        if tables.get("cdm_source"):
            cur.execute(q.sql.SQL("SELECT cdm_version FROM {} LIMIT 1").format(q.t("cdm_source")))
            row = cur.fetchone()
            result.cdm_version = str(row[0]) if row and row[0] is not None else None
            if result.cdm_version and not result.cdm_version.lstrip("vV").startswith("5.4"):
                result.notes.append(
                    f"cdm_source says CDM version {result.cdm_version}; read with the v5.4 column names"
                )
        # subjects and sex
        cur.execute(
            q.sql.SQL("SELECT gender_concept_id, COUNT(*) FROM {} GROUP BY gender_concept_id").format(
                q.t("person")
            )
        )
        for gender, n in cur.fetchall():
            agg.subjects += int(n)
            sex = m("sex", gender)
            if sex is not None:
                agg.sex_counts[sex] += int(n)
            elif gender not in (None, 0):
                result.unmapped[("sex", f"{OMOP}:{gender}")] += int(n)
            else:
                result.unmapped[("sex", f"{OMOP}:0 (no matching concept)")] += int(n)

    # conditions: candidates (evidence concepts + OMOP ancestors) -> hyperontology targets
    ancestors_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    direct: dict[int, tuple[bool, int]] = {}
    for desc, anc, levels, from_condition, persons in _stream(conn, q.candidates()):
        ancestors_of[int(desc)].append((int(anc), int(levels)))
        direct[int(desc)] = (bool(from_condition), int(persons or 0))
    ids: list[int] = []
    targets: list[str] = []
    nearest_flags: list[bool] = []
    hyper_cache: dict[str, frozenset[str]] = {}

    def with_hyper_ancestors(concept: str) -> frozenset[str]:
        got = hyper_cache.get(concept)
        if got is None:
            try:
                extra = {concept_name(a) for a in ancestors(concept)}
            except LookupError:
                extra = set()
            got = hyper_cache[concept] = frozenset({concept, *extra})
        return got

    for concept_id, chain in ancestors_of.items():
        mapped = [(levels, c) for anc, levels in chain if (c := m("condition", anc)) is not None]
        if not mapped:
            from_condition, persons = direct[concept_id]
            if from_condition and persons:
                result.unmapped[("condition", f"{OMOP}:{concept_id}")] += persons
            continue
        closest = min(levels for levels, _ in mapped)
        nearest = {c for levels, c in mapped if levels == closest}
        all_targets: set[str] = set()
        for _, c in mapped:
            all_targets |= with_hyper_ancestors(c)
        for t in sorted(all_targets):
            ids.append(concept_id)
            targets.append(t)
            nearest_flags.append(t in nearest)
    if ids:
        with conn.cursor() as cur:
            cur.execute(q.counts(), {"ids": ids, "targets": targets, "nearest": nearest_flags})
            for kind, key, n in cur.fetchall():
                if kind == "condition":
                    agg.condition_counts[str(key)] += int(n)
                elif kind == "nearest":
                    agg.primary_conditions[str(key)] += int(n)
                elif key is None or int(key) < 0:
                    result.invalid_ages += int(n)
                else:
                    agg.ages[min(int(key), 90)] += int(n)
    if result.invalid_ages:
        result.notes.append(
            f"{result.invalid_ages} subject(s) without a usable age at diagnosis (invalid birth fields "
            "or a diagnosis before birth): left out of the age range"
        )
    _imaging(conn, q, m, result)
    if result.unmapped and tables.get("concept"):
        _names(conn, q, result)
    return result


def _months(first: dt.date | None, last: dt.date | None, agg: ClinicalAggregate) -> None:
    for day in (first, last):
        if day is not None:
            agg.see_month(month_of(day))


def _imaging(conn: psycopg.Connection[Any], q: _Sql, m: _Mapper, result: OmopResult) -> None:
    agg = result.aggregate
    s = q.sql
    with conn.cursor() as cur:
        if q.tables.get("image_occurrence"):
            result.imaging_from = "image_occurrence"
            io = q.t("image_occurrence")
            cur.execute(
                s.SQL(
                    "SELECT COUNT(DISTINCT image_study_uid), COUNT(DISTINCT image_series_uid), "
                    "MIN(image_occurrence_date), MAX(image_occurrence_date) FROM {}"
                ).format(io)
            )
            row = cur.fetchone()
            assert row is not None
            agg.studies, agg.series = int(row[0]), int(row[1])
            _months(row[2], row[3], agg)
            cur.execute(
                s.SQL(
                    "SELECT 'modality', modality_concept_id, COUNT(DISTINCT person_id) FROM {io} "
                    "GROUP BY modality_concept_id UNION ALL SELECT 'body_part', anatomic_site_concept_id, "
                    "COUNT(DISTINCT person_id) FROM {io} WHERE anatomic_site_concept_id IS NOT NULL "
                    "AND anatomic_site_concept_id <> 0 GROUP BY anatomic_site_concept_id"
                ).format(io=io)
            )
            for kind, concept_id, n in cur.fetchall():
                target = m(kind, concept_id)
                counter = agg.modalities if kind == "modality" else agg.body_parts
                if target is not None:
                    counter[target] += int(n)
                else:
                    result.unmapped[(kind, f"{OMOP}:{concept_id}")] += int(n)
            return
        if not q.tables.get("procedure_occurrence"):
            result.notes.append("no image_occurrence nor procedure_occurrence table: no imaging facts")
            return
        # no MI-CDM: imaging procedures are the procedure rows whose concept maps to a modality
        cur.execute(
            s.SQL(
                "SELECT procedure_concept_id, COUNT(*), COUNT(DISTINCT person_id), MIN(procedure_date), "
                "MAX(procedure_date) FROM {} GROUP BY procedure_concept_id"
            ).format(q.t("procedure_occurrence"))
        )
        for concept_id, n, persons, first, last in cur.fetchall():
            modality = m("modality", concept_id)
            if modality is None:
                continue
            result.imaging_from = "procedure_occurrence"
            agg.modalities[modality] += int(persons)
            agg.studies += int(n)
            _months(first, last, agg)
        if result.imaging_from is None:
            result.notes.append("no image_occurrence table and no procedure concept maps to a modality")


def _names(conn: psycopg.Connection[Any], q: _Sql, result: OmopResult) -> None:
    wanted = sorted(
        {
            int(v.split(":", 1)[1].split()[0])
            for _, v in result.unmapped
            if v.split(":", 1)[1].split()[0].isdigit()
        }
    )
    if not wanted:
        return
    with conn.cursor() as cur:
        cur.execute(
            q.sql.SQL("SELECT concept_id, concept_name FROM {} WHERE concept_id = ANY(%s)").format(
                q.t("concept")
            ),
            (wanted,),
        )
        for concept_id, name in cur.fetchall():
            result.unmapped_names[f"{OMOP}:{concept_id}"] = str(name)


def unmapped_rows(result: OmopResult) -> Iterable[tuple[str, str, int]]:
    """``(kind, value, subjects)`` for the run report, with the concept name where the CDM has it."""
    for (kind, value), n in sorted(result.unmapped.items()):
        name = result.unmapped_names.get(value)
        yield kind, f"{value} ({name})" if name else value, n


def run_omop(
    store: TripleStore,
    settings: Settings,
    *,
    source: OmopSource,
    collection_id: str,
    metadata: Mapping[str, Any],
    mapper: ValueMapper,
    gate: Validator | None,
    ancestors: Ancestors = no_ancestors,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> ClinicalHarvest:
    """Harvest an OMOP CDM into source ``collection_id`` through the SHACL gate."""
    from cikg.harvest.base import MappingTally, RunReport
    from cikg.harvest.clinical import check_clinical_metadata, check_source_kind, publish_clinical

    check_clinical_metadata(metadata)
    check_source_kind(store, collection_id, "omop")
    report = RunReport(
        source_id=collection_id, source_kind="omop", source_url=source.provenance_iri(), harvester=HARVESTER
    )
    result = harvest_omop(source, mapper, ancestors=ancestors)
    tally = MappingTally(mapper)
    for kind, value, n in unmapped_rows(result):
        tally.add_unmapped(kind, value, n)
    report.items_seen = report.items_harvested = result.aggregate.subjects
    report.items_failed = result.invalid_ages
    report.summary.update(
        {
            "database": source.describe(),
            "notes": result.notes,
            "cdm_version": result.cdm_version,
            "tables": {t: present for t, present in sorted(result.tables.items())},
            "imaging_from": result.imaging_from,
        }
    )
    return publish_clinical(
        store,
        settings,
        report=report,
        collection_id=collection_id,
        metadata=metadata,
        aggregate=result.aggregate,
        tally=tally,
        gate=gate,
        violation_rows=violation_rows,
        what="OMOP CDM",
    )


__all__ = [
    "HARVESTER",
    "OmopError",
    "OmopResult",
    "OmopSource",
    "connect",
    "describe_dsn",
    "harvest_omop",
    "inspect_tables",
    "run_omop",
    "unmapped_rows",
]
