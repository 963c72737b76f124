"""CSV / eCRF exports -> collection-level aggregates, through a column mapping and the steward's reviewed
SSSOM value mappings.

The column mapping (``--mapping MAP``, YAML) says which column plays which role; every other column is
never read (names, addresses, free-text notes, ...)::

    format: {delimiter: ";", encoding: utf-8}     # optional: the delimiter is sniffed otherwise
    columns:
      subject: {column: patient_code, issuer: HOSP-A}   # required; pseudonymised, never stored
      sex: sexo
      birth_date: {column: fecha_nacimiento, format: "%d/%m/%Y"}
      age: edad_dx                          # age at diagnosis in years (instead of the two dates)
      condition: {column: diagnostico, system: ICD10, separator: "|"}
      diagnosis_date: {column: fecha_dx, format: "%d/%m/%Y"}
      study: estudio                        # study identifier (pseudonymised; counts studies)
      series: serie                         # series identifier (pseudonymised; counts series)
      modality: {column: modalidad, separator: ","}
      body_part: region
      study_date: {column: fecha_estudio, format: "%Y-%m-%d"}
    value_mappings: [hospital-a.sssom.tsv]  # relative to the mapping file

Coded values (sex, condition, modality, body_part) map in this order: the steward's reviewed SSSOM rows
(subject ``LOCAL:<kind>/<term>``, the raw term as ``subject_label``, the kind as ``subject_category``,
``mapping_justification semapv:ManualMappingCuration``, not negated; the convention of
:mod:`cikg.mapping.curation`), then the value mapper with the column's ``system`` prefix
(``ICD10:C61``), then the value mapper with the bare value. Unreviewed rows (e.g. lexical suggestions)
are ignored and counted.

Messages name the file, the row (its line number) and the column, never the value of an identifying
column (subject, dates); unmapped coded values are reported (they are what the steward must map).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from cikg.harvest.base import MappingTally, Problem, Pseudonymiser
from cikg.harvest.clinical import Ancestors, ClinicalAggregate, SubjectTally, month_of, no_ancestors

if TYPE_CHECKING:
    from cikg.harvest.base import ValueMapper
    from cikg.harvest.clinical import ClinicalHarvest
    from cikg.settings import Settings
    from cikg.store.base import TripleStore, Validator

HARVESTER = "cikg-csv"
ROLES = (
    "subject",
    "sex",
    "birth_date",
    "age",
    "condition",
    "diagnosis_date",
    "study",
    "series",
    "modality",
    "body_part",
    "study_date",
)
CODED = ("sex", "condition", "modality", "body_part")
DATES = ("birth_date", "diagnosis_date", "study_date")
_COLUMN_KEYS = {"column", "format", "system", "separator", "issuer"}
_TOP_KEYS = {"format", "columns", "value_mappings"}
_FORMAT_KEYS = {"delimiter", "encoding", "quotechar"}
MANUAL = "semapv:ManualMappingCuration"
ACCEPTED_PREDICATES = {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "owl:equivalentClass"}
"""A local value is counted under the concept when the concept is the same or broader."""


class CsvError(ValueError):
    """The CSV file or its column mapping cannot be used: the message names file, line and column."""


@dataclass(frozen=True)
class ColumnSpec:
    role: str
    column: str
    format: str | None = None
    system: str | None = None
    separator: str | None = None
    issuer: str | None = None


@dataclass
class ColumnMapping:
    path: Path
    columns: dict[str, ColumnSpec]
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    quotechar: str = '"'
    value_mappings: list[Path] = field(default_factory=list)


def read_column_mapping(path: Path) -> ColumnMapping:
    """Read and check a column mapping file (unknown keys and roles are errors, named)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CsvError(f"{path}: no such column mapping file") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CsvError(f"{path}: cannot read the column mapping: {exc}") from exc
    if not isinstance(data, Mapping):
        raise CsvError(f"{path}: the column mapping must be a YAML mapping with a `columns:` section")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise CsvError(f"{path}: unknown key(s) {unknown}; use {sorted(_TOP_KEYS)}")
    cols = data.get("columns")
    if not isinstance(cols, Mapping) or not cols:
        raise CsvError(f"{path}: `columns:` must map roles ({', '.join(ROLES)}) to CSV column names")
    specs: dict[str, ColumnSpec] = {}
    for role, spec in cols.items():
        if role not in ROLES:
            raise CsvError(f"{path}: unknown role {role!r} under columns; use one of {', '.join(ROLES)}")
        if isinstance(spec, str):
            specs[role] = ColumnSpec(role, spec)
            continue
        if not isinstance(spec, Mapping) or not isinstance(spec.get("column"), str):
            raise CsvError(f"{path}: columns.{role} must be a column name or a mapping with `column:`")
        extra = sorted(set(spec) - _COLUMN_KEYS)
        if extra:
            raise CsvError(f"{path}: columns.{role}: unknown key(s) {extra}; use {sorted(_COLUMN_KEYS)}")
        specs[role] = ColumnSpec(
            role,
            spec["column"],
            format=_opt_str(spec, "format", path, role),
            system=_opt_str(spec, "system", path, role),
            separator=_opt_str(spec, "separator", path, role),
            issuer=_opt_str(spec, "issuer", path, role),
        )
    if "subject" not in specs:
        raise CsvError(f"{path}: columns.subject is required (the column that identifies the subject)")
    for role in DATES:
        if role in specs and not specs[role].format:
            raise CsvError(f'{path}: columns.{role} needs a `format:` (strftime, e.g. "%d/%m/%Y")')
    fmt = data.get("format") or {}
    if not isinstance(fmt, Mapping) or set(fmt) - _FORMAT_KEYS:
        raise CsvError(f"{path}: `format:` takes {sorted(_FORMAT_KEYS)}")
    mapping = ColumnMapping(path=path, columns=specs)
    if fmt.get("delimiter") is not None:
        delim = str(fmt["delimiter"]).replace("\\t", "\t")
        if len(delim) != 1:
            raise CsvError(f"{path}: format.delimiter must be one character")
        mapping.delimiter = delim
    if fmt.get("encoding"):
        try:
            codecs.lookup(str(fmt["encoding"]))
        except LookupError as exc:
            raise CsvError(f"{path}: format.encoding {fmt['encoding']!r} is not a known encoding") from exc
        mapping.encoding = str(fmt["encoding"])
    if fmt.get("quotechar"):
        mapping.quotechar = str(fmt["quotechar"])
    files = data.get("value_mappings") or []
    if isinstance(files, str):
        files = [files]
    for f in files:
        p = (path.parent / str(f)).resolve()
        if not p.is_file():
            raise CsvError(f"{path}: value_mappings: {f}: no such file")
        mapping.value_mappings.append(p)
    return mapping


