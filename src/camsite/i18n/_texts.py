"""Reading the text tables: TOML files whose tables are keys, each with its ``sv`` and ``en`` text.

A file looks like::

    [sites]
    sv = "Föreslagna platser"
    en = "Proposed sites"

Every key is in exactly one file; a key in two files, a missing language or
an extra one is an error when the tables are read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

__all__ = ["LANGS", "load_texts"]

#: The languages of every text, in the order of the pairs in the table.
LANGS: tuple[str, str] = ("sv", "en")


def load_texts(folder: Traversable) -> Mapping[str, tuple[str, str]]:
    """The texts of every ``*.toml`` file in ``folder``, as a read-only mapping key -> (sv, en).

    Parameters
    ----------
    folder
        A folder (a :class:`pathlib.Path` or a package resource) holding the text files.

    Returns
    -------
    Mapping[str, tuple[str, str]]
        The keys in file-name order, each file's keys in the order written.

    Raises
    ------
    ValueError
        A key is in two files, or a key lacks ``sv`` or ``en``, has another language, or a text is not a string.
    """
    table: dict[str, tuple[str, str]] = {}
    origin: dict[str, str] = {}
    for entry in sorted((e for e in folder.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name):
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        for key, texts in data.items():
            if key in origin:
                raise ValueError(f"{entry.name}: text {key!r} is also in {origin[key]} (a key belongs in one file)")
            table[key] = _pair(texts, file=entry.name, key=key)
            origin[key] = entry.name
    return MappingProxyType(table)


def _pair(texts: Any, *, file: str, key: str) -> tuple[str, str]:
    """``texts`` (a TOML table) as the pair (sv, en), checked."""
    if not isinstance(texts, dict) or set(texts) != set(LANGS):
        raise ValueError(f"{file}: [{key}] needs exactly the keys {' and '.join(LANGS)}")
    sv, en = (texts[lang] for lang in LANGS)
    if not isinstance(sv, str) or not isinstance(en, str):
        raise ValueError(f"{file}: [{key}]: each text must be a string")
    return sv, en
