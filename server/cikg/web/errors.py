"""Domain errors to HTTP answers: a status and a message that says what is wrong and where."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cikg.catalogue import InvalidRequest, NotFound, Unauthorised
from cikg.publish import PublishingNotConfigured
from cikg.store import QueryTimeout, ResultTooLarge, StoreError
from cikg.store.endpoint import NotAcceptable, QueryRefused
from cikg.vocab import UnknownTerm

log = logging.getLogger(__name__)


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """An RFC 9457 problem document."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


_MAP: list[tuple[type[Exception], int, str]] = [
    (Unauthorised, 401, "Unauthorized"),
    (QueryRefused, 403, "Refused"),
    (NotAcceptable, 406, "Not Acceptable"),
    (PublishingNotConfigured, 409, "Publishing not configured"),
    (UnknownTerm, 404, "Not Found"),
    (ResultTooLarge, 400, "Result too large"),
    (QueryTimeout, 503, "Query timeout"),
    (NotFound, 404, "Not Found"),
    (InvalidRequest, 400, "Bad Request"),
    (StoreError, 502, "Store error"),
    (ValueError, 400, "Bad Request"),
]


def install(app: FastAPI) -> None:
    for exc_type, status, title in _MAP:

        async def handler(
            request: Request, exc: Exception, status: int = status, title: str = title
        ) -> JSONResponse:
            if status >= 500:
                log.warning("%s %s: %s", request.method, request.url.path, exc)
            answer = problem(status, title, str(exc))
            if status == 401:
                answer.headers["WWW-Authenticate"] = 'Bearer realm="cikg"'
            return answer

        app.add_exception_handler(exc_type, handler)
