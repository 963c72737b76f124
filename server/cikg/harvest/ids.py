"""Identifiers a harvest mints: source IRIs (as the facade's ``source_iri``) and resource IRIs.

Catalogue content (collections, data holders, series summaries) gets IRIs under the node's public
base URL; a series summary's IRI carries only its keyed pseudonym.
"""

from __future__ import annotations

import re

_SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
SOURCE_PREFIX = "urn:cikg:source:"


def check_source_id(source_id: str) -> str:
    if not _SOURCE_ID.match(source_id):
        raise ValueError(
            f"invalid source id {source_id!r}: use letters, digits, '.', '_' or '-' (at most 128 characters)"
        )
    return source_id


def source_iri(source_id: str) -> str:
    """``urn:cikg:source:<id>`` (the same rule as :func:`cikg.catalogue.source_iri`)."""
    return SOURCE_PREFIX + check_source_id(source_id)


def collection_iri(base_url: str, collection_id: str) -> str:
    return f"{base_url.rstrip('/')}/collection/{check_source_id(collection_id)}"


def data_holder_iri(base_url: str, holder_id: str) -> str:
    return f"{base_url.rstrip('/')}/data-holder/{check_source_id(holder_id)}"


def series_iri(collection: str, series_key: str) -> str:
    return f"{collection}/series/{series_key}"
