"""Itemised costs: the cost table's lines per camera type, checked against the types, and the annex by year.

A cost table (``[costs] table``, e.g. ``data/costs/cost_table_2026.csv``) has
one row per cost line and camera type, with the columns of
:data:`TABLE_COLUMNS`: ``kind`` is ``investment`` (paid once per site, when
it is installed) or ``operation`` (paid every year the site runs), and
``amount_sek`` is in SEK (per site, or per site and year) at the price level
of ``price_year``, excluding VAT. A type's investment lines must add up to
its ``capex_sek`` and its operation lines to its ``opex_sek_per_year``, so the
optimiser and the annex count the same money. Without a table each type is
one investment and one operation line.

:func:`cost_annex` spreads the lines over the plan years of sites installed
in given years: investment lines in the installation year, the
``replacement`` line (the whole capex again at the end of each lifetime
inside the horizon, :func:`camsite.costs.purchases`), operation lines every
year from installation (a partial last year pro rata). It adds the total,
the present value and the *steady yearly cost* after the horizon: opex plus
the capex spread over the lifetime as an annuity at the discount rate
(``capex / L`` at rate 0), what the sites cost each year once running.

>>> from camsite.cost_lines import CostLine
>>> lines = (CostLine("cam", "hardware", "investment", 100.0), CostLine("cam", "maintenance", "operation", 10.0))
>>> a = cost_annex(lines, ["cam"], [0], {"cam": 2.0}, horizon_years=3, first_year=2027, rate=0.0)
>>> [y["total_sek"] for y in a["years"]], a["total_sek"], a["steady_yearly_sek"]
([110.0, 10.0, 110.0], 230.0, 60.0)
"""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from camsite import costs
from camsite.config import Scenario
from camsite.errors import InputError

logger = logging.getLogger(__name__)

__all__ = ["KINDS", "TABLE_COLUMNS", "CostLine", "annuity_factor", "check_lines", "cost_annex", "read_cost_table",
           "scenario_annex", "scenario_lines"]

#: Columns of a cost table, in order.
TABLE_COLUMNS: tuple[str, ...] = ("camera_type", "line", "kind", "amount_sek", "price_year", "vat", "assumption",
                                  "source", "note")
#: What a line is paid for: once per site, or every year it runs.
KINDS: tuple[str, ...] = ("investment", "operation")
#: The annex's line for the capex bought again at the end of a camera's lifetime.
REPLACEMENT = "replacement"
#: The annex's line for what a site's cost adds to its type's (a mounting point's price, an exclusion penalty).
SITE_EXTRA = "site_extra"


@dataclass(frozen=True)
class CostLine:
    """One cost line of one camera type (module docs); ``amount_sek`` per site, or per site and year."""

    camera_type: str
    line: str
    kind: str
    amount_sek: float
    price_year: int | None = None
    vat: str = "excluded"
    assumption: bool = True
    source: str = ""
    note: str = ""


def _row_line(row: Mapping[str, str], n: int, path: Path) -> CostLine:
    def bad(column: str, message: str) -> InputError:
        return InputError(message, file=path, where=f"row {n}, column {column}")

    kind = (row.get("kind") or "").strip()
    if kind not in KINDS:
        raise bad("kind", f"must be investment or operation, not {kind!r}")
    try:
        amount = float(row.get("amount_sek") or "")
    except ValueError:
        raise bad("amount_sek", f"not a number: {row.get('amount_sek')!r}") from None
    if not math.isfinite(amount) or amount < 0:
        raise bad("amount_sek", "must be a number >= 0 (SEK)")
    year_text = (row.get("price_year") or "").strip()
    if year_text and not (year_text.isdigit() and 1900 <= int(year_text) <= 2200):
        raise bad("price_year", f"not a year: {year_text!r}")
    vat = (row.get("vat") or "excluded").strip()
    if vat != "excluded":
        raise bad("vat", "amounts must exclude VAT (vat = excluded); [costs] vat says how the annex shows it")
    flag = (row.get("assumption") or "true").strip().lower()
    if flag not in ("true", "false"):
        raise bad("assumption", f"must be true or false, not {flag!r}")
    name, line = (row.get("camera_type") or "").strip(), (row.get("line") or "").strip()
    if not name or not line:
        raise bad("camera_type" if not name else "line", "is empty")
    return CostLine(name, line, kind, amount, int(year_text) if year_text else None, vat, flag == "true",
                    (row.get("source") or "").strip(), (row.get("note") or "").strip())


