"""The index follows the graph: a replaced source is re-read (only it), a dropped one disappears."""

from __future__ import annotations

from pathlib import Path

from cikg.catalogue import Catalogue
from tests.harvest.dicomgen import CT, make
from tests.search.fixture import HOLDERS


def _harvest(cat: Catalogue, root: Path, cid: str, subjects: int, condition: str) -> None:
    for i in range(subjects):
        make(root / cid / f"{i}.dcm", patient_id=f"{cid}-{i}", modality="CT", sop_class=CT, body_part="CHEST")
    meta = {"data_holder": HOLDERS["hosp-es"], "primary_cancer_condition": [condition]}
    assert cat.harvest_dicom(root / cid, cid, metadata=meta, workers=1).report.outcome == "conforms"


def counts(cat: Catalogue, **query: str) -> dict[str, int]:
    crit = {"field": "condition", "value": query["condition"]} if query else None
    out = cat.search({"query": crit} if crit else {})
    return {c["id"]: c["subjects_count"] for c in out["collections"]}


def test_replaced_and_dropped_sources(catalogue: Catalogue, tmp_path: Path) -> None:
    _harvest(catalogue, tmp_path / "a", "c1", 3, "lung_cancer")
    assert counts(catalogue) == {"c1": 3}
    index = catalogue.searcher.index
    assert index is not None
    _harvest(catalogue, tmp_path / "a", "c2", 2, "breast_cancer")
    parts = dict(index._parts)
    assert counts(catalogue) == {"c1": 3, "c2": 2}
    assert counts(catalogue, condition="C50") == {"c2": 2}
    c1_graph = catalogue.store.source("urn:cikg:source:c1").graph  # type: ignore[union-attr]
    # re-harvest c2 with more subjects: c1's partition is kept as is, c2's re-read
    _harvest(catalogue, tmp_path / "b", "c2", 4, "breast_cancer")
    assert counts(catalogue, condition="breast cancer") == {"c2": 4}
    assert index._parts[c1_graph] is parts[c1_graph]
    catalogue.drop_source("c2")
    assert counts(catalogue) == {"c1": 3}
    assert set(index._parts) == {c1_graph}
