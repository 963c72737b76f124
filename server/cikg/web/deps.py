"""Request dependencies."""

from __future__ import annotations

from fastapi import Request

from cikg.catalogue import Catalogue


def catalogue(request: Request) -> Catalogue:
    cat: Catalogue = request.app.state.catalogue
    return cat
