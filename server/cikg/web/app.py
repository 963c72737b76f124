"""FastAPI application factory."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cikg import __version__
from cikg.catalogue import Catalogue
from cikg.federation import http_client
from cikg.settings import Settings, get_settings
from cikg.web import errors
from cikg.web.routes import ROUTERS

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, catalogue: Catalogue | None = None) -> FastAPI:
    """The cikg web service for ``settings`` (or an already open ``catalogue``, e.g. in tests)."""
    settings = settings or (catalogue.settings if catalogue else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = catalogue is None
        cat = catalogue or Catalogue(settings)
        app.state.catalogue = cat
        app.state.settings = settings
        app.state.query_slots = threading.BoundedSemaphore(settings.max_concurrent_queries)
        if owned:  # leftovers of interrupted loads are dropped in the background
            threading.Thread(target=_collect, args=(cat,), name="cikg-gc", daemon=True).start()
        # the term index is built (or loaded from its cache) in the background: start is not delayed
        threading.Thread(target=_warm, args=(cat,), name="cikg-vocab", daemon=True).start()
        # one shared async HTTP client for the hub's fan-out (a new client costs ~25 ms)
        app.state.http = http_client()
        try:
            yield
        finally:
            await app.state.http.aclose()
            if owned:
                cat.close()

    app = FastAPI(
        title="cikg",
        version=__version__,
        description=(
            "The cancer imaging knowledge graph: hyperontology, harvested collections, search (local and "
            "federated), SPARQL 1.1 and FAIR publishing."
        ),
        lifespan=lifespan,
    )
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def _warm(cat: Catalogue) -> None:
    try:
        cat.warm_vocabulary()
    except Exception as exc:  # a missing ontology is reported by the term endpoints themselves
        log.warning("term index not built: %s", exc)
    try:
        cat.warm_search()
    except Exception as exc:  # the search rebuilds on first use and reports its own errors
        log.warning("search index not built: %s", exc)


def _collect(cat: Catalogue) -> None:
    try:
        dropped = cat.collect_garbage()
        if dropped:
            log.info("dropped %d leftover graph(s) of interrupted or replaced loads", len(dropped))
    except Exception as exc:  # never take the service down for housekeeping
        log.warning("garbage collection failed: %s", exc)
