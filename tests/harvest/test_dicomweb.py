"""DICOMweb harvester against a real Orthanc (Debian `orthanc` + `orthanc-dicomweb`, started by the
fixture on 127.0.0.1, filled through its REST API); bad HTTP sources give clear errors."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pydicom
import pyoxigraph as ox
import pytest

from cikg.harvest.dicomweb import DicomWebError, harvest_dicomweb
from cikg.harvest.interim_mapper import InterimValueMapper
from cikg.settings import Settings
from cikg.store.oxigraph import OxigraphStore
from cikg.validate import ShaclGate, report_rows
from tests.harvest.conftest import METADATA
from tests.harvest.dicomgen import make_marked


def _harvest(store: OxigraphStore, settings: Settings, url: str, **kw: Any) -> Any:
    return harvest_dicomweb(
        store,
        settings,
        url=url,
        collection_id="pacs",
        metadata=METADATA,
        mapper=InterimValueMapper(),
        gate=ShaclGate(),
        violation_rows=report_rows,
        **kw,
    )


@pytest.mark.integration
def test_orthanc_harvest_matches_the_uploaded_files(
    orthanc: Any, tmp_path: Path, settings: Settings, store: OxigraphStore
) -> None:
    from pydicom.data import get_testdata_file

    orthanc.clear()
    names = ["CT_small.dcm", "MR_small.dcm", "rtdose.dcm", "JPEG2000.dcm", "SC_rgb.dcm"]
    files = [Path(p) for n in names if (p := get_testdata_file(n)) and Path(p).is_file()]
    for f in files:
        orthanc.upload(f)
    marked, markers = make_marked(tmp_path / "marked.dcm")
    orthanc.upload(marked)
    result = _harvest(store, settings, orthanc.dicomweb_url, page_size=2)
    report = result.report
    assert report.outcome == "conforms", report.violations
    expected_studies = {str(pydicom.dcmread(f, stop_before_pixels=True).StudyInstanceUID) for f in files}
    assert result.collection["number_of_studies"] == len(expected_studies) + 1  # + the marked file
    assert report.items_harvested == len(files) + 1
    modalities = {str(pydicom.dcmread(f, stop_before_pixels=True).Modality) for f in files}
    mapper = InterimValueMapper()
    assert set(result.collection["image_modality"]) == {
        m for v in modalities | {"MR"} if (m := mapper.map_value("modality", v))
    }
    # no marker (Annex E attributes, private tags) anywhere
    dump = io.BytesIO()
    store.dump(dump, ox.RdfFormat.N_QUADS, graphs=[g.value for g in store._store.named_graphs()])
    text = (dump.getvalue().decode() + str(report.to_json())).lower()
    assert not [m for m in markers if m.lower() in text]
    for p in settings.data_dir.rglob("*"):
        if p.is_file():
            data = p.read_bytes().decode("latin-1").lower()
            assert not [m for m in markers if m.lower() in data], p


class _Bad(BaseHTTPRequestHandler):
    mode = "500"

    def do_GET(self) -> None:
        if self.mode == "hang":
            threading.Event().wait(5)
            return
        if self.mode == "html":
            body = b"<html><body>login</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
        else:
            body = b"oops"
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def bad_server() -> Iterator[tuple[str, type[_Bad]]]:
    handler = type("H", (_Bad,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/dicom-web", handler
    server.shutdown()


@pytest.mark.parametrize(
    ("mode", "message"), [("500", "HTTP 500"), ("html", "HTML"), ("hang", "did not answer")]
)
def test_bad_http_sources_fail_clearly_and_leave_the_store(
    bad_server: tuple[str, type[_Bad]], mode: str, message: str, settings: Settings, store: OxigraphStore
) -> None:
    url, handler = bad_server
    handler.mode = mode
    with pytest.raises(DicomWebError, match=message):
        _harvest(store, settings, url, timeout=1.0)
    assert store.sources() == []


def test_unreachable_server(settings: Settings, store: OxigraphStore) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(DicomWebError, match="cannot reach"):
        _harvest(store, settings, f"http://127.0.0.1:{port}/dicom-web", timeout=1.0)
