"""The privacy rule on the ranked sites counted in distinct events.

A site's incident figures are *expected* counts: an event spread over its
position's uncertainty and seen at a graded image quality adds a fraction of
one. A fraction says nothing about how many events lie behind it, so the rule
for the ranked sites counts the distinct events behind each figure (the
demand's ``event``; samples that stand for several events at once count as
none):

* a site's row is *open* when its gain rests on at least 3 distinct events
  (``gain_events``), or when it adds no incident at all;
* the closed rows together are what a reader gets from the headline minus the
  open rows: while they rest on fewer than 3 distinct events (counted without
  double counting, ``gain_event_ids``), the last-ranked open row is closed too
  (the running totals of the rows above it stay);
* a count in a "why" text (per category, per position precision) is shown when
  it rests on at least 3 distinct events (``why_categories_events``,
  ``why_precision_events``), else as ``<3``; while the hidden counts of a row
  together rest on fewer than 3 events, the shown count with the fewest events
  is hidden too (the row's total minus the shown counts gives them back); a
  closed row shows no count;
* the alternative's weight is shown when its gain rests on at least 3 events.

>>> import pandas as pd
>>> sites = pd.DataFrame({"gain_incidents": [0.4, 0.2, 0.1], "gain_events": [9, 2, 4],
...                       "gain_event_ids": [tuple("abcdefghi"), ("j", "k"), ("a", "l", "m", "n")]})
>>> closed_by_events(sites, 3).tolist()  # the closed row alone rests on 2 events: the last open one joins it
[False, True, True]
>>> hide_cells("vald 0.5, narkotika 0.1, gata 0.3", "vald 6, narkotika 1, gata 4", 3, closed=False)
'vald 0.5, narkotika <3, gata <3'
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from camsite.evidence import event_counts

__all__ = ["alternative_small", "closed_by_events", "has_events", "hide_cells"]


def has_events(sites: pd.DataFrame) -> bool:
    """True when ``sites`` carries the events behind its figures (the rule of this module applies)."""
    return "gain_events" in sites and "gain_event_ids" in sites


def _union(ids: Iterable[object]) -> int:
    seen: set[object] = set()
    for v in ids:
        if isinstance(v, (tuple, list, set, frozenset, np.ndarray)):
            seen.update(v)
    return len(seen)


def closed_by_events(sites: pd.DataFrame, min_count: int) -> NDArray[np.bool_]:
    """The closed rows of ``sites`` (module docstring): fewer than ``min_count`` events, plus the complement."""
    n = pd.to_numeric(sites["gain_events"], errors="coerce").to_numpy(float)
    inc = pd.to_numeric(sites.get("gain_incidents", pd.Series(1.0, index=sites.index)),
                        errors="coerce").fillna(1.0).to_numpy(float)
    gains = (inc > 1e-9) | (np.nan_to_num(n) > 0)
    closed: NDArray[np.bool_] = np.asarray(gains & ~(n >= min_count), bool)
    ids = sites["gain_event_ids"].tolist()
    while closed.any() and _union(ids[k] for k in np.flatnonzero(closed)) < min_count:
        candidates = np.flatnonzero(gains & ~closed)
        if not len(candidates):
            break
        closed[candidates[-1]] = True  # the last-ranked: the running totals before it stay
    return closed


def _parts(text: str) -> list[tuple[str, str]]:
    out = []
    for part in filter(None, str(text or "").split(", ")):
        label, _, value = part.rpartition(" ")
        out.append((label, value))
    return out


def hide_cells(text: str, events_text: str, min_count: int, *, closed: bool) -> str:
    """The "why" text ``text`` with its counts resting on fewer than ``min_count`` events as ``<min_count``
    (module docstring); every count hidden on a ``closed`` row."""
    parts = _parts(text)
    events = event_counts(events_text)
    labels = [label for label, _ in parts]
    hidden = set(labels) if closed else {lab for lab in labels if events.get(lab, 0) < min_count}
    while hidden and len(hidden) < len(labels) and sum(events.get(lab, 0) for lab in hidden) < min_count:
        hidden.add(min((lab for lab in labels if lab not in hidden), key=lambda lab: events.get(lab, 0)))
    return ", ".join(f"{label} <{min_count}" if label in hidden else f"{label} {value}" for label, value in parts)


def alternative_small(sites: pd.DataFrame, min_count: int) -> NDArray[np.bool_]:
    """Rows whose alternative's gain rests on fewer than ``min_count`` events (all when unknown)."""
    if "alternative_gain_events" not in sites:
        return np.ones(len(sites), bool)
    n = pd.to_numeric(sites["alternative_gain_events"], errors="coerce").to_numpy(float)
    return np.asarray(~(n >= min_count), bool)
