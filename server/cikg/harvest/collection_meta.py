"""Collection-level description the source cannot give (title, data holder, access rights, licence,
condition, ...): from CLI options and/or a small YAML file whose keys are the model's Collection slot
names (``data_holder`` may also be a mapping: the data holder's own description, and ``distribution`` a list
of mappings, the Distribution descriptions; both are then emitted into the same source graph).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from cikg.harvest.base import MappingTally
from cikg.harvest.ids import data_holder_iri
from cikg.namespaces import distribution_iri
from cikg.rdfmap import plan

_COMPUTED = {
    "id",
    "identifier",
    "number_of_subjects",
    "number_of_studies",
    "number_of_series",
    "number_of_instances",
    "sex",
    "sex_count",
    "min_typical_age",
    "max_typical_age",
    "age_bin",
    "image_modality",
    "body_part",
    "manufacturer",
    "acquisition_semantics",
    "magnetic_field_strength",
    "temporal_coverage",
    "was_generated_by",
}
ALIASES = {"condition": "primary_cancer_condition", "conditions": "primary_cancer_condition"}


class MetadataError(ValueError):
    """The collection metadata is incomplete or names an unknown field."""


def read_metadata_file(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise MetadataError(f"{path}: cannot read the collection metadata: {exc}") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"{path}: the collection metadata must be a mapping of Collection fields")
    return data


def merge(file_data: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Options given on the command line win over the file."""
    out = {ALIASES.get(k, k): v for k, v in file_data.items()}
    for k, v in options.items():
        if v not in (None, [], ()):
            out[ALIASES.get(k, k)] = v
    return out


def check(metadata: Mapping[str, Any]) -> None:
    """Fail early (before a long harvest) on unknown fields or missing required ones."""
    slots = set(plan()["Collection"].slots)
    unknown = sorted(set(metadata) - slots - {"data_holder"})
    if unknown:
        raise MetadataError(f"unknown collection field(s) {unknown}; use Collection slot names of the model")
    computed = sorted(set(metadata) & _COMPUTED)
    if computed:
        raise MetadataError(f"{computed} are computed by the harvester; remove them from the metadata")
    if not metadata.get("data_holder"):
        raise MetadataError(
            "the collection needs a data holder: --data-holder ID/IRI or `data_holder:` in --metadata"
        )
    if not metadata.get("primary_cancer_condition"):
        raise MetadataError(
            "the collection needs at least one condition: --condition (e.g. lung_cancer) or "
            "`primary_cancer_condition:` in --metadata"
        )


def build(
    metadata: Mapping[str, Any], *, collection_id: str, collection: str, base_url: str, tally: MappingTally
) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    """The Collection's steward-given fields and any extra objects (an inline data holder)."""
    check(metadata)
    obj: dict[str, Any] = {"id": collection, "identifier": collection_id}
    extra: list[tuple[str, dict[str, Any]]] = []
    for key, value in metadata.items():
        if key == "data_holder":
            if isinstance(value, Mapping):
                holder = dict(value)
                hid = str(holder.get("id") or holder.get("identifier") or "")
                if not hid:
                    raise MetadataError("data_holder: give its `id` (or `identifier`)")
                holder["id"] = hid if ":" in hid else data_holder_iri(base_url, hid)
                holder.setdefault("identifier", hid.rsplit("/", 1)[-1])
                extra.append(("DataHolder", holder))
                obj["data_holder"] = holder["id"]
            else:
                text = str(value)
                obj["data_holder"] = text if ":" in text else data_holder_iri(base_url, text)
        elif key == "distribution":
            obj[key] = []
            for dist in value if isinstance(value, list) else [value]:
                obj[key].append(_distribution(dist, base_url, extra))
        elif key == "primary_cancer_condition":
            values = value if isinstance(value, list) else [value]
            mapped = [c for v in values if (c := tally.map("condition", str(v)))]
            if not mapped:
                raise MetadataError(
                    f"none of the conditions {values} maps to a hyperontology concept (see the run report)"
                )
            obj[key] = sorted(set(mapped))
        else:
            obj[key] = value
    obj.setdefault("title", collection_id)
    obj.setdefault("access_rights", "RESTRICTED")
    return obj, extra


def _distribution(value: Any, base_url: str, extra: list[tuple[str, dict[str, Any]]]) -> str:
    """A distribution given by IRI, or described inline (``id`` + ``access_url`` at least)."""
    if not isinstance(value, Mapping):
        text = str(value)
        return text if ":" in text else distribution_iri(base_url, text)
    dist = dict(value)
    did = str(dist.get("id") or "")
    if not did or not dist.get("access_url"):
        raise MetadataError(f"distribution {dict(value)}: give at least its `id` and `access_url`")
    dist["id"] = did if ":" in did else distribution_iri(base_url, did)
    extra.append(("Distribution", dist))
    return str(dist["id"])


def default_description(collection: Mapping[str, Any]) -> str:
    parts = [
        f"{collection.get('number_of_subjects', 0)} subjects",
        f"{collection.get('number_of_studies', 0)} imaging studies",
        f"{collection.get('number_of_series', 0)} series",
    ]
    return "DICOM collection harvested by cikg: " + ", ".join(parts) + "."
