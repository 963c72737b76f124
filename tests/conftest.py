"""Shared fixtures."""

from __future__ import annotations

# Real external servers (Virtuoso, Oxigraph server, Orthanc, PostgreSQL, Chromium) for integration tests.
pytest_plugins = ("tests.support.fixtures",)
