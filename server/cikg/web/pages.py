"""HTML rendering (Jinja2 templates in web/templates)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cikg import __version__, resources


@cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(resources.templates_dir())),
        autoescape=select_autoescape(["html"]),
    )


def render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(version=__version__, **context)
