"""``camsite merge``: read several districts' run folders (or contribution files) and check they can be added up.

Each input is a run folder of ``camsite run`` (its ``summary.json`` and
``contribution.csv``) or a ``contribution.csv`` itself (docs/contribution-format.md;
one file may hold several districts, stacked). :func:`read_parts` reads them
into :class:`Part` s, one per district; :func:`check_comparable` refuses
districts whose money is not counted alike: a different cost table or
different camera types (the ``fingerprints`` of summary.json,
:mod:`camsite.fingerprints`), a different horizon, or, for contribution files
given without their run folder, a camera type with another investment or
operation per site. Every error is one :class:`~camsite.errors.InputError`
naming the file, row or the two inputs and what differs; nothing is written
before every input has been read and checked (:mod:`camsite.report.merge_tables`).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from camsite.errors import InputError
from camsite.report.contribution import CONTRIBUTION_COLUMNS, FORMAT_NAME, FORMAT_VERSION

logger = logging.getLogger(__name__)

__all__ = ["CONTRIBUTION", "MAX_FILE_BYTES", "SUMMARY", "Part", "check_comparable", "read_parts"]

#: The files of a run folder that merge reads.
SUMMARY, CONTRIBUTION = "summary.json", "contribution.csv"
#: The largest summary.json or contribution file read (a district's run writes a few kB).
MAX_FILE_BYTES = 50_000_000
#: Contribution columns read as numbers (the others are text).
_NUMBERS = ("plan_start_year", "rank", "lon", "lat", "easting", "northing", "install_year", "investment_sek",
            "operation_sek_per_year", "cost_over_horizon_sek", "horizon_years", "incidents_seen")


@dataclass(frozen=True)
class Part:
    """One district's contribution: the input it came from, its places and, from a run folder, its summary.

    ``places`` has the :data:`~camsite.report.contribution.CONTRIBUTION_COLUMNS` (numbers as numbers, a
    suppressed ``incidents_seen`` as NaN); ``summary`` is None for a contribution file given on its own.
    """

    source: Path
    district: str
    title: str
    places: pd.DataFrame
    summary: Mapping[str, Any] | None = None

    @property
    def name(self) -> str:
        """The input as the user gave it (a folder or a file)."""
        return str(self.source)

    @property
    def horizon_years(self) -> float | None:
        """The years over which the district's costs are counted (None: not known)."""
        if len(self.places):
            return float(self.places["horizon_years"].iloc[0])
        value = (self.summary or {}).get("horizon_years")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _read_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"larger than {MAX_FILE_BYTES // 1_000_000} MB: not a camsite file", file=path)
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", file=path) from None


def _summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read_bytes(path).decode("utf-8"), parse_constant=lambda name: None)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # JSON, bytes, [[[[...]]]]
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0][:120]
        raise InputError(f"not valid JSON ({reason})", file=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("scenario"), str):
        raise InputError("not a camsite summary (no scenario name)", file=path)
    return data


def _numbers(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    out = frame.copy()
    for col in _NUMBERS:
        text = out[col].str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "") | ~np.isfinite(values.fillna(0.0))
        if col != "incidents_seen":
            bad |= text == ""
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise InputError(f"not a number: {str(text.iloc[row - 2])[:40]!r}", file=path,
                             where=f"row {row}, column {col}")
        out[col] = values.astype(float)
    flag = out["incidents_suppressed"].str.strip().str.lower()
    if not flag.isin(["true", "false"]).all():
        row = int(np.flatnonzero(~flag.isin(["true", "false"]).to_numpy())[0]) + 2
        raise InputError("must be True or False", file=path, where=f"row {row}, column incidents_suppressed")
    out["incidents_suppressed"] = flag.eq("true")
    # the privacy rule travels with the file: a count marked suppressed is never shown, whatever the cell holds
    out.loc[out["incidents_suppressed"], "incidents_seen"] = np.nan
    return out


def read_contribution(path: str | Path) -> pd.DataFrame:
    """A contribution file's rows (:data:`CONTRIBUTION_COLUMNS`, numbers as numbers), checked.

    Raises
    ------
    InputError
        When the file is not a camsite contribution of this format version, or a cell is not what its
        column holds (naming the row and column).
    """
    path = Path(path)
    raw = _read_bytes(path)
    try:
        frame = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError, csv.Error) as exc:  # EmptyDataError and ParserError are ValueErrors
        raise InputError(f"not a readable CSV ({str(exc).splitlines()[0][:120] if str(exc) else exc})",
                         file=path) from None
    missing = [c for c in CONTRIBUTION_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"not a camsite contribution file: no column {', '.join(missing[:3])}"
                         f"{' ...' if len(missing) > 3 else ''} (docs/contribution-format.md)", file=path,
                         where="header")
    for n, (name, version) in enumerate(zip(frame["format"], frame["format_version"], strict=True), start=2):
        if name != FORMAT_NAME:
            raise InputError(f"format {name[:40]!r} is not {FORMAT_NAME}", file=path, where=f"row {n}, column format")
        if version.strip() != str(FORMAT_VERSION):
            raise InputError(f"format_version {version[:10]!r}: this camsite reads version {FORMAT_VERSION} "
                             "(update camsite, or write the file again with this version)", file=path,
                             where=f"row {n}, column format_version")
    frame = frame.loc[:, list(CONTRIBUTION_COLUMNS)]
    if (frame["district"].str.strip() == "").any():
        row = int(np.flatnonzero((frame["district"].str.strip() == "").to_numpy())[0]) + 2
        raise InputError("is empty", file=path, where=f"row {row}, column district")
    return _numbers(frame, path)


