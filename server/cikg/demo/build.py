"""The demo's sources on disk and the harvest jobs that turn them into the catalogue.

:func:`prepare` writes (or finds, when written before with the same scale and seed) every source of the
federation under ``<data_dir>/demo/sources/``: DICOM folders with a ``meta.yaml`` each, the Spanish
eCRF with its column mapping and the steward's SSSOM, the OMOP extract, the FHIR bundles. It returns
the :class:`HarvestJob` list the facade runs through the real harvesters and the SHACL gate. The
manifest (``<data_dir>/demo/manifest.json``) records a completed build, so a second ``cikg demo`` on the
same folder starts serving at once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cikg.demo import clinical, dicom
from cikg.demo.federation import COLLECTIONS, DEFAULT_SERIES, LOCAL_ES, PERSONS_PER_WEIGHT, CollectionSpec
from cikg.demo.federation import series_budget as _budget

FORMAT = 2
"""Bumped when the generated sources change shape (an older demo folder is then rebuilt); 2: access levels."""
LARGE = 20_000
"""From this many series on, every series has one instance (a header-only file)."""

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``."""


@dataclass(frozen=True)
class HarvestJob:
    kind: str
    """``dicom``, ``csv`` or ``fhir``."""
    source_id: str
    paths: list[Path]
    metadata: dict[str, Any]
    mapping: Path | None = None
    size: int = 1
    """Series (DICOM) or persons (clinical): the job's weight in the progress display."""


@dataclass
class DemoSettings:
    scale: int = DEFAULT_SERIES
    seed: int = 1
    base_url: str = ""
    format: int = FORMAT
    sources: list[str] = field(default_factory=list)

    def generation_key(self) -> dict[str, int]:
        return {"scale": self.scale, "seed": self.seed, "format": self.format}


def demo_dir(data_dir: Path) -> Path:
    return data_dir / "demo"


def steward_mappings(data_dir: Path) -> Path:
    """The Valencia steward's SSSOM (the facade adds it to the harvest's local mappings)."""
    return demo_dir(data_dir) / "sources" / "chaimeleon-valencia-lung-ecrf" / "valencia.sssom.tsv"


PROJECT_SITES = {
    "CHAIMELEON": "https://chaimeleon.eu/",
    "EuCanImage": "https://eucanimage.eu/",
    "INCISIVE": "https://incisive-project.eu/",
    "ProCAncer-I": "https://www.procancer-i.eu/",
    "PRIMAGE": "https://www.primageproject.eu/",
}
"""Where each project's data is requested: the access URL of the demo collections' one distribution."""


def metadata(spec: CollectionSpec) -> dict[str, Any]:
    """The steward-given collection description (``--metadata``) in the site's own coding habit."""
    h = spec.holder
    md: dict[str, Any] = {
        "title": spec.title,
        "description": f"{spec.description} Synthetic demo data modelled on the {spec.project} project.",
        "keyword": [spec.project, *spec.keywords],
        "data_holder": {
            "id": h.id,
            "name": h.name,
            "country": h.country,
            "juridical_person": h.name,
            "description": f"A synthetic {spec.project} data holder in {h.city}.",
        },
        "access_rights": spec.access_rights,
        "distribution": [
            {
                "id": f"{spec.id}-access",
                "title": f"{spec.title}: access on request through the {spec.project} platform",
                "access_url": PROJECT_SITES[spec.project],
            }
        ],
    }
    if spec.kind == "dicom":
        md["primary_cancer_condition"] = list(spec.habit.conditions)
    return md


