"""The real hyperontology's Vocabulary (built once per process) for tests that need value mapping."""

from __future__ import annotations

from functools import cache

from cikg.vocab import Vocabulary, load_vocabulary


@cache
def real_vocabulary() -> Vocabulary:
    return load_vocabulary()
