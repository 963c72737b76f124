"""Identifiers a harvest mints: source IRIs and resource IRIs.

The rules live in :mod:`cikg.namespaces` (one place for the harvesters, the facade and the web service
that resolves the same paths); a series summary's IRI carries only its keyed pseudonym.
"""

from __future__ import annotations

from cikg.namespaces import (
    SOURCE_PREFIX,
    check_source_id,
    collection_iri,
    source_iri,
)
from cikg.namespaces import holder_iri as data_holder_iri

__all__ = [
    "SOURCE_PREFIX",
    "check_source_id",
    "collection_iri",
    "data_holder_iri",
    "series_iri",
    "source_iri",
]


def series_iri(collection: str, series_key: str) -> str:
    return f"{collection}/series/{series_key}"
