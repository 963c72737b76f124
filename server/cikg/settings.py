"""Settings from the environment (``CIKG_*``) and an optional ``.env`` file.

Nothing is built at import: :func:`get_settings` reads once and caches; tests and the CLI build their
own :class:`Settings` and pass them down.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CIKG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("./cikg-data"),
        description="Where the embedded store, the search index and harvest state live.",
    )
    store: Literal["oxigraph", "sparql"] = Field(
        default="oxigraph", description="`oxigraph`: the embedded store on disk; `sparql`: a remote endpoint."
    )
    sparql_query_url: str | None = Field(default=None, description="Remote store: SPARQL 1.1 query endpoint.")
    sparql_update_url: str | None = Field(
        default=None, description="Remote store: SPARQL 1.1 update endpoint."
    )
    sparql_gsp_url: str | None = Field(
        default=None, description="Remote store: Graph Store Protocol endpoint."
    )
    sparql_user: str | None = None
    sparql_password: str | None = None
    sparql_auth: Literal["basic", "digest"] = "digest"
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public base URL: catalogue, collection and data holder IRIs are minted under it.",
    )
    query_timeout: float = Field(default=30.0, gt=0, description="SPARQL endpoint query timeout, seconds.")
    result_cap: int = Field(
        default=100_000, gt=0, description="Maximum rows / triples a /sparql answer returns."
    )
    max_concurrent_queries: int = Field(default=4, gt=0)
    service_allowlist: list[str] = Field(
        default_factory=list,
        description="Hosts a SPARQL `SERVICE` clause may call (federated queries); empty: none.",
    )
    pseudonym_secret_file: Path | None = Field(
        default=None,
        description="Per-site secret for keyed pseudonyms (default <data_dir>/secrets/pseudonym.key).",
    )
    log_level: str = "INFO"
    vocabulary_dir: Path | None = Field(
        default=None,
        description=(
            "Serve another hyperontology build: a folder with cikg.ttl, branches.yaml and "
            "mappings/*.sssom.tsv "
            "(default: the project's ontology/ and mappings/)."
        ),
    )
    local_mappings: list[Path] = Field(
        default_factory=list,
        description="Stewards' reviewed SSSOM files used by harvesting, besides mappings/local/*.sssom.tsv.",
    )

    # -- publishing (docs/publishing.md says which profile needs what, and every default) ----------
    catalogue_title: str | None = Field(
        default=None, description="Title of the node's catalogue (default: 'cikg catalogue at <base_url>')."
    )
    catalogue_description: str | None = Field(default=None, description="Description of the catalogue.")
    catalogue_license: str = Field(
        default="https://creativecommons.org/publicdomain/zero/1.0/",
        description="Licence of the published metadata records (not of the data).",
    )
    catalogue_language: list[str] = Field(
        default_factory=lambda: ["http://publications.europa.eu/resource/authority/language/ENG"],
        description="EU language authority IRIs of the metadata text.",
    )
    publisher_name: str | None = Field(
        default=None, description="Organisation running the node (publisher of the catalogue)."
    )
    publisher_email: str | None = Field(default=None, description="Contact e-mail of the publisher.")
    publisher_url: str | None = Field(default=None, description="Home or contact page of the publisher.")
    hdab_name: str | None = Field(
        default=None, description="Health data access body competent for the collections (HealthDCAT-AP)."
    )
    hdab_email: str | None = Field(default=None, description="Contact e-mail of the health data access body.")
    hdab_url: str | None = Field(default=None, description="Contact page of the health data access body.")
    applicable_legislation: list[str] = Field(
        default_factory=lambda: ["http://data.europa.eu/eli/reg/2025/327/oj"],
        description="ELI IRIs of the legislation the catalogue falls under (default: the EHDS Regulation).",
    )

    # -- count protection, federation and Beacon (docs/federation.md) ---------------------------------
    min_count: int = Field(
        default=10,
        ge=1,
        description="Counts below this threshold are shown as '<k' to anonymous and federated callers.",
    )
    count_rounding: int = Field(
        default=0,
        ge=0,
        description="Round shown counts to this step (0: no rounding); never below min_count.",
    )
    access_tokens: list[str] = Field(
        default_factory=list,
        description="Bearer tokens of authorised callers (exact counts, record-level detail); keep secret.",
    )
    sparql_requires_token: bool = Field(
        default=False,
        description="Answer /sparql only for callers with an access token (it returns series-level rows, "
        "from which counts below min_count could be computed).",
    )
    nodes_file: Path | None = Field(
        default=None,
        description="The hub's node list (YAML; default <data_dir>/nodes.yaml when present).",
    )
    federation_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Per-node timeout of a federated query, seconds (nodes.yaml may override).",
    )
    beacon_id: str | None = Field(
        default=None,
        description="Beacon identifier (default: the reversed host name of base_url + '.beacon').",
    )

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def nodes_path(self) -> Path:
        return self.nodes_file if self.nodes_file is not None else self.data_dir / "nodes.yaml"


@cache
def get_settings() -> Settings:
    return Settings()
