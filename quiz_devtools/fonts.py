"""Rebuild the certificate's fallback fonts in quiz/assets from Debian's font packages.

``python -m quiz_devtools.fonts`` after ``apt-get install fonts-noto-core fonts-droid-fallback
fonts-nanum fonts-symbola``. The full fonts are large (Droid Sans Fallback 4 MB, Symbola 3 MB), so each is cut
to the characters a person's name may need (quiz.hr.certificate says which, and why):

* Arabic and Hebrew: Noto Naskh Arabic and Noto Sans Hebrew whole (SIL OFL 1.1, 176 KB and 27 KB);
  shaping (joined letters, right-to-left order) needs their layout tables.
* Chinese, Japanese and Korean: Droid Sans Fallback (Apache 2.0), TrueType outlines, cut to the
  Han characters of GB 2312 and JIS X 0208 (the everyday sets of Chinese and Japanese names), the
  kana, and CJK punctuation and full-width forms.
* Korean: Droid Sans Fallback has no Hangul: NanumGothic (SIL OFL 1.1), cut to the 2,350 Hangul
  syllables of KS X 1001 and the compatibility jamo.
* Emoji: Symbola (free for any use), black-and-white, cut to the emoji and symbol blocks.

Names with characters outside these are refused when entered (quiz.people.passwords).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ASSETS = Path(__file__).resolve().parents[1] / "quiz" / "assets"
DEBIAN = Path("/usr/share/fonts/truetype")


def _encodable(codec: str, first: int, last: int, *, width: int | None = None) -> set[int]:
    found = set()
    for code in range(first, last + 1):
        try:
            raw = chr(code).encode(codec)
        except UnicodeEncodeError:
            continue
        if width is None or len(raw) == width:
            found.add(code)
    return found


def cjk_characters() -> set[int]:
    han = _encodable("gb2312", 0x4E00, 0x9FFF) | _encodable("euc_jp", 0x4E00, 0x9FFF)
    ranges = [(0x3000, 0x303F), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF00, 0xFFEF)]
    return han | {c for first, last in ranges for c in range(first, last + 1)}


def hangul_characters() -> set[int]:
    return _encodable("euc_kr", 0xAC00, 0xD7A3, width=2) | set(range(0x3130, 0x3190))


def emoji_characters() -> set[int]:
    ranges = [(0x2600, 0x27BF), (0x1F300, 0x1F64F), (0x1F680, 0x1F6FF), (0x1F900, 0x1F9FF)]
    return {c for first, last in ranges for c in range(first, last + 1)}


def cut(source: Path, target: Path, characters: set[int]) -> int:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(source)
    cut_font = subset.Subsetter(options)
    cut_font.populate(unicodes=sorted(characters & set(font.getBestCmap())))
    cut_font.subset(font)
    font.save(target)
    return target.stat().st_size


def main() -> None:
    shutil.copy(DEBIAN / "noto" / "NotoNaskhArabic-Regular.ttf", ASSETS / "NotoNaskhArabic-Regular.ttf")
    shutil.copy(DEBIAN / "noto" / "NotoSansHebrew-Regular.ttf", ASSETS / "NotoSansHebrew-Regular.ttf")
    droid = DEBIAN / "droid" / "DroidSansFallbackFull.ttf"
    print("cjk", cut(droid, ASSETS / "DroidSansFallback-names.ttf", cjk_characters()))
    nanum = DEBIAN / "nanum" / "NanumGothic.ttf"
    print("hangul", cut(nanum, ASSETS / "NanumGothic-names.ttf", hangul_characters()))
    symbola = DEBIAN / "ancient-scripts" / "Symbola_hint.ttf"
    print("emoji", cut(symbola, ASSETS / "Symbola-emoji.ttf", emoji_characters()))


if __name__ == "__main__":
    main()
