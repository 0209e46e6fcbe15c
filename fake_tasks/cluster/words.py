"""Faker's default word list and its seeded `word()` draws, read without importing faker."""

from __future__ import annotations

import ast
import importlib.util
import random
from functools import cache
from pathlib import Path

__all__ = ["FakerWords", "faker_words"]

# where faker keeps the word list of its default locale (en_US), inside the faker package
_LOREM = Path("providers", "lorem", "en_US", "__init__.py")
_START = "word_list = ("


@cache
def faker_words() -> tuple[str, ...]:
    """`Faker().get_words_list()`: read from faker's source (importing faker costs ~100 ms)."""
    words = _read_word_list()
    if words is not None:
        return words
    from faker import Faker  # its layout changed: ask faker itself

    return tuple(Faker().get_words_list())


def _read_word_list() -> tuple[str, ...] | None:
    """The `word_list` literal of faker's en_US lorem provider, or None if it is not there."""
    spec = importlib.util.find_spec("faker")  # a top-level package: found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        source = Path(spec.submodule_search_locations[0], _LOREM).read_text(encoding="utf-8")
        start = source.index(_START) + len(_START) - 1
        end = source.index("\n    )", start) + len("\n    )")
        words = ast.literal_eval(source[start:end])
    except (OSError, ValueError, SyntaxError):
        return None
    if not isinstance(words, tuple) or not words or not all(isinstance(w, str) for w in words):
        return None
    return words


class FakerWords:
    """`Faker()` seeded with `seed_instance(seed)`, for its `word()` calls only.

    Faker draws a word as `choice(word_list)` on a `random.Random` seeded with the seed; this
    draws the same words in the same order, so generated names stay what faker made them.
    """

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._words = faker_words()

    def word(self) -> str:
        return self._random.choice(self._words)
