"""The store layer: the ``TripleStore`` port and its adapters (embedded Oxigraph, remote SPARQL)."""

from __future__ import annotations

from cikg.settings import Settings
from cikg.store.base import (
    Dataset,
    RdfData,
    SourceInfo,
    SourceRejected,
    StagedGraph,
    StoreError,
    StoreLockedError,
    TripleStore,
)
from cikg.store.results import QueryResult, QueryTimeout, ResultTooLarge


def open_store(settings: Settings, *, read_only: bool = False) -> TripleStore:
    """The store the settings ask for."""
    if settings.store == "sparql":
        from cikg.store.remote import RemoteSparqlStore

        if not settings.sparql_query_url:
            raise StoreError("CIKG_STORE=sparql needs CIKG_SPARQL_QUERY_URL")
        return RemoteSparqlStore(
            settings.sparql_query_url,
            settings.sparql_update_url,
            settings.sparql_gsp_url,
            user=settings.sparql_user,
            password=settings.sparql_password,
            auth=settings.sparql_auth,
        )
    from cikg.store.oxigraph import OxigraphStore

    return OxigraphStore(settings.store_dir, read_only=read_only)


__all__ = [
    "Dataset",
    "QueryResult",
    "QueryTimeout",
    "RdfData",
    "ResultTooLarge",
    "SourceInfo",
    "SourceRejected",
    "StagedGraph",
    "StoreError",
    "StoreLockedError",
    "TripleStore",
    "open_store",
]