def _folder_part(folder: Path) -> Part:
    if not (folder / SUMMARY).is_file():
        raise InputError(f"not a camsite run folder (no {SUMMARY}; give folders written by camsite run, or their "
                         f"{CONTRIBUTION})", file=folder)
    if not (folder / CONTRIBUTION).is_file():
        raise InputError(f"no {CONTRIBUTION}: the run was made by an older camsite; run it again", file=folder)
    summary = _summary(folder / SUMMARY)
    places = read_contribution(folder / CONTRIBUTION)
    name = summary["scenario"]
    other = sorted(set(places["district"]) - {name})
    if other:
        raise InputError(f"holds district {other[0]!r} but {SUMMARY} is scenario {name!r}: files of two runs",
                         file=folder / CONTRIBUTION)
    n_sites = summary.get("n_new_sites")
    if isinstance(n_sites, int) and n_sites != len(places):
        raise InputError(f"has {len(places)} places but {SUMMARY} says {n_sites} sites: files of two runs",
                         file=folder / CONTRIBUTION)
    title = summary.get("title") if isinstance(summary.get("title"), str) and summary.get("title") else name
    return Part(source=folder, district=name, title=str(title), places=places.reset_index(drop=True),
                summary=summary)


def _file_parts(path: Path) -> list[Part]:
    places = read_contribution(path)
    if not len(places):
        raise InputError("has no places (an empty contribution names no district: give its run folder)", file=path)
    parts = []
    for district, rows in places.groupby("district", sort=False):
        parts.append(Part(source=path, district=str(district), title=str(rows["district_title"].iloc[0]),
                          places=rows.reset_index(drop=True)))
    return parts


def read_parts(paths: Sequence[str | Path]) -> list[Part]:
    """Every input's districts, in the order given (a run folder is one district; a contribution file one or more).

    Raises
    ------
    InputError
        For an input that is missing, not a run folder or contribution file, or unreadable; for an input given
        twice, a district found in two inputs, or a site twice in one district.
    """
    parts: list[Part] = []
    seen: dict[Path, str] = {}
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("no such folder or file", file=path)
        key = path.resolve()
        if key in seen:
            raise InputError(f"given twice (also as {seen[key]}): each district once", file=path)
        seen[key] = str(path)
        parts += [_folder_part(path)] if path.is_dir() else _file_parts(path)
    by_district: dict[str, Part] = {}
    for part in parts:
        first = by_district.setdefault(part.district, part)
        if first is not part:
            raise InputError(f"{first.name} and {part.name} both hold district {part.district!r} (the same run "
                             "twice? each district's scenario needs a name of its own)")
        dup = part.places["site_id"].duplicated()
        if dup.any():
            raise InputError(f"site {part.places['site_id'][dup].iloc[0]!r} of district {part.district!r} is "
                             "listed twice", file=part.source)
    return parts


def _short(sha: Any) -> str:
    return f"{str(sha)[:8]}..." if sha else "none"


def _fingerprint(part: Part, what: str) -> Mapping[str, Any]:
    prints = (part.summary or {}).get("fingerprints")
    block = prints.get(what) if isinstance(prints, Mapping) else None
    if not isinstance(block, Mapping) or not isinstance(block.get("sha256"), str):
        raise InputError(f"{SUMMARY} has no fingerprint of its cost table and camera types (made by an older "
                         "camsite): run it again", file=part.source)
    return block


def _cost_rows(part: Part) -> dict[tuple[str, str], Any]:
    """The summary's cost table rows, (camera type, line) -> (kind, amount, price year), to name a difference."""
    costs = (part.summary or {}).get("costs")
    lines = costs.get("lines") if isinstance(costs, Mapping) else None
    table = lines.get("cost_table") if isinstance(lines, Mapping) else None
    rows = [r for r in table if isinstance(r, Mapping)] if isinstance(table, list) else []
    return {(str(r.get("camera_type")), str(r.get("line"))): (r.get("kind"), r.get("amount_sek"), r.get("price_year"))
            for r in rows}


