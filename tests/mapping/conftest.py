"""Fixtures shared with the vocabulary tests."""

from tests.vocab.conftest import fixture_inputs, vocab

__all__ = ["fixture_inputs", "vocab"]
