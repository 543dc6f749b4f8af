"""Text helpers every app may use."""

# ruff: noqa: RUF002, RUF003 (the Turkish dotless ı is the subject here, not a look-alike)

import unicodedata

# Turkish has a dotted and a dotless i in both cases (İ/i, I/ı). Python's lower()
# knows neither pair: "İ".lower() is "i" and a combining dot, "I".lower() is
# "i" (not "ı"), so no case mapping makes İstanbul/ISTANBUL/istanbul and
# Iğdır/IĞDIR/ığdır equal at once. For matching, the four letters are one.
_TURKISH_I = str.maketrans({"İ": "i", "I": "i", "ı": "i"})
_COMBINING_DOT_ABOVE = "\u0307"


def turkish_fold(text: str) -> str:
    """`text` case-folded for matching, with the Turkish dotted and dotless i as one letter.

    Composed first (NFC), so a decomposed "İ" (I and a combining dot) folds as
    the composed one; an "i" followed by a combining dot (what str.lower makes
    of "İ") is a plain "i". Folding the four letters together costs the
    distinction between words that differ only in it (Işık, Isik): for
    place names that is a match to make, not to miss.
    """
    folded = unicodedata.normalize("NFC", text).translate(_TURKISH_I).casefold()
    return folded.replace("i" + _COMBINING_DOT_ABOVE, "i")
