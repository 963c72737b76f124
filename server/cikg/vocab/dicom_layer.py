"""The DICOM layer of the hyperontology, generated from what the installed pydicom / highdicom carry.

Nothing here is copied by hand from the standard: every concept and code comes from the packages at
build time, so upgrading pydicom or highdicom and running ``make gen`` updates the layer (and the
drift test says so until the regenerated files are committed).

* Modalities: DICOM CID 29 (acquisition modality) and CID 33 (modality), ``pydicom.sr``.
  Id ``modality_<code lower>``, mapping ``DCM:<code>``.
* Body parts: every Body Part Examined defined term of PS3.16 Annex L with its SNOMED CT code, as
  highdicom ships the table (``highdicom/_standard/anatomic_regions.json``). Id ``bp_<term lower>``.
* Storage SOP classes: ``pydicom._uid_dict``, the non-retired storage SOP classes of the
  ``1.2.840.10008.5.1.4.1.1`` arc (composite objects), without the non-medical DICOS (``.501``) and
  DICONDE (``.601``) families. Id ``sop_<snake case of the SOP class name>``, mapping ``DICOMUID:<uid>``.
* Labels of DICOM codes (DCM, and SNOMED CT / NCIt / RadLex / LOINC codes DICOM uses): ``dicom_label``
  looks a code up in pydicom's concept dictionaries, so mapping rows to those codes carry the label
  DICOM publishes (free to ship) and never a label from a restricted release.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

SOP_STORAGE_ARC = "1.2.840.10008.5.1.4.1.1."
SOP_EXCLUDED_ARCS = ("1.2.840.10008.5.1.4.1.1.501.", "1.2.840.10008.5.1.4.1.1.601.")

# pydicom coding-scheme designators -> our canonical CURIE prefixes
_SCHEME_TO_PREFIX = {"DCM": "DCM", "SCT": "SNOMEDCT", "NCIt": "NCIT", "RADLEX": "RADLEX", "LN": "LOINC"}


@dataclass(frozen=True)
class DicomConcept:
    """One generated concept: id, English label, default parent, notation and its defining code."""

    id: str
    branch: str
    label: str
    notation: str
    object_id: str
    object_label: str
    definition: str
    source: str
    predicate: str = "skos:exactMatch"


def provenance() -> str:
    """The packages (and versions) the DICOM layer was generated from."""
    return f"pydicom {version('pydicom')}, highdicom {version('highdicom')}"


def sop_id(name: str) -> str:
    """``sop_`` + the SOP class name in snake case (``CT Image Storage`` -> ``sop_ct_image_storage``)."""
    return "sop_" + _slug(name)


def _slug(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


@cache
def _concepts() -> dict[str, dict[str, tuple[str, list[int]]]]:
    """pydicom's concept dictionary flattened to scheme -> code -> (meaning, cids)."""
    from pydicom.sr._concepts_dict import concepts as _raw

    concepts: dict[str, dict[str, dict[str, tuple[str, list[int]]]]] = _raw  # type: ignore[assignment]
    flat: dict[str, dict[str, tuple[str, list[int]]]] = {}
    for scheme, by_keyword in concepts.items():
        target = flat.setdefault(scheme, {})
        # sorted keywords: when several keywords share a code, the choice is deterministic
        for keyword in sorted(by_keyword):
            for code, (meaning, cids) in by_keyword[keyword].items():
                known = target.get(code)
                # prefer the shortest meaning (DICOM's display name, not the FSN with its tag)
                if known is None or (len(meaning), meaning) < (len(known[0]), known[0]):
                    target[code] = (meaning, list(cids))
    return flat


def dicom_label(curie: str) -> str | None:
    """The label DICOM (via pydicom) gives a code, for DCM / SNOMEDCT / NCIT / RADLEX / LOINC CURIEs."""
    prefix, _, local = curie.partition(":")
    for scheme, canonical in _SCHEME_TO_PREFIX.items():
        if canonical == prefix:
            found = _concepts().get(scheme, {}).get(local)
            return found[0] if found else None
    return None


@cache
def _all_meanings() -> dict[str, frozenset[str]]:
    """CURIE -> every meaning DICOM gives it (pydicom's concept dictionaries and Annex L)."""
    from pydicom.sr._concepts_dict import concepts as _raw

    concepts: dict[str, dict[str, dict[str, tuple[str, list[int]]]]] = _raw  # type: ignore[assignment]
    found: dict[str, set[str]] = {}
    for scheme, by_keyword in concepts.items():
        prefix = _SCHEME_TO_PREFIX.get(scheme)
        if prefix is None:
            continue
        for codes in by_keyword.values():
            for code, (meaning, _cids) in codes.items():
                found.setdefault(f"{prefix}:{code}", set()).add(meaning)
    table = json.loads(_anatomic_regions_path().read_text(encoding="utf-8"))
    for scheme, code, meaning, _laterality in table.values():
        found.setdefault(f"{_SCHEME_TO_PREFIX[scheme]}:{code}", set()).add(meaning)
    return {k: frozenset(v) for k, v in found.items()}


