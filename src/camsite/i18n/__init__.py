"""Every text a user reads, in Swedish (default) and English: deliverables and terminal alike.

Names (category keys, statuses, precision classes) are in :mod:`camsite.vocab`;
this package gives what each of them reads as. The texts are package data,
``camsite/i18n/texts/*.toml``, one file per place they appear (the workbook's
tables, the maps, the report, the terminal, the workbench, ...); they are read
once, at import, into a read-only table.

>>> tr("sites", "sv")
'Föreslagna platser'
>>> tr("sites", "en")
'Proposed sites'
>>> tr("no_such_key", "en")
'no_such_key'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from camsite.i18n._texts import LANGS, load_texts

__all__ = [
    "category_label",
    "evidence_labels",
    "fmt_num",
    "fmt_pct",
    "labels",
    "layer_label",
    "page_labels",
    "source_label",
    "tr",
]

#: Every text: key -> (Swedish, English), read-only.
_T: Mapping[str, tuple[str, str]] = load_texts(files(__name__) / "texts")

_I = {lang: i for i, lang in enumerate(LANGS)}


def _index(lang: str) -> int:
    return _I.get(lang, 0)


def tr(key: str, lang: str = "sv", **fmt: object) -> str:
    """The text for ``key`` in ``lang`` (``"sv"`` or ``"en"``); unknown keys come back unchanged."""
    pair = _T.get(key)
    text = key if pair is None else pair[_index(lang)]
    return text.format(**fmt) if fmt else text


def category_label(category: str, lang: str = "sv", default: str | None = None) -> str:
    """The label of an incident category; ``default`` (else the key) for categories without a translation.

    >>> category_label("narkotika", "en"), category_label("egen", "en", "Egen kategori")
    ('Drug offences', 'Egen kategori')
    """
    key = f"cat_{category}"
    if key in _T:
        return tr(key, lang)
    return default if default is not None else category


def evidence_labels(lang: str = "sv") -> dict[str, str]:
    """Short labels of precision classes (and of categories in English) for the evidence columns of sites.csv.

    >>> evidence_labels("sv")["street"], evidence_labels("sv")["vald"], evidence_labels("en")["vald"]
    ('gata', 'våld', 'violence')
    """
    out = {p: tr(f"prec_{p}", lang) for p in ("point", "intersection", "street", "station", "area")
           if f"prec_{p}" in _T}
    if lang == "sv":
        out.update({"vald": "våld", "skadegorelse": "skadegörelse", "ovrigt": "övrigt"})
    if lang == "en":
        out.update({"vald": "violence", "narkotika": "drugs", "knivlagen": "knives/weapons",
                    "skadegorelse": "damage/theft", "trafik": "traffic", "ovrigt": "other"})
    return out


def layer_label(layer: str, lang: str = "sv") -> str:
    """A layer's name as a reader sees it; ``incidents:NAME`` keeps its own name.

    >>> layer_label("existing_cameras"), layer_label("incidents:polisen", "en"), layer_label("x")
    ('befintliga kameror', 'incidents: polisen', 'x')
    """
    kind, _, own = layer.partition(":")
    text = tr(f"layer_{kind}", lang) if f"layer_{kind}" in _T else kind
    return f"{text}: {own}" if own else text


def source_label(source: str, lang: str = "sv") -> str:
    """A layer's stated source, with camsite's own words (illustrative, synthetic) in ``lang``.

    >>> source_label("illustrative"), source_label("polisen.se", "en")
    ('illustrativ', 'polisen.se')
    """
    key = f"source_{source.strip().lower()}"
    return tr(key, lang) if key in _T else source


def fmt_num(value: Any, decimals: int = 0, lang: str = "sv") -> str:
    """A number as a planner reads it: Swedish ``1 234,5``, English ``1,234.5``; missing values as ``–``.

    >>> fmt_num(1234.56, 1, "sv"), fmt_num(1234.56, 1, "en"), fmt_num(None)
    ('1\xa0234,6', '1,234.6', '–')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def fmt_pct(value: Any, lang: str = "sv", decimals: int = 1) -> str:
    """A percentage, or ``–`` when missing.

    >>> fmt_pct(12.345, "sv"), fmt_pct(None, "en")
    ('12,3 %', '–')
    """
    text = fmt_num(value, decimals, lang)
    return text if text == "–" else f"{text} %"


def labels(lang: str = "sv") -> Mapping[str, str]:
    """All texts in ``lang`` as one mapping (embedded in the HTML report).

    >>> labels("en")["map"]
    'Map'
    """
    i = _index(lang)
    return {k: v[i] for k, v in _T.items()}


def page_labels(lang: str = "sv") -> Mapping[str, str]:
    """The planning workbench's texts (keys ``wb_*``) in ``lang``.

    >>> page_labels("en")["wb_save"]
    'Save plan'
    """
    i = _index(lang)
    return {k: v[i] for k, v in _T.items() if k.startswith("wb_")}