def read_cost_table(path: str | Path) -> tuple[CostLine, ...]:
    """The cost lines of a cost table (:data:`TABLE_COLUMNS`); errors name the file, row and column.

    Raises
    ------
    InputError
        When the file is missing, lacks a column or has a bad value.
    """
    p = Path(path)
    try:
        with p.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in TABLE_COLUMNS[:4] if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(f"missing column(s) {', '.join(missing)}; a cost table has "
                                 f"{', '.join(TABLE_COLUMNS)}", file=p)
            lines = tuple(_row_line(row, n, p) for n, row in enumerate(reader, start=2))
    except OSError as exc:
        raise InputError(f"cannot read the cost table ({exc.strerror or exc})", file=p) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=p) from None
    seen: set[tuple[str, str]] = set()
    for n, ln in enumerate(lines, start=2):
        if (ln.camera_type, ln.line) in seen:
            raise InputError(f"line {ln.line!r} of {ln.camera_type!r} is given twice", file=p, where=f"row {n}")
        seen.add((ln.camera_type, ln.line))
    return lines


def check_lines(lines: Sequence[CostLine], scenario: Scenario, *, file: str | Path | None = None) -> None:
    """Check that each camera type's lines add up to its ``capex_sek`` and ``opex_sek_per_year`` (within 1 SEK).

    Raises
    ------
    InputError
        Naming the camera type and both sums, when they differ or a type has no line.
    """
    for cam in scenario.camera_types:
        mine = [ln for ln in lines if ln.camera_type == cam.name]
        if not mine:
            raise InputError(f"camera type {cam.name!r} has no cost lines", file=file)
        for kind, want, key in (("investment", cam.capex_sek, "capex_sek"),
                                ("operation", cam.opex_sek_per_year, "opex_sek_per_year")):
            got = sum(ln.amount_sek for ln in mine if ln.kind == kind)
            if abs(got - want) > 1.0:
                raise InputError(f"the {kind} lines of {cam.name!r} add up to {got:,.0f} SEK, but the scenario's "
                                 f"camera_types {key} is {want:,.0f}: make them equal", file=file)


def scenario_lines(scenario: Scenario) -> tuple[CostLine, ...]:
    """The scenario's cost lines: its ``[costs] table`` (checked against the camera types), or one investment
    and one operation line per type (marked as the type's own figures)."""
    table = scenario.costs.table
    if table is not None:
        path = scenario.resolve(table)
        lines = read_cost_table(path)
        check_lines(lines, scenario, file=path)
        return lines
    out: list[CostLine] = []
    for cam in scenario.camera_types:
        out += [CostLine(cam.name, "capex", "investment", cam.capex_sek, source=cam.source),
                CostLine(cam.name, "opex", "operation", cam.opex_sek_per_year, source=cam.source)]
    return tuple(out)


def annuity_factor(rate: float, lifetime_years: float) -> float:
    """The yearly share of a purchase spread over its lifetime at ``rate`` (``1 / L`` at rate 0).

    >>> annuity_factor(0.0, 8.0), round(annuity_factor(0.05, 10.0), 6)
    (0.125, 0.129505)
    """
    if not math.isfinite(lifetime_years):
        return 0.0
    if rate <= 0:
        return 1.0 / lifetime_years
    return float(rate / (1.0 - (1.0 + rate) ** -lifetime_years))


