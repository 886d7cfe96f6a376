"""Wording rules read from the places file: indoor events, and a scene named elsewhere.

Indoors
    An indoor word ("lägenhet", "*butik", ...) after one of the prepositions
    ("i", "på", "ombord på", ...), optionally with an article and one
    adjective, puts the event indoors: "i en lägenhet", "i butiken",
    "på en restaurang", "ombord på en båt". "utanför en restaurang" or
    "vid butiken" does not; nor does a phrase of ``not_indoor`` ("på bar gärning").

Scene elsewhere
    A transport or arrest word ("stoppade tåget", "tågstopp", "greps",
    "anträffades", "omhändertogs", "kunde gripas") is *linked* to the place
    named right after it in its sentence ("greps vid Fridhemsplan", at most 50
    characters on, no comma, "som" or "där" between), or else to the place that opens
    its sentence when the word follows within 60 characters ("Vid Fridhemsplans
    tunnelbanestation beordrar polisen om tågstopp"). A place with a scene
    preposition right before it ("i Blackeberg", "på Södermalm", "vid X"; one
    word may stand between) that is not linked is a *scene*. The locator
    drops a linked place when a scene elsewhere is named before it.

>>> from camsite.events._places import load_places
>>> places = load_places()
>>> indoor = IndoorRule.from_spec(places.indoor)
>>> [indoor("Bråk i en lägenhet."), indoor("Stöld i butiken."), indoor("Två män slogs ombord på en båt.")]
[True, True, True]
>>> [indoor("Bråk utanför en restaurang."), indoor("Han greps på bar gärning."), indoor("Stöld vid butiken.")]
[False, False, False]
>>> scene = SceneRule.from_spec(places.scene_elsewhere)
>>> [m.group() for m in scene.cues("Polisen stoppade tåget. Mannen greps senare.")]
['stoppade tåget', 'greps']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from camsite.events._match import CONNECTOR, Mention, sentence_spans
from camsite.events._places import IndoorSpec, SceneSpec

__all__ = ["IndoorRule", "SceneRule", "phrase_pattern", "word_pattern"]

_NEVER = re.compile(r"(?!x)x")
_ARTICLE = r"(?:(?:en|ett|den|det)\s+(?:(?!(?:en|ett|den|det)\s)[a-zåäöé]+\s+)?)?"
_VOWEL_ENDINGS = r"(?:n|r|rna|t|et)?"
_CONSONANT_ENDINGS = r"(?:en|et|er|erna|ar|arna)?"
#: What may stand between a transport word and the place it names; between a place and a later transport word.
_FORWARD_GAP = re.compile(r"[^.,;:!?\n]{0,50}")
_BACKWARD_GAP = re.compile(r"[^.;:!?\n]{0,60}")
_RELATIVE = re.compile(r"(?<!\w)(?:som|där)(?!\w)", re.IGNORECASE)
#: At most three words before the place that opens a sentence ("Vid", "På tunnelbanestationen").
_OPENS = re.compile(r"\W*(?:[\w:.-]+\s+){0,3}")


def phrase_pattern(phrase: str, *, stems: bool = False) -> str:
    """A regex for a phrase of the places file: words joined by any space, ``*`` first for "any word ending so".

    With ``stems`` every word is a word beginning ("grip" finds "gripits").

    >>> re.fullmatch(phrase_pattern("*larm från"), "Överfallslarm  från", re.IGNORECASE) is not None
    True
    >>> re.fullmatch(phrase_pattern("stopp tåg", stems=True), "stoppade tåget") is not None
    True
    """
    compound = phrase.startswith("*")
    words = phrase.lstrip("*").split()
    tail = r"\w*" if stems else ""
    body = r"\s+".join(re.escape(w) + tail for w in words)
    return (r"[\w-]*" if compound else "") + body


def word_pattern(word: str) -> str:
    """A regex for an indoor word and its inflected forms; ``*`` first also finds it ending a compound.

    >>> rx = re.compile(word_pattern("*butik") + r"(?![\\w-])", re.IGNORECASE)
    >>> [bool(rx.fullmatch(w)) for w in ("butik", "matbutiken", "butikerna", "butiks", "butikerad")]
    [True, True, True, False, False]
    """
    stem = word.lstrip("*")
    endings = _VOWEL_ENDINGS if stem[-1:].lower() in "aeiouyåäöé" else _CONSONANT_ENDINGS
    return phrase_pattern(word) + endings


def _alternation(patterns: Sequence[str]) -> str:
    return "|".join(sorted(patterns, key=len, reverse=True))


@dataclass(frozen=True)
class IndoorRule:
    """Whether an event's text puts it indoors (see the module docstring)."""

    pattern: re.Pattern[str]
    not_indoor: re.Pattern[str]

    @classmethod
    def from_spec(cls, spec: IndoorSpec) -> IndoorRule:
        """Compile the ``[indoor]`` table of a places file."""
        if not spec.before or not spec.words:
            return cls(_NEVER, _NEVER)
        before = _alternation([phrase_pattern(p) for p in spec.before])
        words = _alternation([word_pattern(w) for w in spec.words])
        rx = re.compile(rf"(?<![\w:-])(?:{before})\s+{_ARTICLE}(?:{words})(?![\w-])", re.IGNORECASE)
        nots = [phrase_pattern(p) for p in spec.not_indoor]
        not_rx = re.compile(rf"(?<![\w-])(?:{_alternation(nots)})(?![\w-])", re.IGNORECASE) if nots else _NEVER
        return cls(rx, not_rx)

    def __call__(self, text: str) -> bool:
        """True when the text names an indoor place after a preposition (outside the ``not_indoor`` phrases)."""
        return self.pattern.search(self.not_indoor.sub(lambda m: "#" * len(m.group()), text)) is not None


