"""The ``[monitoring]`` and ``[permit]`` sections: when cameras may watch, and who would run them.

Times are local clock times ``"HH:MM-HH:MM"``; a window may run past
midnight (``"21:00-07:00"``) and ``"24:00"`` ends the day.

>>> window_minutes("21:00-07:00")
(1260, 420)
>>> window_minutes("00:00-24:00")
(0, 1440)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from camsite.config._common import check

__all__ = ["ALL_DAY", "OPERATORS", "MonitoringConfig", "PermitConfig", "window_minutes"]

#: The whole day as one window.
ALL_DAY = "00:00-24:00"
#: Who would run a proposed camera (``[permit] operator``): the legal route differs.
OPERATORS: tuple[str, ...] = ("police", "municipality", "other")

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def window_minutes(text: str) -> tuple[int, int]:
    """Start and end minute of a window ``"HH:MM-HH:MM"`` (end may be before start: past midnight).

    Raises
    ------
    ValueError
        When the text is not a window of valid clock times.
    """
    m = _WINDOW.match(text)
    if m is None:
        raise ValueError(f"{text!r} is not a time window \"HH:MM-HH:MM\" (e.g. \"21:00-07:00\")")
    h0, m0, h1, m1 = (int(g) for g in m.groups())
    start, end = h0 * 60 + m0, h1 * 60 + m1
    if h0 > 23 or m0 > 59 or m1 > 59 or end > 1440:
        raise ValueError(f"{text!r} has a clock time outside 00:00-24:00")
    if start == end:
        raise ValueError(f"{text!r} is empty (start equals end); the whole day is \"{ALL_DAY}\"")
    return start, end


def _check_windows(windows: tuple[str, ...], *, file: str | None, key: str) -> None:
    check(len(windows) > 0, f"give at least one window, e.g. [\"{ALL_DAY}\"]", file=file, key=key)
    for i, w in enumerate(windows):
        try:
            window_minutes(w)
        except ValueError as exc:
            check(False, str(exc), file=file, key=f"{key}[{i}]")


@dataclass(frozen=True)
class MonitoringConfig:
    """When the proposed cameras may watch (``hours``), when it is night, and how night incidents weigh.

    An incident outside ``hours`` is demand no proposed camera sees; a night
    incident is seen only within a camera type's ``night_range_m``.
    ``existing_hours`` are the existing cameras' hours (default: all day).
    """

    hours: tuple[str, ...] = (ALL_DAY,)
    existing_hours: tuple[str, ...] = (ALL_DAY,)
    night: str = "20:00-06:00"
    #: Weight factor of incidents at night (1: an incident weighs the same by day and by night).
    night_weight: float = 1.0

    def validate(self, *, file: str | None, key: str) -> None:
        _check_windows(self.hours, file=file, key=f"{key}.hours")
        _check_windows(self.existing_hours, file=file, key=f"{key}.existing_hours")
        _check_windows((self.night,), file=file, key=f"{key}.night")
        check(0 <= self.night_weight <= 10, "must be in [0, 10]", file=file, key=f"{key}.night_weight")


@dataclass(frozen=True)
class PermitConfig:
    """Who would run the proposed cameras and on what terms (the balancing-of-interests sheet).

    ``route`` replaces the default text of the legal route for ``operator``
    (per language: ``route = { sv = "...", en = "..." }``); ``retention_days``
    is how long recordings are kept (an assumption until the operator decides).
    """

    operator: str = "municipality"
    operator_name: str = ""
    route: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    retention_days: float = 14.0
    signage: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def validate(self, *, file: str | None, key: str) -> None:
        check(self.operator in OPERATORS, f"must be one of {', '.join(OPERATORS)}", file=file,
              key=f"{key}.operator")
        check(0 < self.retention_days <= 3650, "must be in (0, 3650] days", file=file, key=f"{key}.retention_days")
        for name, texts in (("route", self.route), ("signage", self.signage)):
            for lang in texts:
                check(lang in ("sv", "en"), 'languages are "sv" and "en"', file=file, key=f"{key}.{name}.{lang}")
