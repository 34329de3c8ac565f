"""Danish alphabetical order for people's names, in plain Python.

Danish puts Æ, Ø and Å after Z, in that order, and reads a double "aa" as Å (Aase sorts with Åse,
after Øster; Haagensen with Hågensen), as ICU's Danish order does. Python's ``sorted`` puts Å
before Æ (by code point) and "Aa" first.
:func:`sort_key` fixes both without ICU or the operating system's locales, so the HR table, the
exports, »Min enhed« and the ``remind`` lists order names as a Danish reader expects.
"""

from __future__ import annotations

import unicodedata

# The letters after Z, in Danish order; the old and the Swedish/German spellings beside them.
_AFTER_Z = {"æ": 1, "ä": 1, "ø": 2, "ö": 2, "å": 3}


def _letter_key(ch: str) -> tuple[int, str]:
    if ch in _AFTER_Z:
        return (1, str(_AFTER_Z[ch]))
    base = unicodedata.normalize("NFD", ch)[0]  # é sorts as e, ü as u
    return (0, base)


def sort_key(name: str) -> tuple:
    """A key that sorts names in Danish order: case-blind, Æ < Ø < Å after Z, "aa" as Å."""
    folded = " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()
    folded = folded.replace("aa", "å")
    return (tuple(_letter_key(ch) for ch in folded), name or "")
