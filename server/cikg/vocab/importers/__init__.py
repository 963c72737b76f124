"""Importers for licensed vocabulary releases (``cikg vocab import KIND PATH``).

Each kind streams its release files into N-Triples and loads them as the source ``vocab-<kind>``
(atomic: a failed import leaves the store as it was). See docs/vocabulary.md for where to get each
release.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cikg.store import TripleStore
from cikg.vocab.importers import icd10, icdo3, loinc, mondo, ncit_flat, omop, owl, snomed
from cikg.vocab.importers.base import ImportFormatError, ImportReport, Progress, run_import, total_size
from cikg.vocab.model import VocabularyError


@dataclass(frozen=True)
class Kind:
    name: str
    description: str
    files: Callable[[Path], list[Path]]
    run: Callable[..., None]
    scheme: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            "omop",
            "OMOP vocabularies, Athena download (CONCEPT, CONCEPT_RELATIONSHIP, CONCEPT_ANCESTOR, "
            "CONCEPT_SYNONYM)",
            omop.files,
            omop.run,
            "OMOP",
        ),
        Kind(
            "snomed",
            "SNOMED CT RF2 snapshot (sct2_Concept / Description / Relationship)",
            snomed.files,
            snomed.run,
            "SNOMEDCT",
        ),
        Kind("loinc", "LOINC table (Loinc.csv)", loinc.files, loinc.run, "LOINC"),
        Kind("radlex", "RadLex OWL (RadLex.owl)", owl.files, owl.run, "RADLEX"),
        Kind(
            "ncit",
            "NCIt: Thesaurus.txt flat file, or Thesaurus.owl / ncit.owl",
            lambda p: _ncit_files(p),
            lambda ctx: _ncit_run(ctx),
            "NCIT",
        ),
        Kind("mondo", "Mondo SSSOM mapping sets (*.sssom.tsv)", mondo.files, mondo.run, "MONDO"),
        Kind("icd10", "ICD-10 ClaML XML (WHO)", icd10.files, icd10.run, "ICD10"),
        Kind("icdo3", "ICD-O-3 morphology / topography tables (CSV)", icdo3.files, icdo3.run, "ICDO3"),
    ]
}


def _ncit_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    owls = [p for p in owl.files(path)] if any(path.rglob("*.owl")) else []
    return owls or ncit_flat.files(path)


def _ncit_run(ctx: object) -> None:
    from cikg.vocab.importers.base import Context

    assert isinstance(ctx, Context)
    if all(p.suffix.lower() == ".txt" for p in ctx.paths):
        ncit_flat.run(ctx)
    else:
        owl.run(ctx)


def import_vocabulary(
    store: TripleStore,
    kind: str,
    path: Path,
    *,
    progress: Progress | None = None,
    start: Callable[[int], None] | None = None,
    tmp_dir: Path | None = None,
) -> ImportReport:
    """Import the release at ``path`` (a file or a release folder) as the source ``vocab-<kind>``."""
    spec = KINDS.get(kind.lower())
    if spec is None:
        raise VocabularyError(f"unknown vocabulary kind {kind!r}; use one of {', '.join(KINDS)}")
    files = spec.files(Path(path))
    if start is not None:
        start(total_size(files))
    return run_import(store, spec.name, spec.run, files, progress=progress, tmp_dir=tmp_dir)


__all__ = ["KINDS", "ImportFormatError", "ImportReport", "import_vocabulary"]
