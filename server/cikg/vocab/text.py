"""Text normalisation for matching labels: case-, accent- and punctuation-insensitive, Greek too.

``normalize("Cáncer de pulmón")`` == ``normalize("cancer de PULMON")`` == ``"cancer de pulmon"``;
``normalize("Καρκίνος του πνεύμονα")`` == ``"καρκινοσ του πνευμονα"`` (tonos dropped, final sigma
folded). The same function serves the term index, autocomplete and harvesting.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[^\w/.+]+|_")
_EDGE_PUNCT = re.compile(r"(?:(?<=\s)|^)[./+]+|[./+]+(?=\s|$)")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Casefold and strip diacritics (NFKD, combining marks dropped); Greek final sigma folds to sigma."""
    if text.isascii():  # most labels: nothing to decompose, and casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_PLAIN = re.compile(r"[^\W_]+(?: [^\W_]+)*")
"""Words of letters and digits with single spaces: already normalised once folded."""


def normalize(text: str) -> str:
    """Folded text with punctuation turned into single spaces (``/``, ``.``, ``+`` kept inside words)."""
    folded = fold(text)
    if _PLAIN.fullmatch(folded):
        return folded
    spaced = _SEPARATORS.sub(" ", folded)
    spaced = _EDGE_PUNCT.sub(" ", spaced)
    return _SPACES.sub(" ", spaced).strip()


def tokens(text: str) -> list[str]:
    """Normalised words of ``text``."""
    norm = normalize(text)
    return norm.split(" ") if norm else []


def compact(text: str) -> str:
    """Normalised text without spaces or punctuation (``T2-W`` -> ``t2w``, ``GE Med`` -> ``gemed``)."""
    return re.sub(r"[\W_]+", "", fold(text))
