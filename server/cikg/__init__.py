"""cikg: the cancer imaging knowledge graph.

One hyperontology, harvested site metadata as validated RDF, search over SPARQL and REST (local and
federated) and FAIR publishing. The :class:`cikg.catalogue.Catalogue` facade is the entry point for
everything the CLI and the web service do.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cikg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
