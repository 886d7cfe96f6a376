"""Reading the police events feed (polisen.se/api/events) and the text of an event.

>>> ev = {"id": 1, "name": "7 maj 16.45, Rån, Solna", "summary": "Rån.",
...       "html_preamble": "Rån vid <b>Solna centrum</b>.", "html_body": "<p>Ingen&nbsp;gripen.</p>"}
>>> municipality(ev)
'Solna'
>>> event_text(ev)
'Rån vid Solna centrum.\\nIngen gripen.'
"""

from __future__ import annotations

import gzip
import html
import json
import logging
import lzma
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from camsite.errors import InputError

if TYPE_CHECKING:
    from pandas._libs.tslibs.nattype import NaTType

logger = logging.getLogger(__name__)

__all__ = ["REQUIRED_FIELDS", "event_text", "event_time", "load_polisen", "municipality"]

#: Fields every event must have (``location`` and the report text may be missing).
REQUIRED_FIELDS = ("id", "datetime", "name", "type")

_MONTHS = {m: i for i, m in enumerate(("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                                         "september", "oktober", "november", "december"), start=1)}
_NAME_TIME = re.compile(r"^\s*(\d{1,2})\s+([a-zåäö]+)\s+(\d{1,2})[.:](\d{2})", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*/?\s*(?:br|p|li|div|tr|td|h\d)\b[^>]*>", re.IGNORECASE)


def _open_text(path: Path) -> str:
    suffix = path.suffix.lower()
    openers: dict[str, Callable[..., IO[str]]] = {".xz": lzma.open, ".gz": gzip.open}
    opener = openers.get(suffix)
    if opener is None:
        return path.read_text(encoding="utf-8-sig")
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        return fh.read()


def _check_event(event: Any, index: int, path: Path) -> None:
    where = f"event {index}"
    if not isinstance(event, dict):
        raise InputError(f"is a {type(event).__name__}, not an object", file=path, where=where)
    missing = [f for f in REQUIRED_FIELDS if event.get(f) in (None, "")]
    if missing:
        raise InputError(f"has no {', '.join(missing)}", file=path, where=where)
    for field in ("name", "type", "datetime"):
        if not isinstance(event[field], str):
            raise InputError(f"{field} is not a string", file=path, where=where)
    for field in ("summary", "html_preamble", "html_body"):
        if event.get(field) is not None and not isinstance(event[field], str):
            raise InputError(f"{field} is not a string", file=path, where=where)


def load_polisen(path: str | Path) -> list[dict[str, Any]]:
    """Read a file of police events: a JSON list, optionally xz- or gzip-compressed.

    Parameters
    ----------
    path
        ``.json``, ``.json.xz`` or ``.json.gz`` holding a list of events as
        the feed gives them (``id``, ``datetime``, ``name``, ``summary``,
        ``url``, ``type``, ``location``, and optionally ``html_preamble``
        and ``html_body``).

    Returns
    -------
    list of dict
        The events, unchanged.

    Raises
    ------
    InputError
        If the file is missing, not JSON, not a list, or an event lacks
        ``id``, ``datetime``, ``name`` or ``type`` (naming the event's index).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("events file does not exist", file=path)
    if path.is_dir():
        raise InputError("is a directory, not an events file", file=path)
    try:
        data = json.loads(_open_text(path))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(f"not valid JSON ({exc.msg})", file=path, where=where) from None
    except (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read events ({type(exc).__name__}: {exc})", file=path) from None
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        data = data["events"]
    if not isinstance(data, list):
        raise InputError("must hold a JSON list of events", file=path)
    for i, event in enumerate(data):
        _check_event(event, i, path)
    logger.info("read %d police events from %s", len(data), path.name)
    return data


def _plain(fragment: str | None) -> str:
    if not fragment:
        return ""
    text = _TAG.sub("", _BREAK.sub("\n", fragment))
    text = html.unescape(text).replace("\xa0", " ")
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip())


def event_text(event: dict[str, Any]) -> str:
    """The plain text that may say where an event happened: preamble (or summary) and body.

    The ``name`` field only holds date, type and municipality; the summary is
    a truncated copy of the preamble, so it is used only when there is none.
    """
    preamble = _plain(event.get("html_preamble")) or _plain(event.get("summary"))
    return "\n".join(p for p in (preamble, _plain(event.get("html_body"))) if p)


def municipality(event: dict[str, Any]) -> str:
    """The municipality (or ``Stockholms län``) that ends the event's ``name``."""
    return str(event.get("name", "")).rsplit(",", 1)[-1].strip()


def _published(event: dict[str, Any]) -> pd.Timestamp | NaTType:
    raw = event.get("datetime")
    if raw is None:
        return pd.NaT
    stamp = pd.to_datetime(raw, format="%Y-%m-%d %H:%M:%S %z", errors="coerce", utc=True)
    return pd.NaT if pd.isna(stamp) else stamp.tz_convert("Europe/Stockholm").tz_localize(None)


def event_time(event: dict[str, Any]) -> pd.Timestamp | NaTType:
    """When the event happened (Stockholm local time), read from ``name`` ("12 augusti 01.19, ...").

    The year is the publication's (``datetime``), or the year before for an
    event in late December published in January. Falls back to the
    publication time when ``name`` gives no day and time; NaT when neither parses.

    >>> event_time({"name": "31 december 23.40, Brand, Solna", "datetime": "2025-01-01 01:10:00 +01:00"})
    Timestamp('2024-12-31 23:40:00')
    >>> event_time({"name": "Sammanfattning natt", "datetime": "2025-05-01 07:00:00 +02:00"})
    Timestamp('2025-05-01 07:00:00')
    """
    published = _published(event)
    m = _NAME_TIME.match(str(event.get("name", "")))
    if m is None or pd.isna(published) or m.group(2).lower() not in _MONTHS:
        return published
    day, month, hour, minute = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3)), int(m.group(4))
    for year in (published.year, published.year - 1):
        try:
            stamp = pd.Timestamp(year=year, month=month, day=day, hour=hour, minute=minute)
        except ValueError:
            return published
        if stamp <= published + pd.Timedelta(days=1):
            return stamp
    return published
