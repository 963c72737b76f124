"""Keyed pseudonyms: HMAC-SHA-512/256 with a per-site secret kept outside the graph.

A pseudonym is ``HMAC(secret, kind || 0x1f || part || 0x1f || part ...)`` as 64 lowercase hex digits.
The *kind* ("subject", "study", "series", "instance", "path") separates the domains, so a study UID
and a series UID that happen to be equal never share a pseudonym. Without the secret a pseudonym can
not be reversed nor recomputed from a guessed identifier; the secret never enters the graph, the
logs or an export. Every harvester of a site uses the same secret, so the same subject gets the same
``subject_key`` from DICOM, OMOP, FHIR and CSV sources (link on the same identifier and issuer).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cikg.settings import Settings

DIGEST = "sha512_256"
_SEP = b"\x1f"


def _check_digest() -> None:
    """``sha512_256`` from hashlib (OpenSSL); a clear error where this Python lacks it."""
    try:
        hashlib.new(DIGEST)
    except ValueError as exc:  # pragma: no cover - every supported CPython build has it via OpenSSL
        raise RuntimeError(
            "this Python's hashlib has no sha512_256 (OpenSSL); keyed pseudonyms need it"
        ) from exc


def secret_path(settings: Settings) -> Path:
    """Where the site's pseudonym secret lives (``pseudonym_secret_file``, else under the data dir)."""
    return settings.pseudonym_secret_file or settings.data_dir / "secrets" / "pseudonym.key"


def load_or_create_secret(path: Path) -> bytes:
    """The secret at ``path``; created (32 random bytes, mode 0600, dir 0700) on first use."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its secret
            return load_or_create_secret(path)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
            out.flush()
            os.fsync(out.fileno())
        return key
    if len(data) < 16:
        raise RuntimeError(f"the pseudonym secret {path} is too short ({len(data)} bytes; need >= 16)")
    return data


class Pseudonymiser:
    """Makes keyed pseudonyms. Picklable (workers get their own copy of the key)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("a pseudonym key needs at least 16 bytes")
        self._key = key
        _check_digest()

    @classmethod
    def for_settings(cls, settings: Settings) -> Pseudonymiser:
        return cls(load_or_create_secret(secret_path(settings)))

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymiser(<secret>)"

    def key(self, kind: str, *parts: str) -> str:
        msg = _SEP.join([kind.encode(), *(p.encode("utf-8", "surrogatepass") for p in parts)])
        return hmac.new(self._key, msg, DIGEST).hexdigest()

    def subject(self, patient_id: str, issuer: str = "") -> str:
        """Pseudonym of a subject: the patient identifier, qualified by its issuer (may be empty)."""
        return self.key("subject", issuer.strip(), patient_id.strip())

    def study(self, uid: str) -> str:
        return self.key("study", uid.strip())

    def series(self, uid: str) -> str:
        return self.key("series", uid.strip())

    def instance(self, uid: str) -> str:
        return self.key("instance", uid.strip())

    def path(self, relative_path: str) -> str:
        """Key of a harvested file's path (the resume state stores this, never the path)."""
        return self.key("path", relative_path)
