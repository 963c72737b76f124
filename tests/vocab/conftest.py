"""Fixtures for the hyperontology tests: the merged ontology and the official standards folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cikg import resources
from cikg.vocab import build


@pytest.fixture(scope="session")
def onto() -> build.Ontology:
    return build.load()


def standards_dir() -> Path:
    """``CIKG_STANDARDS_DIR``, else the nearest ``shared/standards`` beside the checkout or one of its
    parents (``<repo>/../shared/standards`` for a clone, further up for a git worktree)."""
    env = os.environ.get("CIKG_STANDARDS_DIR")
    if env:
        return Path(env)
    for parent in resources.root().parents:
        candidate = parent / "shared" / "standards"
        if candidate.is_dir():
            return candidate
    return resources.root().parent / "shared" / "standards"


@pytest.fixture(scope="session")
def sssom_json_schema() -> dict[str, Any]:
    """The SSSOM JSON Schema, rooted at its ``MappingSet`` definition. Skips only when the standards
    folder is absent altogether; a present folder without the schema is an error."""
    folder = standards_dir()
    if not folder.is_dir():
        pytest.skip(f"standards folder {folder} not present (set CIKG_STANDARDS_DIR)")
    schema = json.loads((folder / "sssom-schema" / "sssom_schema.schema.json").read_text(encoding="utf-8"))
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/MappingSet"}