def _opt_str(spec: Mapping[str, Any], key: str, path: Path, role: str) -> str | None:
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float):
        raise CsvError(f"{path}: columns.{role}.{key} must be text")
    return str(value)


# -- the steward's value mappings ----------------------------------------------------------------------


@dataclass
class StewardMappings:
    """Reviewed local-value mappings: ``(kind, normalised term) -> concepts``."""

    by_term: dict[tuple[str | None, str], set[str]] = field(default_factory=dict)
    used: int = 0
    ignored: Counter[str] = field(default_factory=Counter)

    def lookup(self, kind: str, value: str) -> str | None:
        norm = _norm(value)
        found = self.by_term.get((kind, norm)) or self.by_term.get((None, norm))
        if found and len(found) == 1:
            return next(iter(found))
        return None


def _norm(value: str) -> str:
    return " ".join(value.strip().casefold().split())


def read_steward_mappings(paths: list[Path]) -> StewardMappings:
    """The reviewed, non-negated rows of the steward's SSSOM TSV files (see the module docstring).

    A small reader for the table part of SSSOM TSV (the ``#`` metadata lines are skipped); the
    vocabulary's ``read_sssom`` reads the same files for its own index.
    """
    from cikg.harvest.clinical import concept_name

    out = StewardMappings()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CsvError(f"{path}: cannot read the SSSOM file: {exc}") from exc
        body = [
            (n, line) for n, line in enumerate(lines, start=1) if not line.startswith("#") and line.strip()
        ]
        if not body:
            continue
        header_line, header = body[0]
        columns = [c.strip() for c in header.split("\t")]
        for needed in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            if needed not in columns:
                raise CsvError(f"{path}, line {header_line}: not an SSSOM table: no {needed} column")
        for n, line in body[1:]:
            values = line.split("\t")
            if len(values) > len(columns):
                raise CsvError(f"{path}, line {n}: {len(values)} fields, the header has {len(columns)}")
            row = dict(zip(columns, (v.strip() for v in values), strict=False))
            if (row.get("predicate_modifier") or "").lower() == "not":
                out.ignored["negated"] += 1
                continue
            if row.get("mapping_justification") != MANUAL:
                out.ignored["not reviewed"] += 1
                continue
            predicate = row.get("predicate_id") or ""
            if predicate not in ACCEPTED_PREDICATES:
                out.ignored[f"predicate {predicate}"] += 1
                continue
            obj = row.get("object_id") or ""
            if not obj.upper().startswith("CIKG:") and not obj.startswith("https://w3id.org/cikg/ontology/"):
                out.ignored["object not a hyperontology concept"] += 1
                continue
            subject_id = row.get("subject_id") or ""
            term = row.get("subject_label") or ""
            kind = row.get("subject_category") or None
            local = re.match(r"^LOCAL:([^/]+)/(.+)$", subject_id)
            if local:
                from urllib.parse import unquote

                kind = kind or unquote(local.group(1))
                term = term or unquote(local.group(2))
            if not term:
                out.ignored["no subject_label"] += 1
                continue
            out.by_term.setdefault((kind, _norm(term)), set()).add(concept_name(obj.split(":", 1)[1]))
            out.used += 1
    return out