@dataclass(frozen=True)
class SceneRule:
    """Transport/arrest words and scene prepositions (see the module docstring)."""

    cue: re.Pattern[str]
    scene_before: re.Pattern[str]

    @classmethod
    def from_spec(cls, spec: SceneSpec) -> SceneRule:
        """Compile the ``[scene_elsewhere]`` table of a places file."""
        if not spec.transport_words or not spec.scene_prepositions:
            return cls(_NEVER, _NEVER)
        cues = _alternation([phrase_pattern(w, stems=True) for w in spec.transport_words])
        preps = _alternation([phrase_pattern(p) for p in spec.scene_prepositions])
        return cls(re.compile(rf"(?<!\w)(?:{cues})", re.IGNORECASE),
                   re.compile(rf"(?<![\w:-])(?:{preps})\s+(?:[a-zåäöé-]+\s+)?$", re.IGNORECASE))

    def cues(self, text: str) -> list[re.Match[str]]:
        """The transport and arrest words of ``text``."""
        return list(self.cue.finditer(text))

    def linked(self, text: str, places: Sequence[Mention]) -> set[Mention]:
        """The places that a transport or arrest word names (with the streets joined to them as a crossing).

        >>> from camsite.events._places import load_places
        >>> rule = SceneRule.from_spec(load_places().scene_elsewhere)
        >>> text = "Rån i Solna. Vid Fridhemsplan beordrar polisen tågstopp. Mannen greps vid Odenplan."
        >>> places = [Mention(m.start(), m.end(), m.group(), {"station": m.group()})
        ...           for m in re.finditer("Solna|Fridhemsplan|Odenplan", text)]
        >>> sorted(m.text for m in rule.linked(text, places))
        ['Fridhemsplan', 'Odenplan']
        >>> [m.text for m in rule.scenes(text, places)]
        ['Solna']
        """
        spans = sentence_spans(text)
        out: set[Mention] = set()
        for cue in self.cues(text):
            lo, hi = next(((a, b) for a, b in spans if a <= cue.start() <= b), (0, len(text)))
            in_sentence = [p for p in places if lo <= p.start and p.end <= hi]
            first = _forward(text, cue, in_sentence) or _backward(text, cue, in_sentence, lo)
            if first is not None:
                out |= _with_crossings(text, first, in_sentence)
        return out

    def scenes(self, text: str, places: Sequence[Mention], linked: set[Mention] | None = None) -> list[Mention]:
        """The places named as a scene ("i Blackeberg") that no transport or arrest word names."""
        linked = self.linked(text, places) if linked is None else linked
        return [p for p in places if p not in linked and self.scene_before.search(text[max(0, p.start - 40):p.start])]


def _forward(text: str, cue: re.Match[str], places: list[Mention]) -> Mention | None:
    """The place right after the word ("greps vid Fridhemsplan")."""
    after = [p for p in places if p.start >= cue.end()]
    if not after:
        return None
    gap = text[cue.end():after[0].start]
    return after[0] if _FORWARD_GAP.fullmatch(gap) and not _RELATIVE.search(gap) else None


def _backward(text: str, cue: re.Match[str], places: list[Mention], sentence_start: int) -> Mention | None:
    """The place that opens the sentence, when the word follows it ("Vid Fridhemsplan ... tågstopp")."""
    if not places or places[0].end > cue.start() or not _OPENS.fullmatch(text[sentence_start:places[0].start]):
        return None
    gap = text[places[0].end:cue.start()]
    return places[0] if _BACKWARD_GAP.fullmatch(gap) and not _RELATIVE.search(gap) else None


def _with_crossings(text: str, first: Mention, places: list[Mention]) -> set[Mention]:
    """``first`` and the places joined to it as a crossing ("Fleminggatan/Sankt Eriksgatan")."""
    out = {first}
    i = places.index(first)
    for prev, nxt in zip(places[i:], places[i + 1:]):
        if not CONNECTOR.fullmatch(text[prev.end:nxt.start]):
            break
        out.add(nxt)
    return out
