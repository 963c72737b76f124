"""Where the official standards (../shared/standards) and the reference vocabulary data
(../shared/vocab) are, for conformance tests.

``CIKG_STANDARDS_DIR``, else the nearest ``shared/standards`` beside the checkout or one of its parents
(``<repo>/../shared/standards`` for a clone, further up for a git worktree), else the workplace's
``/work/shared/standards`` (where CI machines keep them, wherever the clone is). Conformance tests skip
only when the folder is absent altogether; when it is present, a violation fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cikg import resources


def standards_dir() -> Path:
    return shared_dir("standards", os.environ.get("CIKG_STANDARDS_DIR"))


def vocab_dir() -> Path:
    """../shared/vocab: real Mondo mapping sets, the seed tables of cancer types and DICOM terms."""
    return shared_dir("vocab", os.environ.get("CIKG_SHARED_VOCAB_DIR"))


def shared_dir(name: str, env: str | None = None) -> Path:
    if env:
        return Path(env)
    for parent in resources.root().parents:
        candidate = parent / "shared" / name
        if candidate.is_dir():
            return candidate
    workplace = Path("/work/shared") / name
    if workplace.is_dir():
        return workplace
    return resources.root().parent / "shared" / name


def require_standards() -> Path:
    folder = standards_dir()
    if not folder.is_dir():
        pytest.skip(f"standards folder {folder} not present (set CIKG_STANDARDS_DIR)")
    return folder


def sssom_json_schema() -> dict[str, Any]:
    """The SSSOM JSON Schema rooted at ``MappingSet`` (a present folder without it is an error)."""
    folder = require_standards()
    schema = json.loads((folder / "sssom-schema" / "sssom_schema.schema.json").read_text(encoding="utf-8"))
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/MappingSet"}
