"""Write a run's output folder: sites.csv, sites.geojson, the tables, the robustness files, the deliverables
(inventory.xlsx, camsite.gpkg, map.png, budget_curve.png, report.html) and summary.json.

The folder is written atomically through :mod:`camsite.runfolder`: an earlier
run stays intact until the new one is complete, and a folder camsite did not
write is never replaced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import pandas as pd

from camsite import privacy, procs
from camsite.errors import InputError
from camsite.report import districts, gpkg, html, maps, underlag, xlsx
from camsite.report._band import curve_with_band
from camsite.report._robustness_files import write_robustness_files
from camsite.report._sensitive import SITE_COLUMNS as SENSITIVE_COLUMNS
from camsite.report._sensitive import with_site_views
from camsite.report._summary import summary_data
from camsite.report.contribution import contribution_table
from camsite.result import SITES_COLUMNS, RunResult
from camsite.runfolder import OWNER, atomic_run_folder
from camsite.stages import target_points_table
from camsite.tables import jsonable, write_csv

logger = logging.getLogger(__name__)

__all__ = ["write_deliverables", "write_run", "write_sites_csv", "write_sites_geojson", "write_summary"]

#: summary.json is written last of the run's own files; the run folder's marker follows it.
SUMMARY = "summary.json"

#: The deliverables, in the order they are written.
_WRITERS: tuple[tuple[str, Callable[..., Path]], ...] = (
    ("inventory.xlsx", xlsx.write_xlsx), ("camsite.gpkg", gpkg.write_gpkg), ("map.png", maps.write_map),
    ("budget_curve.png", maps.write_budget_curve), ("report.html", html.write_html), ("underlag.html", underlag.write_underlag),
)


#: The deliverables drawn on a forked child process while this one writes the others (the pictures: about as
#: long as the rest together on the default scenario, 0.9 s against 0.8 s of CPU); the files are the same.
BACKGROUND: frozenset[str] = frozenset({"map.png", "budget_curve.png"})


def write_summary(summary: dict[str, Any], path: Path) -> None:
    """Write summary.json (UTF-8, keys in insertion order, 2-space indent)."""
    path.write_text(json.dumps(jsonable(summary), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _site_columns(sites: pd.DataFrame) -> list[str]:
    """:data:`SITES_COLUMNS`, ``install_year`` when the run has a staged plan and the sensitive places in view
    when it has do-not-view places (only then)."""
    extra = ["install_year", *SENSITIVE_COLUMNS]
    return [*SITES_COLUMNS, *(c for c in extra if c in sites)]


def write_sites_csv(sites: pd.DataFrame, path: Path) -> None:
    """Write sites.csv: the :data:`SITES_COLUMNS` (plus ``install_year`` with stages), fixed decimals, so reruns
    are byte-identical."""
    write_csv(sites.loc[:, _site_columns(sites)], path)


def write_sites_geojson(sites: pd.DataFrame, path: Path) -> None:
    """Write sites.geojson: the sites as WGS84 points (RFC 7946) with the sites.csv columns as properties."""
    features = []
    for rec in sites.loc[:, _site_columns(sites)].to_dict(orient="records"):
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [rec["lon"], rec["lat"]]},
            "properties": jsonable(rec),
        })
    doc = {"type": "FeatureCollection", "name": "proposed_sites", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_deliverables(result: RunResult, out_dir: Path, *, lang: str = "sv",
                       include_incidents: bool = False) -> list[Path]:
    """Write every deliverable of ``result`` into ``out_dir``; return the files written.

    Parameters
    ----------
    result
        The run to report.
    out_dir
        An existing folder (:func:`write_run` passes its temporary output folder).
    lang
        ``"sv"`` (default) or ``"en"``.
    include_incidents
        Put raw incident points in the report, map and GeoPackage. By default
        incidents appear only aggregated per street segment, counts under 3
        suppressed.

    Returns
    -------
    list of Path
        The files written.
    """
    out_dir = Path(out_dir)
    todo = [(name, writer) for name, writer in _WRITERS if name != "budget_curve.png" or result.budget_curve is not None]

    def write(names: Collection[str]) -> list[Path]:
        return [writer(result, out_dir / name, lang=lang, include_incidents=include_incidents)
                for name, writer in todo if name in names]

    aside = {name for name, _ in todo if name in BACKGROUND} if len(todo) > 1 else set()
    with procs.Forked(lambda: write(aside), background=bool(aside)) as drawn:
        here = write({name for name, _ in todo} - aside)
        done = {p.name: p for p in [*here, *drawn.result()]}
    written = [done[name] for name, _ in todo]
    logger.info("wrote %d deliverables to %s", len(written), out_dir)
    return written


def _write_table(df: pd.DataFrame | None, path: Path) -> None:
    if df is not None:
        write_csv(df, path)


def write_run(
    result: RunResult,
    out_dir: str | Path,
    *,
    lang: str = "sv",
    include_incidents: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """Write every output of ``result`` into ``out_dir`` atomically; return the final paths.

    ``cancelled`` is asked just before the earlier run is replaced; True
    abandons the write with KeyboardInterrupt and leaves ``out_dir`` as it was.
    """
    out_dir = Path(out_dir)
    result = with_site_views(result)  # the sensitive places in each proposed site's view
    if not include_incidents:  # one privacy rule for every shareable file
        result = privacy.shareable(result)
    try:
        with atomic_run_folder(out_dir, cancelled=cancelled) as tmp:
            write_sites_csv(result.sites, tmp / "sites.csv")
            write_sites_geojson(result.sites, tmp / "sites.geojson")
            _write_table(None if result.budget_curve is None else curve_with_band(result.budget_curve, result),
                         tmp / "budget_curve.csv")
            _write_table(target_points_table(result.summary.target_points), tmp / "min_budgets.csv")
            _write_table(result.stages, tmp / "stages.csv")
            write_csv(contribution_table(result), tmp / "contribution.csv")
            districts.write_district_files(result, tmp, lang=lang)  # [[districts]]: the city's view
            if result.robustness is not None:  # camsite robustness, run --robustness N
                write_robustness_files(result.robustness, tmp, lang=lang)
            write_deliverables(result, tmp, lang=lang, include_incidents=include_incidents)
            summary = dict(summary_data(result.summary, lang=lang), **districts.summary_part(result),
                           outputs=[*sorted(p.name for p in tmp.iterdir() if p.name != OWNER), SUMMARY])
            write_summary(summary, tmp / SUMMARY)
            names = sorted(p.name for p in tmp.iterdir() if p.name != OWNER)
    except OSError as exc:  # disk full, permissions, a vanished folder: the earlier run is left as it was
        name = Path(exc.filename).name if exc.filename else None
        raise InputError(f"cannot write the output folder ({exc.strerror or exc}"
                         + (f", writing {name}" if name else "") + "); the earlier output is unchanged",
                         file=out_dir) from None
    logger.info("wrote %d files to %s", len(names), out_dir)
    return [out_dir / n for n in names]
