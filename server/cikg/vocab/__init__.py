"""The hyperontology term service: loading, term index, translation, closure, importers.

``Vocabulary`` is the index (build once, share); :func:`load_vocabulary` builds it from the project
resources and the store's imported vocabularies, keeping a compiled copy on disk.
"""

from cikg.vocab.cache import VocabularyInputs, load_vocabulary
from cikg.vocab.model import (
    LANGUAGES,
    Concept,
    Hit,
    Mapping,
    Resolution,
    Translation,
    UnknownTerm,
    VocabularyError,
)
from cikg.vocab.vocabulary import KIND_BRANCHES, Vocabulary

__all__ = [
    "KIND_BRANCHES",
    "LANGUAGES",
    "Concept",
    "Hit",
    "Mapping",
    "Resolution",
    "Translation",
    "UnknownTerm",
    "Vocabulary",
    "VocabularyError",
    "VocabularyInputs",
    "load_vocabulary",
]
