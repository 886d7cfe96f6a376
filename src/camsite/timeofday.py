"""Time of day: monitoring hours, night, and the hour of each incident.

Clock times are minutes of the day (0 to 1439). A scenario's windows
(``[monitoring] hours``, ``existing_hours``, ``night``) become boolean masks
over the 1,440 minutes; an incident is classed by the minute it happened:

* ``watched``: inside the proposed cameras' monitoring hours;
* ``watched_existing``: inside the existing cameras' hours;
* ``night``: inside the night window (a camera then sees only to its night reach).

Incidents with the same class share their demand points, so a day needs at
most eight classes. An incident whose time is unknown is spread over the day:
it counts in each class with the share of the day's minutes that class has.

>>> from camsite.config import MonitoringConfig
>>> m = MonitoringConfig(hours=("21:00-07:00",), night="20:00-06:00")
>>> [(c.night, c.watched, round(c.share, 4)) for c in day_classes(m)]
[(False, False, 0.5417), (False, True, 0.0417), (True, False, 0.0417), (True, True, 0.375)]
>>> import pandas as pd
>>> class_of(pd.Series(pd.to_datetime(["2024-03-01 02:00", "2024-03-01 14:00", None])), m).tolist()
[3, 0, -1]
>>> coarse_hours([0] * 20 + [1, 2, 3, 4])[-2:]   # 20-21 h holds 1: two-hour bins
[(20, 22, 3), (22, 24, 7)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from camsite.config import MonitoringConfig, window_minutes

__all__ = ["HOUR_BINS", "MINUTES", "DayClass", "class_of", "coarse_hours", "day_classes", "hour_counts",
           "minute_mask", "minutes_of_day", "windows_text"]

#: Minutes in a day.
MINUTES = 1440
#: Bin widths (hours) tried, finest first, when incidents by hour are shown under the privacy rule.
HOUR_BINS: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12, 24)


def minute_mask(windows: Sequence[str]) -> NDArray[np.bool_]:
    """The minutes of the day inside any of ``windows`` (``"HH:MM-HH:MM"``, possibly past midnight)."""
    out = np.zeros(MINUTES, dtype=bool)
    for w in windows:
        start, end = window_minutes(w)
        if start < end:
            out[start:end] = True
        else:
            out[start:] = True
            out[:end] = True
    return out


def windows_text(windows: Sequence[str]) -> str:
    """Windows as one line (``"21:00–07:00"``; the whole day ``"00:00–24:00"``)."""
    return ", ".join(w.replace("-", "–").replace(" ", "") for w in windows)


@dataclass(frozen=True)
class DayClass:
    """One class of minutes: night or day, watched by proposed and by existing cameras, and its share of the day."""

    night: bool
    watched: bool
    watched_existing: bool
    share: float


def _codes(monitoring: MonitoringConfig) -> NDArray[np.int64]:
    """The class code of every minute: night × 4 + watched × 2 + watched_existing."""
    night = minute_mask([monitoring.night]).astype(np.int64)
    watched = minute_mask(monitoring.hours).astype(np.int64)
    existing = minute_mask(monitoring.existing_hours).astype(np.int64)
    return night * 4 + watched * 2 + existing


def day_classes(monitoring: MonitoringConfig) -> list[DayClass]:
    """The classes of minutes that occur in a day, in code order, with their shares of the day."""
    counts = np.bincount(_codes(monitoring), minlength=8)
    return [DayClass(bool(c & 4), bool(c & 2), bool(c & 1), float(counts[c]) / MINUTES)
            for c in range(8) if counts[c]]


def minutes_of_day(dates: pd.Series) -> NDArray[np.float64]:
    """Minute of the day of each date (local clock time as read), NaN when the date is missing."""
    d = pd.to_datetime(pd.Series(dates), errors="coerce")
    minutes = (d.dt.hour * 60 + d.dt.minute).astype("float64")
    return np.asarray(minutes.to_numpy(na_value=np.nan), dtype=np.float64)


def class_of(dates: pd.Series, monitoring: MonitoringConfig) -> NDArray[np.int64]:
    """Position in :func:`day_classes` of each incident's minute; -1 when its time is unknown."""
    codes = _codes(monitoring)
    present = [c for c in range(8) if (codes == c).any()]
    pos = np.full(8, -1, dtype=np.int64)
    pos[present] = np.arange(len(present))
    minute = minutes_of_day(dates)
    known = np.isfinite(minute)
    out = np.full(len(minute), -1, dtype=np.int64)
    out[known] = pos[codes[minute[known].astype(np.int64)]]
    return out


def hour_counts(dates: pd.Series) -> NDArray[np.int64]:
    """Incidents per hour of the day (24 counts; undated incidents are not counted)."""
    minute = minutes_of_day(dates)
    hours = (minute[np.isfinite(minute)] // 60).astype(np.int64)
    return np.bincount(hours, minlength=24).astype(np.int64)


def coarse_hours(counts: ArrayLike, *, min_count: int = 3) -> list[tuple[int, int, int]]:
    """Counts per hour in the finest bins (:data:`HOUR_BINS`) where no bin holds 1 to ``min_count - 1``.

    Returns ``(start_hour, end_hour, count)`` per bin. No shareable figure then
    shows a count under ``min_count``, and no bin can be told from the others
    by subtraction (every bin is shown). Fewer than ``min_count`` in all: no bin.
    """
    c = np.asarray(counts, dtype=np.int64)
    for width in HOUR_BINS:
        sums = c.reshape(-1, width).sum(axis=1)
        if not ((sums > 0) & (sums < min_count)).any():
            return [(i * width, (i + 1) * width, int(s)) for i, s in enumerate(sums)]
    return []
