"""FHIR R4 (JSON) -> collection-level aggregates.

Input: Bundle files (``.json``; any ``Bundle.type``), single-resource JSON files, and FHIR Bulk Data
exports (``.ndjson``, one resource per line, read line by line); folders are walked for those suffixes.
Resources used, and the elements read from each (nothing else is ever looked at):

* ``Patient``: ``gender`` (sex), ``birthDate`` (in memory only, for the age at diagnosis);
* ``Condition``: ``subject``, ``code.coding`` / ``code.text``, ``onsetDateTime`` / ``onsetPeriod.start``
  / ``recordedDate`` (first diagnosis date); ``verificationStatus`` refuted / entered-in-error skipped;
* ``Observation``: ``subject``, ``valueCodeableConcept`` and ``code`` when they name a condition (e.g. a
  histology result), ``effectiveDateTime`` / ``effectivePeriod.start``; ``status`` entered-in-error
  skipped;
* ``ImagingStudy``: ``subject``, the study UID (``identifier`` with system ``urn:dicom:uid``), ``modality``,
  ``started``, and per ``series``: ``uid``, ``modality``, ``bodySite``, ``started``.

Subjects, studies and series are told apart by keyed pseudonyms of their references / UIDs; names,
identifiers other than these, addresses, telecom, narrative text and extensions are never read, and no
resource id appears in any message (problems name the file and the entry number).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cikg.harvest.base import MappingTally, Problem, Pseudonymiser
from cikg.harvest.clinical import Ancestors, ClinicalAggregate, SubjectTally, month_of, no_ancestors

if TYPE_CHECKING:
    from collections.abc import Callable

    from cikg.harvest.base import ValueMapper
    from cikg.harvest.clinical import ClinicalHarvest
    from cikg.settings import Settings
    from cikg.store.base import TripleStore, Validator

HARVESTER = "cikg-fhir"

SUFFIXES = (".json", ".ndjson", ".jsonl")

SYSTEMS: dict[str, str] = {
    "http://snomed.info/sct": "SNOMEDCT",
    "http://hl7.org/fhir/sid/icd-10": "ICD10",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD10",
    "http://terminology.hl7.org/CodeSystem/icd10": "ICD10",
    "http://hl7.org/fhir/sid/icd-o-3": "ICDO3",
    "http://terminology.hl7.org/CodeSystem/icd-o-3": "ICDO3",
    "http://id.who.int/icd/release/11/mms": "ICD11",
    "http://loinc.org": "LOINC",
    "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl": "NCIT",
    "http://ncimeta.nci.nih.gov": "NCIT",
    "http://radlex.org": "RADLEX",
    "http://www.radlex.org": "RADLEX",
    "http://dicom.nema.org/resources/ontology/DCM": "DCM",
    "https://athena.ohdsi.org": "OMOP",
    "http://purl.obolibrary.org/obo/mondo.owl": "MONDO",
}
"""FHIR code system URIs -> the project's CURIE prefixes (mappings/prefixes.yaml)."""

_DICOM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM"
_SKIP_CONDITION = {"refuted", "entered-in-error"}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class FhirError(ValueError):
    """The FHIR input cannot be harvested at all (no file, nothing readable)."""


@dataclass
class FhirResult:
    aggregate: ClinicalAggregate
    files: int = 0
    resources: Counter[str] = field(default_factory=Counter)
    used: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    invalid_ages: int = 0


def fhir_date(value: Any) -> dt.date | None:
    """A FHIR date / dateTime (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD...``) as a date (mid-period if partial)."""
    if not isinstance(value, str):
        return None
    m = _DATE.match(value.strip())
    if m is None:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if month is None:
            return dt.date(int(year), 7, 1)
        if day is None:
            return dt.date(int(year), int(month), 15)
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def coding_values(concept: Any) -> Iterator[tuple[str, bool]]:
    """Values to try for a CodeableConcept, best first: ``(value, reportable)``.

    Codings become CURIEs (``SNOMEDCT:399068003``; a DICOM code stays bare, ``MR``) or
    ``system|code``; then their displays; then ``text`` (free text: tried, never reported).
    """
    if not isinstance(concept, Mapping):
        return
    codings = [c for c in concept.get("coding") or () if isinstance(c, Mapping)]
    for c in codings:
        code = c.get("code")
        if not isinstance(code, str) or not code.strip():
            continue
        raw_system = c.get("system")
        system = raw_system.rstrip("/") if isinstance(raw_system, str) else ""
        prefix = SYSTEMS.get(system)
        if system == _DICOM_SYSTEM:
            yield code.strip(), True
        elif prefix:
            yield f"{prefix}:{code.strip()}", True
        else:
            yield f"{system}|{code.strip()}" if system else code.strip(), True
    for c in codings:
        display = c.get("display")
        if isinstance(display, str) and display.strip():
            yield display.strip(), False
    text = concept.get("text")
    if isinstance(text, str) and text.strip():
        yield text.strip(), False


