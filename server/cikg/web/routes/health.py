from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from cikg.catalogue import Catalogue
from cikg.web.deps import catalogue

router = APIRouter(tags=["service"])


@router.get("/health", summary="Liveness and basic facts")
def health(cat: Catalogue = Depends(catalogue)) -> dict[str, Any]:
    return cat.health()
