"""Cohort and dataset search: query model, EUCAIM AST, columnar index, SPARQL compiler, facets.

See docs/search.md. The Catalogue exposes it as ``Catalogue.search(body)`` and
``Catalogue.collection_summary(id)``.
"""

from cikg.search.query import SearchError
from cikg.search.service import Searcher, parse_request

__all__ = ["SearchError", "Searcher", "parse_request"]
