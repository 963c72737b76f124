"""Announce the node to a FAIR Data Point index, as the reference FDP does.

The reference implementation POSTs ``{"clientUrl": <its persistent URL>}`` as JSON to each configured
ping endpoint (the URL as configured, e.g. https://home.fairdatapoint.org); the index then harvests the
FDP at that URL. cikg's FDP answers at its base URL (Turtle / JSON-LD by content negotiation) and at
``{base}/fdp``.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class PingFailed(RuntimeError):
    """The index could not be reached or refused the ping (the message says which and why)."""


@dataclass(frozen=True)
class PingResult:
    index: str
    client_url: str
    status: int


def ping(index_url: str, client_url: str, *, timeout: float = 15.0) -> PingResult:
    if not index_url.startswith(("http://", "https://")):
        raise PingFailed(f"{index_url!r} is not an http(s) URL of an FDP index ping endpoint")
    try:
        response = httpx.post(index_url, json={"clientUrl": client_url}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise PingFailed(f"could not reach the FDP index at {index_url}: {exc}") from exc
    if response.status_code >= 400:
        detail = response.text.strip()[:300]
        raise PingFailed(f"the FDP index at {index_url} answered {response.status_code}: {detail}")
    return PingResult(index_url, client_url, response.status_code)
