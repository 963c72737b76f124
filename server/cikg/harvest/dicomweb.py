"""DICOMweb harvester: a PACS over QIDO-RS (studies -> series -> instances) -> the same Collection and
SeriesSummaries as the folder harvester.

One reused ``httpx.Client`` (a new client costs ~25 ms), paged queries (``limit`` / ``offset``),
``includefield`` for the allow-listed attributes only, and every answer filtered through
:func:`cikg.harvest.phi.raw_from_json` (a PACS returns Patient's Name & co. by default: those keys
are never looked at). Errors say what failed without a UID: "HTTP 500 on the series query of study
#3". The studies query failing (4xx/5xx, HTML instead of JSON, a hang) aborts the harvest with a
clear error and the store unchanged; a failing series or instance query is listed and the rest
continues.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from cikg import __version__
from cikg.harvest.aggregate import Aggregator
from cikg.harvest.base import MappingTally, RunReport, ValueMapper, harvest_dir, pseudonymiser, publish
from cikg.harvest.collection_meta import build, check, default_description
from cikg.harvest.ids import collection_iri
from cikg.harvest.phi import ALLOWED_TAGS_BY_KEYWORD, MissingIdentity, derive, raw_from_json
from cikg.settings import Settings
from cikg.store.base import SourceInfo, TripleStore, Validator

HARVESTER = "cikg-dicomweb"
STUDY_FIELDS = (
    "StudyInstanceUID",
    "PatientID",
    "IssuerOfPatientID",
    "PatientSex",
    "PatientAge",
    "PatientBirthDate",
    "StudyDate",
)
SERIES_FIELDS = (
    "SeriesInstanceUID",
    "Modality",
    "BodyPartExamined",
    "Laterality",
    "Manufacturer",
    "ManufacturerModelName",
    "SeriesDate",
    "SeriesDescription",
)
INSTANCE_FIELDS = (
    "SOPInstanceUID",
    "SOPClassUID",
    "ImageType",
    "ScanningSequence",
    "SequenceVariant",
    "MagneticFieldStrength",
    "ContrastBolusAgent",
    "AcquisitionDate",
    "ImageLaterality",
    "DiffusionBValue",
    "Manufacturer",
    "ManufacturerModelName",
    "BodyPartExamined",
)


class DicomWebError(ValueError):
    """The PACS could not be queried (the message names the query, never a UID)."""


@dataclass
class DicomWebHarvest:
    report: RunReport
    info: SourceInfo | None
    collection: dict[str, Any]


def _uid(obj: Mapping[str, Any], keyword: str) -> str | None:
    entry = obj.get(f"{ALLOWED_TAGS_BY_KEYWORD[keyword]:08X}")
    values = entry.get("Value") if isinstance(entry, Mapping) else None
    return str(values[0]) if values else None


class QidoClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0, page_size: int = 500) -> None:
        self.base = base_url.rstrip("/")
        self.page_size = page_size
        self.timeout = timeout
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            headers={"Accept": "application/dicom+json", "User-Agent": f"cikg/{__version__}"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def query(self, path: str, fields: tuple[str, ...], what: str) -> Iterator[dict[str, Any]]:
        """Every object of a paged QIDO-RS query; ``what`` names it in errors (no UID)."""
        includes = [f"{ALLOWED_TAGS_BY_KEYWORD[f]:08X}" for f in fields]
        offset = 0
        while True:
            params: list[tuple[str, str | int | float | bool | None]] = [
                ("limit", str(self.page_size)),
                ("offset", str(offset)),
            ]
            params += [("includefield", i) for i in includes]
            try:
                resp = self.client.get(self.base + path, params=params)
            except httpx.TimeoutException as exc:
                raise DicomWebError(
                    f"the DICOMweb server did not answer the {what} within {self.timeout:g} s"
                ) from exc
            except httpx.HTTPError as exc:
                raise DicomWebError(
                    f"cannot reach the DICOMweb server for the {what}: {type(exc).__name__}"
                ) from exc
            if resp.status_code == 204:
                return
            if resp.status_code >= 400:
                raise DicomWebError(f"the DICOMweb server answered HTTP {resp.status_code} to the {what}")
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if "html" in ctype:
                raise DicomWebError(
                    f"the DICOMweb server answered HTML, not DICOM JSON, to the {what} (is the URL the "
                    "DICOMweb root, e.g. http://host:8042/dicom-web?)"
                )
            try:
                page = json.loads(resp.content or b"[]")
            except ValueError as exc:
                raise DicomWebError(f"the DICOMweb server's answer to the {what} is not JSON") from exc
            if not isinstance(page, list):
                raise DicomWebError(f"the DICOMweb server's answer to the {what} is not a DICOM JSON array")
            yield from (o for o in page if isinstance(o, dict))
            if len(page) < self.page_size:
                return
            offset += len(page)


def harvest_dicomweb(
    store: TripleStore,
    settings: Settings,
    *,
    url: str,
    collection_id: str,
    metadata: Mapping[str, Any],
    mapper: ValueMapper,
    gate: Validator | None,
    timeout: float = 30.0,
    page_size: int = 500,
    progress: Callable[[int, int, int], None] | None = None,
    violation_rows: Callable[[object], list[dict[str, Any]]] | None = None,
) -> DicomWebHarvest:
    check(metadata)
    report = RunReport(source_id=collection_id, source_kind="dicomweb", source_url=url, harvester=HARVESTER)
    work = harvest_dir(settings, collection_id)
    pseudo = pseudonymiser(settings)
    tally = MappingTally(mapper)
    agg = Aggregator()
    qido = QidoClient(url, timeout=timeout, page_size=page_size)
    try:
        studies = list(qido.query("/studies", STUDY_FIELDS, "study query"))
        failed = 0
        for n, study in enumerate(studies, 1):
            suid = _uid(study, "StudyInstanceUID")
            if not suid:
                report.problem(f"study #{n}", "no Study Instance UID in the study answer")
                continue
            study_raw = raw_from_json(study)
            try:
                series_list = list(
                    qido.query(f"/studies/{quote(suid)}/series", SERIES_FIELDS, f"series query of study #{n}")
                )
                for m, series in enumerate(series_list, 1):
                    seuid = _uid(series, "SeriesInstanceUID")
                    if not seuid:
                        report.problem(
                            f"study #{n} series #{m}", "no Series Instance UID in the series answer"
                        )
                        continue
                    series_raw = {**study_raw, **raw_from_json(series)}
                    path = f"/studies/{quote(suid)}/series/{quote(seuid)}/instances"
                    try:
                        instances = list(
                            qido.query(path, INSTANCE_FIELDS, f"instance query of study #{n} series #{m}")
                        )
                    except DicomWebError as exc:
                        report.problem(f"study #{n} series #{m}", str(exc))
                        continue
                    for instance in instances:
                        report.items_seen += 1
                        raw = {**series_raw, **raw_from_json(instance)}
                        raw.setdefault("StudyInstanceUID", suid)
                        raw.setdefault("SeriesInstanceUID", seuid)
                        try:
                            agg.add(derive(raw, pseudo))
                            report.items_harvested += 1
                        except MissingIdentity as exc:
                            report.problem(f"study #{n} series #{m}", f"not a usable instance: {exc}")
            except DicomWebError as exc:
                report.problem(f"study #{n}", str(exc))
                failed += 1
            if progress:
                progress(n, len(studies), failed)
    finally:
        qido.close()
    coll_iri = collection_iri(settings.base_url, collection_id)
    base, extra = build(
        metadata, collection_id=collection_id, collection=coll_iri, base_url=settings.base_url, tally=tally
    )
    collection = agg.collection(base, tally)
    collection.setdefault("description", default_description(collection))
    collection["was_generated_by"] = report.run_iri
    series_objs = list(agg.series_summaries(coll_iri, tally))
    report.unmapped = tally.rows()
    report.summary.update(
        {
            "subjects": collection["number_of_subjects"],
            "studies": collection["number_of_studies"],
            "series": collection["number_of_series"],
            "instances": collection["number_of_instances"],
        }
    )
    objects: list[tuple[str, Mapping[str, Any]]] = [*extra, ("Collection", collection)]
    objects.extend(("SeriesSummary", s) for s in series_objs)
    info = publish(store, objects, report, work_dir=work, gate=gate, violation_rows=violation_rows)
    return DicomWebHarvest(report=report, info=info, collection=collection)
