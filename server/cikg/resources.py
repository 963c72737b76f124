"""Where the authored and generated resources live: the only module that knows.

cikg is installed from a source checkout (``pip install -e .``); the top-level ``ontology/``,
``schemas/`` and ``mappings/`` folders sit next to ``server/``. ``CIKG_RESOURCE_ROOT`` points
elsewhere (e.g. a deployment that copies the three folders).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def root() -> Path:
    """The folder holding ``ontology/``, ``schemas/`` and ``mappings/``."""
    env = os.environ.get("CIKG_RESOURCE_ROOT")
    candidates = [Path(env)] if env else []
    candidates.append(_PACKAGE_DIR.parent.parent)
    for candidate in candidates:
        if (candidate / "schemas" / "cikg.yaml").is_file():
            return candidate
    raise FileNotFoundError(
        "cikg resources not found: expected schemas/cikg.yaml under "
        + " or ".join(str(c) for c in candidates)
        + ". Install cikg from a source checkout (pip install -e .) or set CIKG_RESOURCE_ROOT."
    )


def package_dir() -> Path:
    return _PACKAGE_DIR


def schemas_dir() -> Path:
    return root() / "schemas"


def schema_path() -> Path:
    return schemas_dir() / "cikg.yaml"


def enums_schema_path() -> Path:
    return schemas_dir() / "cikg_enums.yaml"


def generated_dir() -> Path:
    return schemas_dir() / "generated"


def shacl_path() -> Path:
    return generated_dir() / "cikg.shacl.ttl"


def jsonld_context_path() -> Path:
    return generated_dir() / "cikg.context.jsonld"


def ontology_dir() -> Path:
    return root() / "ontology"


def ontology_src_dir() -> Path:
    return ontology_dir() / "src"


def ontology_path() -> Path:
    """The generated hyperontology (OWL, canonical Turtle)."""
    return ontology_dir() / "cikg.ttl"


def mappings_dir() -> Path:
    return root() / "mappings"


def prefixes_path() -> Path:
    """The one CURIE prefix map (bioregistry preferred prefixes)."""
    return mappings_dir() / "prefixes.yaml"


def model_dir() -> Path:
    return _PACKAGE_DIR / "model"


def templates_dir() -> Path:
    return _PACKAGE_DIR / "web" / "templates"


def static_dir() -> Path:
    return _PACKAGE_DIR / "web" / "static"