def read_manifest(data_dir: Path) -> DemoSettings | None:
    path = demo_dir(data_dir) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return DemoSettings(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_manifest(data_dir: Path, settings: DemoSettings) -> None:
    path = demo_dir(data_dir) / "manifest.json"
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    tmp.replace(path)


def prepare(
    data_dir: Path, settings: DemoSettings, *, workers: int | None = None, progress: Progress | None = None
) -> list[HarvestJob]:
    """Write the federation's sources (unless already written for the same scale and seed); the jobs."""
    root = demo_dir(data_dir) / "sources"
    stamp = root / "generated.json"
    key = settings.generation_key()
    try:
        fresh = json.loads(stamp.read_text(encoding="utf-8")) != key
    except (OSError, ValueError):
        fresh = True
    budget = _budget(settings.scale)
    instances = 1 if settings.scale >= LARGE else None
    imaging = [c for c in COLLECTIONS if c.kind == "dicom"]
    subjects = {c.id: dicom.subjects_for(c, settings.seed, budget[c.id]) for c in imaging}
    if fresh:
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        total = sum(budget.values())
        done = 0

        def tick(series: int) -> None:
            nonlocal done
            done += series
            if progress:
                progress("generate", min(done, total), total)

        if progress:
            progress("generate", 0, total)
        dicom.generate(
            [(c, root / c.id / "dicom", subjects[c.id]) for c in imaging],
            seed=settings.seed,
            instances=instances,
            workers=workers,
            progress=tick,
        )
    jobs: list[HarvestJob] = []
    for spec in COLLECTIONS:
        folder = root / spec.id
        md = metadata(spec)
        persons = round(spec.weight * PERSONS_PER_WEIGHT)
        if spec.kind == "dicom":
            if fresh:
                (folder / "meta.yaml").write_text(
                    yaml.safe_dump(md, allow_unicode=True, sort_keys=False), encoding="utf-8"
                )
            jobs.append(HarvestJob("dicom", spec.id, [folder / "dicom"], md, size=budget[spec.id]))
        elif spec.kind == "csv":
            if spec.habit.name == LOCAL_ES:
                path, mapping = (folder / "ecrf.csv", folder / "mapping.yaml")
                if fresh:
                    path, mapping = clinical.write_valencia_csv(spec, settings.seed, folder, persons)
            else:
                path, mapping = (folder / "omop_extract.csv", folder / "mapping.yaml")
                if fresh:
                    path, mapping = clinical.write_omop_csv(spec, settings.seed, folder, persons)
            jobs.append(HarvestJob("csv", spec.id, [path], md, mapping=mapping, size=persons))
        else:
            if fresh:
                site = "lung" if "lung" in spec.id else "liver"
                clinical.write_fhir(spec, settings.seed, folder, persons, site)
            jobs.append(HarvestJob("fhir", spec.id, sorted(folder.glob("bundle-*.json")), md, size=persons))
        if fresh and spec.kind != "dicom":
            (folder / "meta.yaml").write_text(
                yaml.safe_dump(md, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
    if fresh:
        stamp.write_text(json.dumps(key), encoding="utf-8")
    return jobs


PUBLISHING = {
    "catalogue_title": "cikg demo: a synthetic AI4HI cancer imaging federation",
    "catalogue_description": (
        "Synthetic collections modelled on the five AI4HI projects (CHAIMELEON, EuCanImage, INCISIVE, "
        "ProCAncer-I, PRIMAGE): DICOM, eCRF, OMOP and FHIR sources of eleven demo sites in nine countries, "
        "each coded its own way, harvested through the SHACL gate. No real patient data."
    ),
    "publisher_name": "cikg demo node",
    "publisher_email": "demo-steward@cikg.example.org",
    "hdab_name": "Demo health data access body",
    "hdab_email": "access@hdab.example.org",
}
"""Publishing settings of the demo node, used where the user set none (env / .env still win)."""


def demo_settings(settings: Any) -> Any:
    """``settings`` with the demo's publishing defaults and the Valencia steward's SSSOM as a local
    mapping file (the imaging collection there is described with the same local terms)."""
    update: dict[str, Any] = {k: v for k, v in PUBLISHING.items() if getattr(settings, k) is None}
    if settings.publisher_url is None:
        update["publisher_url"] = settings.base_url + "/"
    steward = steward_mappings(settings.data_dir)
    if steward not in settings.local_mappings:
        update["local_mappings"] = [*settings.local_mappings, steward]
    return settings.model_copy(update=update)
