"""The HTTP service: ``create_app(settings)`` and thin routes over the Catalogue facade."""

from cikg.web.app import create_app

__all__ = ["create_app"]