def _cost_difference(a: Part, b: Part) -> str:
    """The first cost line the two summaries disagree on, as ``; TYPE LINE: A vs B``, or ""."""
    ra, rb = _cost_rows(a), _cost_rows(b)
    for key in sorted(set(ra) | set(rb)):
        if ra.get(key) != rb.get(key):
            def show(v: Any) -> str:
                return "no such line" if v is None else f"{v[0]} {_money(v[1])} SEK"
            return f"; {key[0]} {key[1]}: {show(ra.get(key))} vs {show(rb.get(key))}"
    return ""


def _money(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, (int, float)) and math.isfinite(value) else str(value)


def _camera_difference(a: Part, b: Part, ta: Mapping[str, Any], tb: Mapping[str, Any]) -> str:
    """Which camera type differs, and in which published figure when summary.json shows it."""
    only_a, only_b = sorted(set(ta) - set(tb)), sorted(set(tb) - set(ta))
    if only_a or only_b:
        return "; ".join([f"only in {a.name}: {', '.join(only_a)}"] * bool(only_a)
                         + [f"only in {b.name}: {', '.join(only_b)}"] * bool(only_b))
    name = next(n for n in sorted(ta) if ta[n] != tb[n])
    rows = [{str(r.get("name")): r for r in (p.summary or {}).get("camera_types", []) if isinstance(r, Mapping)}
            .get(name, {}) for p in (a, b)]
    for field in ("capex_sek", "opex_sek_per_year", "range_m", "fov_deg"):
        if rows[0].get(field) != rows[1].get(field):
            return f"{name}: {field} {_money(rows[0].get(field))} vs {_money(rows[1].get(field))}"
    return f"{name}: sha256 {_short(ta[name])} vs {_short(tb[name])}"


def _check_fingerprints(first: Part, part: Part) -> None:
    ca, cb = _fingerprint(first, "cost_table"), _fingerprint(part, "cost_table")
    if ca["sha256"] != cb["sha256"]:
        files = (ca.get("file") or "no table", cb.get("file") or "no table")
        shown = (f"{files[0]} sha256 {_short(ca['sha256'])} vs {_short(cb['sha256'])}" if files[0] == files[1]
                 else f"{files[0]} sha256 {_short(ca['sha256'])} vs {files[1]} sha256 {_short(cb['sha256'])}")
        raise InputError(f"{first.name} and {part.name} used different cost tables "
                         f"({shown}{_cost_difference(first, part)})")
    ka, kb = _fingerprint(first, "camera_types"), _fingerprint(part, "camera_types")
    if ka["sha256"] != kb["sha256"]:
        ta, tb = ka.get("types"), kb.get("types")
        detail = (_camera_difference(first, part, ta, tb) if isinstance(ta, Mapping) and isinstance(tb, Mapping)
                  else f"sha256 {_short(ka['sha256'])} vs {_short(kb['sha256'])}")
        raise InputError(f"{first.name} and {part.name} used different camera types ({detail})")


def _check_type_costs(parts: Sequence[Part]) -> None:
    """Every camera type has one investment and one operation per site across all inputs' places."""
    seen: dict[tuple[str, str], tuple[float, Part]] = {}
    for part in parts:
        p = part.places
        for column in ("investment_sek", "operation_sek_per_year"):
            for cam, value in zip(p["camera_type"].astype(str), p[column].to_numpy(float), strict=True):
                first, owner = seen.setdefault((cam, column), (float(value), part))
                if abs(first - value) > 0.5:
                    raise InputError(f"{owner.name} and {part.name} used different camera costs ({cam}: "
                                     f"{column} {_money(first)} vs {_money(value)} SEK)")


def check_comparable(parts: Sequence[Part]) -> None:
    """Refuse districts whose costs are not counted alike (module docs); warn where only percentages differ.

    Raises
    ------
    InputError
        One line naming the two inputs and what differs: the horizon, the cost table, the camera types or a
        camera type's investment or operation per site.
    """
    if not parts:
        raise InputError("nothing to merge: give two or more run folders")
    first = parts[0]
    for part in parts[1:]:
        ha, hb = first.horizon_years, part.horizon_years
        if ha is not None and hb is not None and abs(ha - hb) > 1e-9:
            raise InputError(f"{first.name} and {part.name} count costs over different horizons ({ha:g} vs {hb:g} "
                             "years): their costs cannot be added up; run both with one [optimization] horizon_years")
    runs = [p for p in parts if p.summary is not None]
    for part in runs[1:]:
        _check_fingerprints(runs[0], part)
    _check_type_costs(parts)
    files = [p.name for p in parts if p.summary is None]
    if files:
        logger.warning("%s: a contribution file without its run folder; its cost table cannot be checked, only its "
                       "camera types' investment and operation per site", ", ".join(dict.fromkeys(files)))
    weights = {p.name: dict(w) for p in runs if isinstance(w := (p.summary or {}).get("category_weights"), Mapping)}
    if len({json.dumps(w, sort_keys=True) for w in weights.values()}) > 1:
        logger.warning("the runs weigh incident categories differently (category_weights): their coverage "
                       "percentages are not comparable, their counts and costs are")
