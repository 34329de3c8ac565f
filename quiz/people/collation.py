"""Danish alphabetical order for people's names, in plain Python.

Danish puts Æ, Ø and Å after Z, in that order, and reads a double "aa" as Å (Aase sorts with Åse,
after Øster; Haagensen with Hågensen), as ICU's Danish order does. Python's ``sorted`` puts Å
before Æ (by code point) and "Aa" first.
:func:`sort_key` fixes both without ICU or the operating system's locales, so the HR table, the
exports, »Min enhed« and the ``remind`` lists order names as a Danish reader expects.
"""

from __future__ import annotations

import unicodedata

# The letters after Z, in Danish order (and the old and the Swedish/German spellings beside them),
# as the three characters that follow "z" in ASCII: "{", "|" and "}".
_AFTER_Z = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def sort_key(name: str) -> tuple[str, str]:
    """A key that sorts names in Danish order: case-blind, Æ < Ø < Å after Z, "aa" as Å, é with e."""
    folded = " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()
    folded = folded.replace("aa", "å").translate(_AFTER_Z)
    # é sorts as e, ü as u: the letter without its accent (æ, ø and å are already out of the way).
    plain = "".join(ch for ch in unicodedata.normalize("NFD", folded) if unicodedata.category(ch) != "Mn")
    return (plain, name or "")