# -- reading ---------------------------------------------------------------------------------------------


def _parse_date(value: str, fmt: str) -> dt.date:
    parsed = dt.datetime.strptime(value.strip(), fmt).date()
    if "%d" not in fmt and "%j" not in fmt:
        parsed = parsed.replace(day=15 if ("%m" in fmt or "%b" in fmt or "%B" in fmt) else 1)
        if "%m" not in fmt and "%b" not in fmt and "%B" not in fmt:
            parsed = parsed.replace(month=7)
    return parsed


@dataclass
class CsvResult:
    aggregate: ClinicalAggregate
    rows: int = 0
    used_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    steward: StewardMappings = field(default_factory=StewardMappings)
    invalid_ages: int = 0


class _Reader:
    def __init__(
        self,
        mapping: ColumnMapping,
        tally: MappingTally,
        pseudonymiser: Pseudonymiser,
        ancestors: Ancestors,
        steward: StewardMappings,
    ) -> None:
        self.m = mapping
        self.tally = tally
        self.pseudo = pseudonymiser
        self.steward = steward
        self.subjects = SubjectTally(ancestors)
        self.result = CsvResult(aggregate=ClinicalAggregate(), steward=steward)

    def map(self, spec: ColumnSpec, value: str) -> str | None:
        kind = spec.role
        found = self.steward.lookup(kind, value)
        if found is not None:
            return found
        if spec.system:
            concept = self.tally.map(kind, f"{spec.system}:{value.strip()}", count=0)
            if concept is not None:
                return concept
        concept = self.tally.map(kind, value, count=0)
        if concept is None:
            self.tally.add_unmapped(kind, value.strip()[:80])
        return concept

    def values(self, spec: ColumnSpec, cell: str) -> list[str]:
        parts = cell.split(spec.separator) if spec.separator else [cell]
        return [p.strip() for p in parts if p.strip()]

    def problem(self, where: str, reason: str) -> None:
        self.result.problems.append(Problem(where, reason))

    def rows(self, path: Path, shown: str) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            handle = path.open("r", encoding=self.m.encoding, newline="")
        except FileNotFoundError as exc:
            raise CsvError(f"{path}: no such file") from exc
        except OSError as exc:
            raise CsvError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        with handle:
            try:
                sample = handle.read(64 * 1024)
            except UnicodeDecodeError as exc:
                raise CsvError(
                    f"{shown}: not {self.m.encoding} text ({exc.reason}); give format.encoding in the mapping"
                ) from exc
            handle.seek(0)
            delimiter = self.m.delimiter or _sniff(sample, shown)
            reader = csv.reader(handle, delimiter=delimiter, quotechar=self.m.quotechar, strict=True)
            try:
                header = next(reader, None)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise CsvError(f"{shown}, line 1: cannot read the header: {exc}") from exc
            if header is None:
                raise CsvError(f"{shown}: empty file (no header line)")
            header = [h.strip() for h in header]
            missing = [(s.role, s.column) for s in self.m.columns.values() if s.column not in header]
            if missing:
                names = ", ".join(f"{c!r} (columns.{r})" for r, c in missing)
                raise CsvError(
                    f"{shown}, line 1: column(s) {names} not in the header; the header has: "
                    + ", ".join(repr(h) for h in header)
                )
            index = {s.role: header.index(s.column) for s in self.m.columns.values()}
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError as exc:
                    raise CsvError(
                        f"{shown}, after line {reader.line_num}: not {self.m.encoding} text ({exc.reason}); "
                        "give format.encoding in the mapping"
                    ) from exc
                except csv.Error as exc:
                    raise CsvError(f"{shown}, line {reader.line_num}: {exc}") from exc
                if not values or all(not v.strip() for v in values):
                    continue
                row = {role: values[i] if i < len(values) else "" for role, i in index.items()}
                yield reader.line_num, row

    def read(self, path: Path, shown: str) -> None:
        cols = self.m.columns
        for line, row in self.rows(path, shown):
            self.result.rows += 1
            where = f"{shown} row {line}"
            subject_cell = row["subject"].strip()
            if not subject_cell:
                self.problem(where, f"empty subject column {cols['subject'].column!r}: row skipped")
                continue
            key = self.pseudo.subject(subject_cell, cols["subject"].issuer or "")
            self.subjects.subject(key)
            self.result.used_rows += 1
            dates: dict[str, dt.date | None] = {}
            for role in DATES:
                cell = row.get(role, "").strip()
                if role not in cols or not cell:
                    continue
                try:
                    dates[role] = _parse_date(cell, cols[role].format or "")
                except ValueError:
                    self.problem(
                        where, f"column {cols[role].column!r}: not a date in the format {cols[role].format}"
                    )
            if "sex" in cols and row["sex"].strip():
                self.subjects.set_sex(key, self.map(cols["sex"], row["sex"]))
            if "birth_date" in dates:
                self.subjects.set_birth(key, dates["birth_date"])
            if "age" in cols and row["age"].strip():
                try:
                    age = int(float(row["age"].strip().replace(",", ".")))
                    if age < 0 or age > 150:
                        raise ValueError
                    self.subjects.set_age(key, age)
                except ValueError:
                    self.problem(where, f"column {cols['age'].column!r}: not an age in years")
            if "condition" in cols:
                for value in self.values(cols["condition"], row["condition"]):
                    concept = self.map(cols["condition"], value)
                    self.subjects.add_condition(key, concept, dates.get("diagnosis_date"))
            study_cell = row.get("study", "").strip() if "study" in cols else ""
            if study_cell:
                modalities = (
                    [
                        c
                        for v in self.values(cols["modality"], row["modality"])
                        if (c := self.map(cols["modality"], v))
                    ]
                    if "modality" in cols
                    else []
                )
                body_parts = (
                    [
                        c
                        for v in self.values(cols["body_part"], row["body_part"])
                        if (c := self.map(cols["body_part"], v))
                    ]
                    if "body_part" in cols
                    else []
                )
                series_cell = row.get("series", "").strip() if "series" in cols else ""
                when = dates.get("study_date")
                self.subjects.add_study(
                    key,
                    self.pseudo.study(f"csv\x1f{cols['subject'].issuer or ''}\x1f{study_cell}"),
                    modalities=modalities,
                    body_parts=body_parts,
                    month=month_of(when) if when else None,
                    series=[self.pseudo.series(f"csv\x1f{study_cell}\x1f{series_cell}")]
                    if series_cell
                    else (),
                )