def cost_annex(lines: Sequence[CostLine], types: Sequence[str], install_year: Sequence[int],
               lifetimes: Mapping[str, float | None], *, horizon_years: float, first_year: int, rate: float,
               extra_sek: Sequence[float] | None = None, vat_factor: float = 1.0) -> dict[str, Any]:
    """The cost lines of sites of camera ``types`` installed in plan years ``install_year``, by year (module docs).

    ``extra_sek`` is each site's investment beyond its type's lines (line ``site_extra``); ``vat_factor``
    multiplies every amount (1.25 with VAT at 25 % included).
    """
    ny = costs.n_years(horizon_years)
    years = np.asarray(install_year, dtype=np.int64).reshape(-1)
    life = np.array([lifetimes.get(t) or np.inf for t in types], dtype=np.float64)
    buys = costs.purchases(years, life, horizon_years) if len(years) else np.zeros((0, ny), np.int64)
    first = (np.arange(ny)[None, :] == years[:, None]).astype(np.float64)
    running = (np.arange(ny)[None, :] >= years[:, None]) * costs.year_shares(horizon_years)[None, :]
    kinds = {ln.line: ln.kind for ln in lines}
    by_line: dict[str, np.ndarray] = {name: np.zeros(ny) for name in kinds}
    capex = np.zeros(len(types))
    opex = np.zeros(len(types))
    for ln in lines:
        on = np.array([t == ln.camera_type for t in types], dtype=np.float64)
        weights = first if ln.kind == "investment" else running
        by_line[ln.line] += ln.amount_sek * (on @ weights)
        capex += ln.amount_sek * on * (ln.kind == "investment")
        opex += ln.amount_sek * on * (ln.kind == "operation")
    extra = np.zeros(len(types)) if extra_sek is None else np.asarray(extra_sek, dtype=np.float64)
    if np.abs(extra).sum() > 0.5:
        by_line[SITE_EXTRA], kinds[SITE_EXTRA] = extra @ first, "investment"
    by_line[REPLACEMENT], kinds[REPLACEMENT] = (capex + extra) @ (buys - first), "investment"
    inv = sum((v for n, v in by_line.items() if kinds[n] == "investment"), np.zeros(ny))
    ope = sum((v for n, v in by_line.items() if kinds[n] == "operation"), np.zeros(ny))
    table: list[dict[str, Any]] = []
    for k in range(ny):
        i, o = round(vat_factor * float(inv[k]), 2), round(vat_factor * float(ope[k]), 2)
        table.append({"year": first_year + k, "investment_sek": i, "operation_sek": o, "total_sek": round(i + o, 2),
                      "lines": {name: round(vat_factor * float(v[k]), 2) for name, v in by_line.items()}})
    totals = np.array([row["total_sek"] for row in table])
    annuity = np.array([annuity_factor(rate, float(v)) for v in life])
    return {"lines": [{"line": n, "kind": kinds[n]} for n in by_line], "years": table,
            "total_sek": round(float(totals.sum()), 2),
            "present_value_sek": round(float(costs.present_value(totals, rate)), 2),
            "steady_yearly_sek": round(vat_factor * float((opex + (capex + extra) * annuity).sum()), 2)}


def scenario_annex(scenario: Scenario, types: Sequence[str], install_year: Sequence[int],
                   extra_sek: Sequence[float] | None = None) -> dict[str, Any]:
    """summary.json's ``costs.lines``: :func:`cost_annex` with the scenario's lines, lifetimes, horizon,
    discount rate and VAT rule, plus the cost table's lines themselves (source, price level, assumption)."""
    opt, cc = scenario.optimization, scenario.costs
    lines = scenario_lines(scenario)
    vat_factor = 1.0 + cc.vat_rate if cc.vat == "included" else 1.0
    annex = cost_annex(lines, types, install_year, {c.name: c.lifetime_years for c in scenario.camera_types},
                       horizon_years=opt.horizon_years, first_year=opt.first_year(), rate=opt.discount_rate,
                       extra_sek=extra_sek, vat_factor=vat_factor)
    table = [{"camera_type": ln.camera_type, "line": ln.line, "kind": ln.kind,
              "amount_sek": round(vat_factor * ln.amount_sek, 2), "price_year": ln.price_year,
              "assumption": ln.assumption, "source": ln.source, "note": ln.note} for ln in lines]
    return {"table": cc.table, "vat": cc.vat, "vat_rate": cc.vat_rate, "cost_table": table, **annex}
