"""Regular expressions for Swedish street and place names as police texts write them.

A canonical name (as OpenStreetMap spells it) becomes a pattern that accepts
S:t / St. / Sankt, any case, hyphens or spaces between parts, the genitive
``-s``, definite forms of squares and strands (``-plan(en)``, ``-torg(et)``,
``-strand(en)``) and the usual abbreviations of ``gatan`` and ``vägen``.

>>> rx = re.compile(name_pattern("Sankt Eriksgatan"), re.IGNORECASE)
>>> [bool(rx.fullmatch(t)) for t in ("S:t Eriksgatan", "St. Eriksgatans", "sankt eriksg.", "S:t Erik")]
[True, True, True, False]
>>> rx = re.compile(name_pattern("Kungsholmstorg"), re.IGNORECASE)
>>> [bool(rx.fullmatch(t)) for t in ("Kungsholmstorget", "Kungsholms torg", "Kungsholmstorgs")]
[True, True, True]
>>> normalise_name("S:t Eriks-gatan"), normalise_name("Stadshagen")
('sankt eriks gatan', 'stadshagen')
"""

from __future__ import annotations

import re

__all__ = ["COMMON_WORD_NAMES", "SANKT", "name_pattern", "normalise_name"]

#: Ways to write "Sankt" in a name.
SANKT = r"(?:sankt|s:ta?\.?|s\.t\.?|st\.|st(?=[\s-]))"

#: Names that are also ordinary words: matched only when capitalised as a name.
COMMON_WORD_NAMES = frozenset({
    "torget", "hamnen", "parken", "stranden", "plan", "backen", "solvändan", "signalgränd", "atlasmuren",
    "centrum", "station", "industrigatan", "parkgatan", "kadettgatan", "skolgatan", "kyrkogatan",
    "storgatan", "järnvägsgatan", "stationsgatan", "strandvägen",
})

# Endings with their accepted variants (regex), longest first. Each accepts an optional space or hyphen before.
_ENDINGS: tuple[tuple[str, str], ...] = (
    ("gatan", r"(?:[\s-]?gatan|[\s-]?gata(?!n)|g\.|gt\b\.?|[\s-]gat\.)"),
    ("gata", r"[\s-]?gatan?"),
    ("vägen", r"(?:[\s-]?vägen|[\s-]?väg(?!e)|v\.|vg\b\.?)"),
    ("väg", r"[\s-]?vägen?"),
    ("plan", r"[\s-]?plan(?:en)?"),
    ("torg", r"[\s-]?torg(?:et)?"),
    ("torget", r"[\s-]?torg(?:et)?"),
    ("strand", r"[\s-]?strand(?:en)?"),
    ("gränd", r"[\s-]?gränd(?:en)?"),
    ("backe", r"[\s-]?back(?:e|en)"),
    ("bron", r"[\s-]?bro(?:n)?"),
    ("leden", r"[\s-]?leden"),
    ("tunneln", r"[\s-]?tunnel(?:n)?"),
)


def normalise_name(name: str) -> str:
    """A name in lower case with ``Sankt`` spelled out and hyphens as spaces."""
    text = re.sub(rf"(?<!\w){SANKT}\s*(?=\w)", "sankt ", name.strip().lower())
    return re.sub(r"[\s\-–]+", " ", text).strip()


def _word(token: str) -> str:
    if token == "sankt":
        return SANKT
    return re.escape(token)


def name_pattern(name: str, *, lookbehind: bool = True) -> str:
    """A regex (to compile with ``re.IGNORECASE``) for a street or place name and its variants.

    With ``lookbehind=False`` the pattern does not check that the name starts a word
    (the caller does, once for many names).
    """
    tokens = normalise_name(name).split(" ")
    last = tokens[-1]
    tail = re.escape(last)
    for ending, variants in _ENDINGS:
        if last.endswith(ending) and (last != ending or len(tokens) > 1):
            stem = last[: len(last) - len(ending)]
            if stem or len(tokens) > 1:
                tail = re.escape(stem) + variants if stem else variants.replace(r"[\s-]?", "", 1)
            break
    parts = [_word(t) for t in tokens[:-1]] + [tail]
    body = ""
    for i, part in enumerate(parts):
        body += part if i == 0 else (r"[\s-]*" if tokens[i - 1] == "sankt" else r"[\s-]+") + part
    return (r"(?<![\w:])" if lookbehind else "") + rf"{body}s?(?!\w)"