def _sniff(sample: str, shown: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise CsvError(f"{shown}, line 1: cannot tell the delimiter; give format.delimiter in the mapping")
    return best


def harvest_csv(
    paths: list[Path],
    mapping: ColumnMapping,
    tally: MappingTally,
    pseudonymiser: Pseudonymiser,
    *,
    ancestors: Ancestors = no_ancestors,
) -> CsvResult:
    """Aggregate CSV exports with one column mapping (see the module docstring)."""
    steward = read_steward_mappings(mapping.value_mappings)
    reader = _Reader(mapping, tally, pseudonymiser, ancestors, steward)
    for path in paths:
        reader.read(path, path.name)
    result = reader.result
    result.aggregate = reader.subjects.aggregate()
    result.invalid_ages = reader.subjects.negative_ages
    return result


def run_csv(
    store: TripleStore,
    settings: Settings,
    *,
    paths: list[Path],
    mapping_path: Path,
    collection_id: str,
    metadata: Mapping[str, Any],
    mapper: ValueMapper,
    gate: Validator | None,
    ancestors: Ancestors = no_ancestors,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> ClinicalHarvest:
    """Harvest CSV / eCRF exports into source ``collection_id`` through the SHACL gate."""
    from cikg.harvest.base import RunReport, pseudonymiser
    from cikg.harvest.clinical import check_clinical_metadata, check_source_kind, publish_clinical

    check_clinical_metadata(metadata)
    mapping = read_column_mapping(mapping_path)
    for p in paths:
        if not p.is_file():
            raise CsvError(f"{p}: no such file")
    check_source_kind(store, collection_id, "csv")
    report = RunReport(
        source_id=collection_id,
        source_kind="csv",
        source_url="file:" + paths[0].name if len(paths) == 1 else f"file:{paths[0].name}+{len(paths) - 1}",
        harvester=HARVESTER,
    )
    tally = MappingTally(mapper)
    result = harvest_csv(paths, mapping, tally, pseudonymiser(settings), ancestors=ancestors)
    report.items_seen = result.rows
    report.items_harvested = result.used_rows
    for problem in result.problems:
        report.problem(problem.where, problem.reason)
    report.items_failed = result.rows - result.used_rows
    report.summary.update(
        {
            "files": [p.name for p in paths],
            "steward_mappings_used": result.steward.used,
            "steward_mappings_ignored": dict(result.steward.ignored),
        }
    )
    if result.invalid_ages:
        report.summary["notes"] = [f"{result.invalid_ages} subject(s) diagnosed before birth: no age"]
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
        what="CSV",
    )


__all__ = [
    "HARVESTER",
    "ROLES",
    "ColumnMapping",
    "ColumnSpec",
    "CsvError",
    "CsvResult",
    "StewardMappings",
    "harvest_csv",
    "read_column_mapping",
    "read_steward_mappings",
    "run_csv",
]
