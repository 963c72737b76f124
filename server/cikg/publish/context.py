"""The node-level facts a publication needs that the stored model does not carry (from settings).

Every default here is documented in docs/publishing.md; a fact no default can honestly supply (the
health data access body) is required and its absence is a clear error, never a placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cikg.namespaces import catalogue_iri
from cikg.settings import Settings


class PublishingNotConfigured(ValueError):
    """A profile needs a node-level fact the settings do not give (the message names the settings)."""


@dataclass(frozen=True)
class Agent:
    """An organisation a publication names (publisher, health data access body)."""

    iri: str
    name: str
    email: str | None = None
    url: str | None = None
    description: str | None = None

    @property
    def mailto(self) -> str | None:
        if not self.email:
            return None
        return self.email if self.email.startswith("mailto:") else f"mailto:{self.email}"

    @property
    def plain_email(self) -> str | None:
        return self.email.removeprefix("mailto:") if self.email else None


@dataclass(frozen=True)
class PublishContext:
    base: str
    title: str
    description: str
    license: str
    languages: tuple[str, ...]
    legislation: tuple[str, ...]
    publisher: Agent
    hdab: Agent | None = None
    defaults: list[str] = field(default_factory=list, hash=False, compare=False)
    """Which documented defaults were used (shown by ``cikg export``)."""

    @property
    def catalogue(self) -> str:
        return catalogue_iri(self.base)

    @classmethod
    def from_settings(cls, settings: Settings) -> PublishContext:
        base = settings.base_url.rstrip("/")
        host = urlsplit(base).netloc or base
        used: list[str] = []
        title = settings.catalogue_title
        if not title:
            title = f"cikg catalogue at {host}"
            used.append("catalogue title from the base URL (CIKG_CATALOGUE_TITLE)")
        description = settings.catalogue_description
        if not description:
            description = (
                f"Cancer imaging collections described by the cikg node at {base}: counts, coded "
                "conditions, modalities and body parts, and how to request access."
            )
            used.append("catalogue description (CIKG_CATALOGUE_DESCRIPTION)")
        name = settings.publisher_name
        if not name:
            name = f"Operator of the cikg node at {host}"
            used.append("publisher name from the base URL (CIKG_PUBLISHER_NAME)")
        url = settings.publisher_url
        if not url and not settings.publisher_email:
            url = base + "/"
            used.append("publisher contact page = the node's home page (CIKG_PUBLISHER_EMAIL / _URL)")
        publisher = Agent(f"{catalogue_iri(base)}#publisher", name, settings.publisher_email, url)
        hdab = None
        if settings.hdab_name and (settings.hdab_email or settings.hdab_url):
            hdab = Agent(
                f"{catalogue_iri(base)}#hdab", settings.hdab_name, settings.hdab_email, settings.hdab_url
            )
        return cls(
            base=base,
            title=title,
            description=description,
            license=settings.catalogue_license,
            languages=tuple(settings.catalogue_language),
            legislation=tuple(settings.applicable_legislation),
            publisher=publisher,
            hdab=hdab,
            defaults=used,
        )

    def require_hdab(self, profile: str) -> Agent:
        if self.hdab is None:
            raise PublishingNotConfigured(
                f"the {profile} profile names the health data access body of every collection: set "
                "CIKG_HDAB_NAME and CIKG_HDAB_EMAIL (or CIKG_HDAB_URL) to the competent body; cikg does not "
                "invent one"
            )
        return self.hdab
