"""Sensitive places: the exclusion zones and do-not-view zones of a run, with what each did to the candidates.

Frames for the GeoPackage layers ``exclusion_zones`` and ``no_view_zones`` and
the report's section "Känsliga platser". The counts of the do-not-view zones
come from the run (:attr:`camsite.stages.Instance.no_view`); those of the
exclusion zones are recounted from the inputs (:func:`camsite.candidates.exclusion_counts`).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from camsite import candidates, sensitive
from camsite.i18n import fmt_num, tr
from camsite.report._sections import esc
from camsite.result import RunResult

logger = logging.getLogger(__name__)

__all__ = ["SITE_COLUMNS", "exclusion_frame", "no_view_frame", "section", "site_frame", "with_site_views"]

#: The columns :func:`with_site_views` adds to the sites table (sites.csv, sites.geojson, the spreadsheet).
SITE_COLUMNS: tuple[str, ...] = ("sensitive_in_view", "sensitive_share_pct")


def exclusion_frame(result: RunResult) -> gpd.GeoDataFrame:
    """The exclusion zones: ``name``, ``label``, ``penalty_sek`` and the counts of
    :func:`camsite.candidates.exclusion_counts`, geometry."""
    zones = result.inputs.exclusion_zones.reset_index(drop=True)
    crs = result.scenario.crs
    if zones.empty:
        return gpd.GeoDataFrame({"name": [], "label": [], "penalty_sek": []}, geometry=gpd.GeoSeries([], crs=crs),
                                crs=crs)
    inputs = result.inputs
    counts = candidates.exclusion_counts(inputs.network, inputs.existing, result.scenario.candidates,
                                         cameras=result.instance.cameras, exclusion_zones=zones,
                                         mounting_points=inputs.mounting_points, study_area=inputs.study_area)
    given = result.scenario.candidates.exclusions
    labels = [e.label or e.name for e in given] if len(given) == len(zones) else list(zones["name"].astype(str))
    out = counts.assign(label=labels, penalty_sek=zones["penalty_sek"].to_numpy(float))
    cols = ["name", "label", "penalty_sek", *(c for c in counts.columns if c != "name")]
    return gpd.GeoDataFrame(out[cols], geometry=zones.geometry.to_numpy(), crs=crs)


def no_view_frame(result: RunResult) -> gpd.GeoDataFrame:
    """The do-not-view zones: ``name``, ``label``, ``candidates_masked``, ``candidates_removed``,
    ``masked_variants`` and ``proposed_masked`` (ids joined by ", "; the proposed sites that need the mask),
    geometry."""
    zones = result.inputs.no_view_zones.reset_index(drop=True)
    counts = result.instance.no_view.reset_index(drop=True)
    if len(counts) != len(zones):  # an instance built without the zones: counts unknown
        logger.warning("%d do-not-view zones but counts for %d", len(zones), len(counts))
        counts = counts.reindex(range(len(zones)))
        counts["name"], counts["label"] = zones["name"].to_numpy(), zones["label"].to_numpy()
    proposed = {r.name: r.proposed_masked for r in result.summary.no_view_zones}
    out = counts.loc[:, ["name", "label", "candidates_masked", "candidates_removed"]].assign(
        masked_variants=[", ".join(v) if isinstance(v, tuple) else "" for v in counts["masked_variants"]],
        proposed_masked=[", ".join(proposed.get(n, ())) for n in counts["name"]])
    return gpd.GeoDataFrame(out, geometry=zones.geometry.to_numpy(), crs=result.scenario.crs)


def site_frame(result: RunResult) -> pd.DataFrame:
    """Per proposed site (sites order): the do-not-view places in its full view (before its privacy mask).

    Columns ``site_id``, ``sensitive_in_view`` (labels with their share of the
    view, "; "-joined) and ``sensitive_share_pct`` (their joint share of the
    view), from :func:`camsite.sensitive.site_views` on the run's do-not-view
    zones (the scenario's ``no_view`` zones, the located sensitive places and
    masked façades) and, in ``residential_mode = "cost"``, the façades. Sites
    that have them already (:func:`with_site_views`, as write_run's result) give
    them as they are: the views are computed once per run, not per file.
    """
    sites = result.sites
    if all(c in sites for c in SITE_COLUMNS):
        return pd.DataFrame({"site_id": sites["site_id"].astype(str).to_numpy(),
                             **{c: sites[c].to_numpy() for c in SITE_COLUMNS}})
    crs = result.scenario.crs
    places = result.inputs.no_view_zones
    if result.inputs.residential is not None and result.scenario.candidates.residential_mode == "cost":
        places = pd.concat([places, result.inputs.residential], ignore_index=True)
    gdf = gpd.GeoDataFrame({"site_id": sites["site_id"].astype(str).to_numpy(),
                            "camera_type": sites["camera_type"].astype(str).to_numpy(),
                            "heading_deg": sites["heading_deg"].to_numpy(float)},
                           geometry=gpd.points_from_xy(sites["easting"], sites["northing"]), crs=crs)
    views = sensitive.site_views(gdf, gpd.GeoDataFrame(places, geometry="geometry", crs=crs), result.instance.cameras,
                                 open_space=result.inputs.open_space)
    return views.rename(columns={"places_in_view": "sensitive_in_view", "places_share_pct": "sensitive_share_pct"}
                        ).loc[:, ["site_id", *SITE_COLUMNS]]


def with_site_views(result: RunResult) -> RunResult:
    """``result`` with :data:`SITE_COLUMNS` on its sites when the run has any do-not-view place or façade."""
    has = len(result.inputs.no_view_zones) or result.inputs.residential is not None
    if not has or result.sites.empty or "sensitive_in_view" in result.sites:
        return result
    frame = site_frame(result)
    sites = result.sites.assign(**{c: frame[c].to_numpy() for c in SITE_COLUMNS})
    return dataclasses.replace(result, sites=sites)


def _not_located(result: RunResult) -> list[str]:
    places = result.inputs.sensitive_places
    if places is None:
        return []
    return [str(x) for x in places.loc[~places["located"].to_numpy(bool), "label"]]


def _site_table(result: RunResult, lang: str) -> str:
    if "sensitive_in_view" not in result.sites:
        return ""
    rows = [(str(r["site_id"]), str(r["sensitive_in_view"]), float(r["sensitive_share_pct"]))
            for r in result.sites.to_dict("records") if str(r["sensitive_in_view"])]
    if not rows:
        return f'<p class="note">{esc(tr("sens_sites_none", lang))}</p>'
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("sens_site", "sens_in_view", "sens_share"))
    body = "".join(f'<tr><td>{esc(a)}</td><td>{esc(b)}</td><td class="num">{fmt_num(c, 1, lang)}</td></tr>'
                   for a, b, c in rows)
    return (f'<h3>{esc(tr("sens_sites_title", lang))}</h3><p class="note">{esc(tr("sens_sites_note", lang))}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _exclusion_effect(row: dict[str, Any], lang: str) -> str:
    penalty = float(row["penalty_sek"])
    if np.isnan(penalty):
        return tr("sens_removed", lang, sites=row["sites_removed"], variants=row["candidates_removed"])
    return tr("sens_penalised", lang, sites=row["sites_penalised"], variants=row["candidates_penalised"],
              penalty=fmt_num(penalty, 0, lang))


def _no_view_effect(row: dict[str, Any], lang: str) -> str:
    text = tr("sens_masked", lang, masked=fmt_num(row["candidates_masked"], 0, lang),
              removed=fmt_num(row["candidates_removed"], 0, lang))
    return text + (tr("sens_proposed_masked", lang, sites=row["proposed_masked"]) if row["proposed_masked"] else "")


def _rows(result: RunResult, lang: str) -> list[tuple[str, str, str]]:
    """(kind, place, effect) per zone: exclusion zones first, then do-not-view zones."""
    rows = [(tr("sens_exclusion", lang), str(r["label"]), _exclusion_effect(r, lang))
            for r in exclusion_frame(result).drop(columns="geometry").to_dict("records")]
    rows += [(tr("sens_no_view", lang), str(r["label"]), _no_view_effect(r, lang))
             for r in no_view_frame(result).drop(columns="geometry").to_dict("records")]
    return rows


def section(result: RunResult, *, lang: str) -> str:
    """The report's section "Känsliga platser" (an empty string when the scenario has no such zone)."""
    rows = _rows(result, lang) if len(result.inputs.exclusion_zones) or len(result.inputs.no_view_zones) else []
    missing = _not_located(result)
    if not rows and not missing:
        return ""
    cfg = result.scenario.candidates
    mode = tr(f"sens_mode_{cfg.no_view_mode}", lang, share=fmt_num(100 * cfg.min_view_share, 0, lang))
    intro = tr("sens_intro", lang) + (f" {mode}" if len(result.inputs.no_view_zones) else "")
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("sens_kind", "sens_place", "sens_effect"))
    body = "".join(f"<tr><td>{esc(k)}</td><td>{esc(p)}</td><td>{esc(e)}</td></tr>" for k, p, e in rows)
    return (f'<section class="card" id="sensitive"><h2>{esc(tr("sens_title", lang))}</h2>'
            f'<p class="note">{esc(intro)}</p><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            + (f'<p class="warn">{esc(tr("sens_not_located", lang, places="; ".join(missing)))}</p>' if missing
               else "") + _site_table(result, lang) + "</section>")
