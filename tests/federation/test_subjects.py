"""Subjects present in several collections of a node are counted once (real harvest, keyed pseudonyms)."""

from __future__ import annotations

from pathlib import Path

from cikg.catalogue import Catalogue
from cikg.namespaces import collection_iri
from cikg.settings import Settings
from tests.federation.cluster import harvest_node


def test_overlap_is_the_subjects_in_both_collections(tmp_path: Path) -> None:
    base = "http://127.0.0.1:9"
    for seed in (0, 2):
        data_dir = tmp_path / f"n{seed}" / "data"
        held = harvest_node(data_dir, f"n{seed}", seed, base_url=base)
        with Catalogue(Settings(data_dir=data_dir, base_url=base)) as cat:
            iris = [collection_iri(base, cid) for cid in held.collections]
            assert cat.subject_overlap(iris) == held.shared_subjects
            assert cat.subject_overlap(iris[:1]) == 0
            assert cat.subject_overlap([*iris, collection_iri(base, "absent")]) == held.shared_subjects
