"""A small real HTTP server on 127.0.0.1 for the DCAT harvester tests (threaded ``http.server``).

Routes are set per test: a body and content type, optional ``ETag`` / ``Last-Modified`` (honoured with
``304 Not Modified``), ``Link`` header, status code, or ``hang=True`` (accepts the request and answers
nothing until the server stops). Every request is counted per path (with its conditional headers).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/turtle"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    link: str | None = None
    hang: bool = False


@dataclass
class CatalogueServer:
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    conditional_hits: Counter[str] = field(default_factory=Counter)
    not_modified: Counter[str] = field(default_factory=Counter)
    base: str = ""
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def serve_file(self, path: str, file: Path, content_type: str, **kw: object) -> Route:
        route = Route(body=file.read_bytes(), content_type=content_type, **kw)  # type: ignore[arg-type]
        self.routes[path] = route
        return route


def _handler(server: CatalogueServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            server.hits[self.path] += 1
            route = server.routes.get(self.path)
            if route is None:
                self._send(404, b"not found", "text/plain")
                return
            if route.hang:
                server.release.wait(120)
                return
            inm, ims = self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            if inm or ims:
                server.conditional_hits[self.path] += 1
            if (route.etag and inm == route.etag) or (
                not route.etag and route.last_modified and ims == route.last_modified
            ):
                server.not_modified[self.path] += 1
                self.send_response(304)
                if route.etag:
                    self.send_header("ETag", route.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers = {}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            if route.link:
                headers["Link"] = route.link
            self._send(route.status, route.body, route.content_type, headers)

        def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def catalogue_server() -> Iterator[CatalogueServer]:
    state = CatalogueServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    httpd.block_on_close = False  # type: ignore[attr-defined]
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="dcat-test-server", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)