def coding_value(coding: Any) -> Iterator[tuple[str, bool]]:
    """The same for a bare Coding (ImagingStudy.modality, series.bodySite)."""
    if isinstance(coding, Mapping):
        yield from coding_values({"coding": [coding]})


class _Harvest:
    def __init__(self, tally: MappingTally, pseudonymiser: Pseudonymiser, ancestors: Ancestors) -> None:
        self.tally = tally
        self.pseudo = pseudonymiser
        self.subjects = SubjectTally(ancestors)
        self.result = FhirResult(aggregate=ClinicalAggregate())

    # -- mapping ------------------------------------------------------------------------------------
    def map_concept(
        self, kind: str, values: Iterable[tuple[str, bool]], *, report: bool = True
    ) -> str | None:
        """The first value that maps; when none does, the first reportable value is reported."""
        first: str | None = None
        seen_text = False
        for value, reportable in values:
            concept = self.tally.map(kind, value, count=0)
            if concept is not None:
                return concept
            if reportable and first is None:
                first = value
            seen_text = seen_text or not reportable
        if report:
            if first is not None:
                self.tally.add_unmapped(kind, first)
            elif seen_text:
                self.tally.add_unmapped(kind, "<free text withheld>")
        return None

    # -- references ---------------------------------------------------------------------------------
    def subject_key(self, ref: Any, aliases: Mapping[str, str]) -> str | None:
        if not isinstance(ref, Mapping):
            return None
        reference = ref.get("reference")
        if not isinstance(reference, str) or not reference.strip():
            return None
        reference = reference.strip()
        reference = aliases.get(reference, reference)
        m = re.search(r"(?:^|/)(Patient|Group)/([^/]+)(?:/_history/[^/]+)?$", reference)
        if m:
            reference = f"{m.group(1)}/{m.group(2)}"
        return self.pseudo.subject(reference, "fhir")

    # -- resources ----------------------------------------------------------------------------------
    def resource(
        self, res: Mapping[str, Any], where: str, aliases: Mapping[str, str], self_ref: str | None = None
    ) -> None:
        kind = res.get("resourceType")
        if not isinstance(kind, str):
            self.problem(where, "not a FHIR resource (no resourceType)")
            return
        self.result.resources[kind] += 1
        if kind == "Bundle":
            self.bundle(res, where)
            return
        if kind == "Patient":
            if self.patient(res, where, self_ref):
                self.result.used += 1
            return
        handler = {
            "Condition": self.condition,
            "Observation": self.observation,
            "ImagingStudy": self.imaging_study,
        }.get(kind)
        if handler is None:
            self.result.skipped += 1
            return
        if handler(res, where, aliases):
            self.result.used += 1

    def problem(self, where: str, reason: str) -> None:
        self.result.problems.append(Problem(where, reason))

    def bundle(self, bundle: Mapping[str, Any], where: str) -> None:
        entries = bundle.get("entry") or []
        if not isinstance(entries, list):
            self.problem(where, "Bundle.entry is not a list")
            return
        aliases: dict[str, str] = {}
        for entry in entries:
            if isinstance(entry, Mapping) and isinstance(entry.get("resource"), Mapping):
                res = entry["resource"]
                full = entry.get("fullUrl")
                if isinstance(full, str) and full.strip():
                    rtype, rid = res.get("resourceType"), res.get("id")
                    ok = isinstance(rtype, str) and isinstance(rid, str) and rid.strip()
                    aliases[full.strip()] = f"{rtype}/{str(rid).strip()}" if ok else full.strip()
        for i, entry in enumerate(entries, start=1):
            here = f"{where} entry {i}"
            if not isinstance(entry, Mapping) or not isinstance(entry.get("resource"), Mapping):
                if isinstance(entry, Mapping) and "request" in entry and "resource" not in entry:
                    continue  # e.g. a DELETE in a transaction bundle
                self.problem(here, "entry without a resource")
                continue
            full = entry.get("fullUrl")
            self_ref = aliases.get(full.strip()) if isinstance(full, str) else None
            self.resource(entry["resource"], here, aliases, self_ref)

    def patient(self, res: Mapping[str, Any], where: str, self_ref: str | None) -> bool:
        rid = res.get("id")
        if isinstance(rid, str) and rid.strip():
            ref = f"Patient/{rid.strip()}"
        elif self_ref:
            ref = self_ref  # a transaction bundle's urn:uuid fullUrl
        else:
            self.problem(where, "Patient without id or fullUrl (cannot be linked to its records)")
            return False
        key = self.pseudo.subject(ref, "fhir")
        gender = res.get("gender")
        sex = None
        if isinstance(gender, str) and gender.strip():
            sex = self.tally.map("sex", gender, count=0)
            if sex is None:
                self.tally.add_unmapped("sex", gender.strip()[:32])
        self.subjects.set_sex(key, sex)
        if "birthDate" in res:
            birth = fhir_date(res.get("birthDate"))
            if birth is None:
                self.problem(where, "Patient.birthDate is not a FHIR date (value withheld)")
            self.subjects.set_birth(key, birth)
        else:
            self.subjects.subject(key)
        return True

    def condition(self, res: Mapping[str, Any], where: str, aliases: Mapping[str, str]) -> bool:
        status = _code_of(res.get("verificationStatus"))
        if status in _SKIP_CONDITION:
            self.result.skipped += 1
            return False
        key = self.subject_key(res.get("subject"), aliases)
        if key is None:
            self.problem(where, "Condition without subject reference")
            return False
        concept = self.map_concept("condition", coding_values(res.get("code")))
        onset = fhir_date(res.get("onsetDateTime"))
        if onset is None and isinstance(res.get("onsetPeriod"), Mapping):
            onset = fhir_date(res["onsetPeriod"].get("start"))
        if onset is None:
            onset = fhir_date(res.get("recordedDate"))
        self.subjects.add_condition(key, concept, onset)
        self.subjects.subject(key)
        return concept is not None

    def observation(self, res: Mapping[str, Any], where: str, aliases: Mapping[str, str]) -> bool:
        if res.get("status") == "entered-in-error":
            self.result.skipped += 1
            return False
        key = self.subject_key(res.get("subject"), aliases)
        if key is None:
            return False
        concept = None
        if isinstance(res.get("valueCodeableConcept"), Mapping):
            concept = self.map_concept("condition", coding_values(res["valueCodeableConcept"]), report=False)
        if concept is None:
            concept = self.map_concept("condition", coding_values(res.get("code")), report=False)
        if concept is None:
            self.result.skipped += 1
            return False
        when = fhir_date(res.get("effectiveDateTime"))
        if when is None and isinstance(res.get("effectivePeriod"), Mapping):
            when = fhir_date(res["effectivePeriod"].get("start"))
        self.subjects.add_condition(key, concept, when)
        return True

    def imaging_study(self, res: Mapping[str, Any], where: str, aliases: Mapping[str, str]) -> bool:
        subject = self.subject_key(res.get("subject"), aliases)
        uid = _study_uid(res)
        if uid is not None:
            study = self.pseudo.study(uid)
        elif isinstance(res.get("id"), str):
            study = self.pseudo.key("fhir-study", res["id"])
        else:
            self.problem(where, "ImagingStudy without study UID or id")
            return False
        modalities: set[str] = set()
        body_parts: set[str] = set()
        series_keys: list[str] = []
        months: list[str] = []
        for coding in res.get("modality") or ():
            m = self.map_concept("modality", coding_value(coding))
            if m:
                modalities.add(m)
        started = fhir_date(res.get("started"))
        if started:
            months.append(month_of(started))
        series = res.get("series") or []
        if not isinstance(series, list):
            series = []
        for i, s in enumerate(series, start=1):
            if not isinstance(s, Mapping):
                self.problem(f"{where} series {i}", "not an object")
                continue
            if isinstance(s.get("uid"), str) and s["uid"].strip():
                series_keys.append(self.pseudo.series(s["uid"]))
            m = self.map_concept("modality", coding_value(s.get("modality")))
            if m:
                modalities.add(m)
            if s.get("bodySite"):
                b = self.map_concept("body_part", coding_value(s.get("bodySite")))
                if b:
                    body_parts.add(b)
            s_started = fhir_date(s.get("started"))
            if s_started and not started:
                months.append(month_of(s_started))
        self.subjects.add_study(
            subject,
            study,
            modalities=modalities,
            body_parts=body_parts,
            month=min(months) if months else None,
            series=series_keys,
        )
        return True

    # -- files --------------------------------------------------------------------------------------
    def file(self, path: Path, shown: str) -> None:
        self.result.files += 1
        if path.suffix.lower() in (".ndjson", ".jsonl"):
            self.ndjson(path, shown)
            return
        try:
            with path.open("rb") as fh:
                data = json.load(fh)
        except json.JSONDecodeError as exc:
            self.problem(shown, f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}")
            return
        except UnicodeDecodeError as exc:
            self.problem(shown, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
            return
        except OSError as exc:
            self.problem(shown, f"cannot read: {exc.strerror or exc}")
            return
        if not isinstance(data, Mapping):
            self.problem(shown, "not a FHIR resource (the JSON is not an object)")
            return
        self.resource(data, shown, {})

    def ndjson(self, path: Path, shown: str) -> None:
        try:
            with path.open("rb") as fh:
                for lineno, raw in enumerate(fh, start=1):
                    if not raw.strip():
                        continue
                    where = f"{shown} line {lineno}"
                    try:
                        data = json.loads(raw)
                    except json.JSONDecodeError as exc:
                        self.problem(where, f"not valid JSON: column {exc.colno}: {exc.msg}")
                        continue
                    except UnicodeDecodeError as exc:
                        self.problem(where, f"not UTF-8 text: {exc.reason}")
                        continue
                    if not isinstance(data, Mapping):
                        self.problem(where, "not a FHIR resource (the JSON is not an object)")
                        continue
                    self.resource(data, where, {})
        except OSError as exc:
            self.problem(shown, f"cannot read: {exc.strerror or exc}")


def _code_of(concept: Any) -> str | None:
    if isinstance(concept, Mapping):
        for c in concept.get("coding") or ():
            if isinstance(c, Mapping) and isinstance(c.get("code"), str):
                return str(c["code"])
    return None


def _study_uid(res: Mapping[str, Any]) -> str | None:
    for ident in res.get("identifier") or ():
        if not isinstance(ident, Mapping):
            continue
        value = ident.get("value")
        if ident.get("system") == "urn:dicom:uid" and isinstance(value, str) and value.strip():
            return value.strip().removeprefix("urn:oid:")
    return None


def input_files(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Files to read, with the name shown in messages (relative to the folder given)."""
    out: list[tuple[Path, str]] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES:
                    out.append((f, f"{p.name}/{f.relative_to(p)}"))
        elif p.is_file():
            out.append((p, p.name))
        else:
            raise FhirError(f"{p}: no such file or folder")
    if not out:
        raise FhirError("no FHIR input: give Bundle (.json) or Bulk Data (.ndjson) files, or folders of them")
    return out


def harvest_fhir(
    paths: Iterable[Path],
    tally: MappingTally,
    pseudonymiser: Pseudonymiser,
    *,
    ancestors: Ancestors = no_ancestors,
) -> FhirResult:
    """Aggregate FHIR R4 resources from files (see the module docstring)."""
    h = _Harvest(tally, pseudonymiser, ancestors)
    for path, shown in input_files(paths):
        h.file(path, shown)
    result = h.result
    result.aggregate = h.subjects.aggregate()
    result.invalid_ages = h.subjects.negative_ages
    return result


def run_fhir(
    store: TripleStore,
    settings: Settings,
    *,
    paths: list[Path],
    collection_id: str,
    metadata: Mapping[str, Any],
    mapper: ValueMapper,
    gate: Validator | None,
    ancestors: Ancestors = no_ancestors,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> ClinicalHarvest:
    """Harvest FHIR R4 files into source ``collection_id`` through the SHACL gate."""
    from cikg.harvest.base import RunReport, pseudonymiser
    from cikg.harvest.clinical import check_clinical_metadata, check_source_kind, publish_clinical

    check_clinical_metadata(metadata)
    check_source_kind(store, collection_id, "fhir")
    input_files(paths)  # fail early on a missing path
    names = sorted({p.resolve().name for p in paths})
    report = RunReport(
        source_id=collection_id,
        source_kind="fhir",
        source_url="file:" + (names[0] if len(names) == 1 else f"{names[0]}+{len(names) - 1}"),
        harvester=HARVESTER,
    )
    tally = MappingTally(mapper)
    result = harvest_fhir(paths, tally, pseudonymiser(settings), ancestors=ancestors)
    report.items_seen = sum(result.resources.values())
    report.items_harvested = result.used
    report.items_skipped = result.skipped
    for problem in result.problems:
        report.problem(problem.where, problem.reason)
    report.summary.update({"files": result.files, "resources": dict(sorted(result.resources.items()))})
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
        what="FHIR",
    )


__all__ = [
    "HARVESTER",
    "SYSTEMS",
    "FhirError",
    "FhirResult",
    "coding_values",
    "fhir_date",
    "harvest_fhir",
    "input_files",
    "run_fhir",
]
