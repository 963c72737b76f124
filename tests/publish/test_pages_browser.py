"""The home page and a collection page in a real browser (headless Chromium)."""

from __future__ import annotations

from typing import Any


def test_home_page_leads_to_a_collection_with_its_schema_org_dataset(chromium: Any, base: str) -> None:
    with chromium.session() as page:
        page.navigate(base + "/")
        assert "Catalogue" in page.title
        assert "Prostate mpMRI with PI-RADS annotations" in page.text("table")
        hrefs = page.execute_script(
            "return [...document.querySelectorAll('nav.links a')].map(a => a.getAttribute('href'))"
        )
        for link in ("/catalog", "/fdp", "/sparql", "/docs"):
            assert link in hrefs
        page.click('a[href="/collection/prostate-mpmri"]')
        page.wait_for("h1")
        assert page.text("h1") == "Prostate mpMRI with PI-RADS annotations"
        data = page.execute_script(
            "return JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
        )
        assert data["@type"] == "Dataset" and data["name"] == "Prostate mpMRI with PI-RADS annotations"
        assert data["creator"]["name"].startswith("Hospital Universitari")
        assert "412" in page.text("table")
        png = page.screenshot()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