def dicom_meanings(curie: str) -> frozenset[str]:
    """Every label DICOM publishes for a code (empty when DICOM does not use the code)."""
    return _all_meanings().get(curie, frozenset())


def in_dicom(curie: str) -> bool:
    return bool(dicom_meanings(curie))


def modalities() -> list[DicomConcept]:
    from pydicom.sr._cid_dict import cid_concepts
    from pydicom.sr._concepts_dict import concepts as _raw

    concepts: dict[str, dict[str, dict[str, tuple[str, list[int]]]]] = _raw  # type: ignore[assignment]
    acquisition = set(cid_concepts[29]["DCM"])
    keywords = sorted(acquisition | set(cid_concepts[33]["DCM"]))
    out = []
    for keyword in keywords:
        for code, (meaning, _cids) in sorted(concepts["DCM"][keyword].items()):
            cid = "CID 29 and CID 33" if keyword in acquisition else "CID 33"
            out.append(
                DicomConcept(
                    id="modality_" + _slug(code),
                    branch="imaging_modality",
                    label=meaning,
                    notation=code,
                    object_id=f"DCM:{code}",
                    object_label=meaning,
                    definition=f"The DICOM modality {code} ({meaning}; DICOM PS3.16 {cid}).",
                    source=f"DICOM PS3.16 {cid}",
                )
            )
    return out


def _anatomic_regions_path() -> Path:
    import highdicom

    return Path(highdicom.__file__).parent / "_standard" / "anatomic_regions.json"


def body_parts() -> list[DicomConcept]:
    """Annex L terms. Where several terms share one SNOMED CT code (CHEST and THORAX; ENDORECTAL and
    RECTUM...), the primary term (not an ENDO* approach term, then the shortest) gets the exactMatch and
    the others a closeMatch, so a code resolves to one concept."""
    table = json.loads(_anatomic_regions_path().read_text(encoding="utf-8"))
    by_code: dict[str, list[str]] = {}
    for term, row in table.items():
        by_code.setdefault(f"{row[0]}:{row[1]}", []).append(term)
    primary = {
        code: min(terms, key=lambda t: (t.startswith("ENDO"), len(t), t)) for code, terms in by_code.items()
    }
    out = []
    for term in sorted(table):
        scheme, code, meaning, _laterality = table[term]
        prefix = _SCHEME_TO_PREFIX[scheme]
        first = primary[f"{scheme}:{code}"]
        shared = "" if first == term else f"; shares its SNOMED CT code with {first}"
        out.append(
            DicomConcept(
                id="bp_" + _slug(term),
                branch="body_structure",
                label=meaning,
                notation=term,
                object_id=f"{prefix}:{code}",
                object_label=meaning,
                definition=(
                    f"The body part denoted by the DICOM Body Part Examined defined term {term}"
                    f" ({meaning}; DICOM PS3.16 Annex L)."
                ),
                source="DICOM PS3.16 Annex L" + shared,
                predicate="skos:exactMatch" if first == term else "skos:closeMatch",
            )
        )
    return out


def laterality_applicable() -> dict[str, bool]:
    """bp id -> whether DICOM says laterality applies (Annex L)."""
    table = json.loads(_anatomic_regions_path().read_text(encoding="utf-8"))
    return {"bp_" + _slug(term): bool(row[3]) for term, row in table.items()}


def sop_classes() -> list[DicomConcept]:
    from pydicom._uid_dict import UID_dictionary

    out = []
    for uid in sorted(UID_dictionary, key=lambda u: [int(p) for p in u.split(".")]):
        name, kind, _info, retired, _keyword = UID_dictionary[uid]
        if kind != "SOP Class" or retired or " Storage" not in f" {name}":
            continue
        if not uid.startswith(SOP_STORAGE_ARC) or uid.startswith(SOP_EXCLUDED_ARCS):
            continue
        out.append(
            DicomConcept(
                id=sop_id(name),
                branch="sop_class",
                label=name,
                notation=uid,
                object_id=f"DICOMUID:{uid}",
                object_label=name,
                definition=f"The DICOM storage SOP class {name} (SOP Class UID {uid}, DICOM PS3.4 / PS3.6).",
                source="DICOM PS3.6 Table A-1",
            )
        )
    return out


def generated() -> list[DicomConcept]:
    concepts = [*modalities(), *body_parts(), *sop_classes()]
    seen: dict[str, DicomConcept] = {}
    for c in concepts:
        if c.id in seen:
            raise ValueError(f"generated DICOM ids collide: {c.id} ({seen[c.id].notation} and {c.notation})")
        seen[c.id] = c
    return concepts
