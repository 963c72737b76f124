"""Route modules; each is thin: parse, call one Catalogue method, render."""

from fastapi import APIRouter

from cikg.web.routes import (
    beacon,
    catalog,
    fdp,
    federated,
    health,
    ontology,
    resources,
    search,
    sparql,
    terms,
)

ROUTERS: list[APIRouter] = [
    health.router,
    sparql.router,
    terms.router,
    search.router,
    ontology.router,
    catalog.router,
    resources.router,
    fdp.router,
    federated.router,
    beacon.router,
]
