"""Finding place names in an event's text: streets, stations, areas, and places elsewhere.

A :class:`Gazetteer` compiles every name into one regular expression; a
:class:`Mention` is one hit, with the roles its name plays (a name can be a
street and a station, or a station and a district).

>>> gz = Gazetteer(streets=["Fleminggatan", "Sankt Eriksgatan"], stations=["Fridhemsplan"], areas=["Kungsholmen"])
>>> [(m.text, sorted(m.roles)) for m in gz.find("Bråk vid S:t Eriksgatan/Fleminggatan nära Fridhemsplan i Solna.")]
[('S:t Eriksgatan', ['street']), ('Fleminggatan', ['street']), ('Fridhemsplan', ['station']), ('Solna', ['other'])]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from camsite.events._names import COMMON_WORD_NAMES, name_pattern, normalise_name
from camsite.events._places import LOCAL_PLACES, OTHER_PLACES, STATION_WORDS

__all__ = ["CONNECTOR", "Gazetteer", "Mention", "near_station_word", "sentence_spans"]

#: What may stand between two street names that name an intersection ("X och Y", "X/Y", "X-Y", ...).
CONNECTOR = re.compile(
    r"\s*(?:och|/|-|–|—|&|x|mot|vid|i\s+höjd\s+med|(?:i\s+|vid\s+)?korsning(?:en)?\s+(?:med|mot)|"
    r"(?:i\s+|vid\s+)?hörnet(?:\s+(?:av|mot|med))?)\s*",
    re.IGNORECASE,
)
_STATION_BEFORE = re.compile(rf"(?<!\w){STATION_WORDS}[^.\n]{{0,20}}$", re.IGNORECASE)
_STATION_AFTER = re.compile(rf"^[^.\n]{{0,12}}(?<!\w){STATION_WORDS}", re.IGNORECASE)
# "lokalpolisområde Norrmalm" names a police district (which holds Kungsholmen), not a place.
_ADMIN_BEFORE = re.compile(r"(?:polisområde(?:t|na)?|polisregion(?:en)?|stadsdelsområde(?:t|na)?)\s+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])|\n+")


@dataclass(frozen=True)
class Mention:
    """A name found in a text: its span, the text as written and its roles (role -> canonical name)."""

    start: int
    end: int
    text: str
    roles: dict[str, str] = field(hash=False)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end of each sentence (or line) of ``text``.

    >>> sentence_spans("Bråk. Polis kom.\\nSlut")
    [(0, 5), (6, 16), (17, 21)]
    """
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


def near_station_word(text: str, mention: Mention) -> bool:
    """Whether a word such as "tunnelbanestationen" stands right before or after the mention."""
    return bool(_STATION_BEFORE.search(text[max(0, mention.start - 45):mention.start])
                or _STATION_AFTER.search(text[mention.end:mention.end + 40]))


class Gazetteer:
    """All names an event's text is searched for, compiled once.

    Parameters
    ----------
    streets, stations, areas
        Canonical names (as the network, the stations file and
        :data:`~camsite.events._places.AREAS` spell them).
    other_places, local_places
        Places that put a nearby mention elsewhere, or on Kungsholmen.
    """

    def __init__(self, *, streets: Iterable[str] = (), stations: Iterable[str] = (), areas: Iterable[str] = (),
                 other_places: Iterable[str] = OTHER_PLACES, local_places: Iterable[str] = LOCAL_PLACES) -> None:
        roles: dict[str, dict[str, str]] = {}
        for role, names in (("other", other_places), ("local", local_places), ("area", areas),
                            ("station", stations), ("street", streets)):
            for name in names:
                roles.setdefault(normalise_name(name), {})[role] = name
        self.keys = sorted(roles, key=lambda k: (-len(k), k))
        self.roles = [roles[k] for k in self.keys]
        tree: dict[str, dict[str, list[str]]] = {}
        for i, key in enumerate(self.keys):
            pat = name_pattern(key, lookbehind=False) + (r"(?!\s+län)" if "local" in roles[key] else "")
            second = "" if key.startswith("sankt ") or len(key) < 2 else key[1]  # "S:t" does not start "sa"
            tree.setdefault(key[0], {}).setdefault(second, []).append(f"(?P<g{i}>{pat})")
        # Try names only at word starts, dispatched on their first two letters (fast with thousands of names).
        branches = []
        for c1, subtree in sorted(tree.items()):
            subs = [(f"(?={re.escape(c1 + c2)})" if c2 else "") + f"(?:{'|'.join(alts)})"
                    for c2, alts in sorted(subtree.items(), key=lambda kv: kv[0] == "")]
            branches.append(f"(?={re.escape(c1)})(?:{'|'.join(subs)})")
        self._rx = re.compile(rf"(?<![\w:])(?:{'|'.join(branches)})", re.IGNORECASE) if branches else None

    def find(self, text: str) -> list[Mention]:
        """Every name in ``text``, left to right (the longest name wins where names overlap)."""
        if self._rx is None:
            return []
        out = []
        for m in self._rx.finditer(text):
            group = m.lastgroup
            assert group is not None  # every alternative of the pattern is a named group "g<i>"
            i = int(group[1:])
            if self.keys[i] in COMMON_WORD_NAMES and not m.group()[0].isupper():
                continue
            if _ADMIN_BEFORE.search(text[max(0, m.start() - 30):m.start()]):
                continue
            out.append(Mention(m.start(), m.end(), m.group(), dict(self.roles[i])))
        return out
