"""The balancing of interests (Intresseavvägning) in the deliverables: a sheet, a report section, a layer.

The figures come from :func:`camsite.balancing.balancing_table`; this module
adds the texts in the run's language: the purpose and the view as sentences,
the legal route of the scenario's operator (``[permit] route`` or the default
text citing kamerabevakningslagen), the retention and the signage. Every
output is marked as input to an application, not a decision.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from camsite.balancing import BALANCING_COLUMNS, SensitiveViews, balancing_table
from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.report import _frames
from camsite.report._sections import esc
from camsite.report._sensitive import site_frame
from camsite.result import RunResult
from camsite.tables import neutralise

__all__ = ["SHEET_COLUMNS", "add_sheet", "gpkg_frame", "section", "sheet_frame"]

#: The sheet's columns (text keys of i18n/texts/balancing.toml), in order.
SHEET_COLUMNS: tuple[str, ...] = (
    "bal_rank", "bal_site", "bal_place", "bal_camera", "bal_purpose", "bal_evidence", "bal_streets", "bal_view_m2",
    "bal_squares_m2", "bal_metro", "bal_facades", "bal_sensitive", "bal_sensitive_share", "bal_hours",
    "bal_night_reach", "bal_operator", "bal_route", "bal_retention", "bal_signage", "bal_status",
)


def _route(result: RunResult, lang: str) -> str:
    permit = result.scenario.permit
    return permit.route.get(lang) or tr(f"bal_route_{permit.operator}", lang)


def _signage(result: RunResult, lang: str) -> str:
    return result.scenario.permit.signage.get(lang) or tr("bal_signage_text", lang)


def _operator(result: RunResult, lang: str) -> str:
    permit = result.scenario.permit
    name = tr(f"bal_operator_{permit.operator}", lang)
    return f"{name}: {permit.operator_name}" if permit.operator_name else name


def _not_assessed(value: Any, lang: str, unit: str = "") -> Any:
    return tr("bal_not_assessed", lang) if value is None else value if not unit else f"{fmt_num(value, 0, lang)} {unit}"


def places_in_view(result: RunResult) -> pd.DataFrame:
    """The default :data:`~camsite.balancing.SensitiveViews` of the written files: every do-not-view place (the
    scenario's zones, the located sensitive places, masked façades) in each site's full view
    (:func:`camsite.report._sensitive.site_frame`)."""
    frame = site_frame(result) if len(result.sites) else pd.DataFrame(
        {"site_id": [], "sensitive_in_view": [], "sensitive_share_pct": []})
    return frame.rename(columns={"sensitive_in_view": "sensitive_places"})


def sheet_frame(result: RunResult, *, lang: str, sensitive: SensitiveViews | None = None) -> pd.DataFrame:
    """One row per proposed site with the sheet's columns (:data:`SHEET_COLUMNS`), texts in ``lang``."""
    t = balancing_table(result, sensitive=sensitive or places_in_view)
    none = tr("bal_none", lang)
    rows = {
        "bal_rank": t["rank"], "bal_site": t["site_id"], "bal_place": t["street"],
        "bal_camera": [_frames.type_label(result, c) for c in t["camera_type"]],
        "bal_purpose": [tr("bal_purpose_text", lang, categories=c or none) for c in t["why_categories"]],
        "bal_evidence": [p or none for p in t["why_precision"]],
        "bal_streets": [s or none for s in t["streets_seen"]],
        "bal_view_m2": t["view_area_m2"],
        "bal_squares_m2": [_not_assessed(v, lang) for v in t["square_area_m2"]],
        "bal_metro": [m or none for m in t["metro_entrances"]],
        "bal_facades": [_not_assessed(v, lang) for v in t["facades"]],
        "bal_sensitive": [p or none for p in t["sensitive_places"]],
        "bal_sensitive_share": [None if v is None else float(v) for v in t["sensitive_share_pct"]],
        "bal_hours": t["monitoring_hours"],
        "bal_night_reach": [tr("tod_as_day", lang) if v is None else f"{fmt_num(v, 0, lang)} m"
                            for v in t["night_range_m"]],
        "bal_operator": _operator(result, lang), "bal_route": _route(result, lang),
        "bal_retention": tr("bal_retention_text", lang, days=fmt_num(result.scenario.permit.retention_days, 0, lang)),
        "bal_signage": _signage(result, lang), "bal_status": tr("bal_status_text", lang),
    }
    return pd.DataFrame({k: rows[k] for k in SHEET_COLUMNS})


def add_sheet(wb: Any, result: RunResult, *, lang: str) -> None:
    """The sheet "Intresseavvägning" of inventory.xlsx: the marker and the law first, then one row per site."""
    ws = wb.create_sheet(tr("bal_sheet", lang)[:31])
    frame = sheet_frame(result, lang=lang)
    ws.append([tr("bal_status_text", lang)])
    ws.append([tr("bal_law", lang)])
    ws.append([tr("bal_sheet_note", lang)])
    ws.append([])
    ws.append([tr(c, lang) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([None if isinstance(v, float) and v != v else neutralise(v) for v in row])
    for j, width in enumerate((6, 16, 28, 22, 40, 26, 30, 10, 12, 20, 14, 24, 10, 14, 12, 30, 60, 30, 50, 30)):
        ws.column_dimensions[ws.cell(row=5, column=j + 1).column_letter].width = width
    ws.freeze_panes = "A6"


def gpkg_frame(result: RunResult, *, lang: str) -> gpd.GeoDataFrame:
    """The GeoPackage layer ``balancing``: the figures per site (:data:`camsite.balancing.BALANCING_COLUMNS`)
    with the route and signage texts, at the sites' points."""
    t = balancing_table(result, sensitive=places_in_view)
    t = t.assign(route=_route(result, lang), signage=_signage(result, lang), status=tr("bal_status_text", lang))
    geom = _frames.proposed_sites(result, lang=lang).geometry.to_numpy()
    for col in ("square_area_m2", "facades", "sensitive_share_pct", "night_range_m", "view_area_m2"):
        t[col] = pd.to_numeric(t[col], errors="coerce")
    return gpd.GeoDataFrame(t.loc[:, [*BALANCING_COLUMNS, "route", "signage", "status"]], geometry=geom,
                            crs=result.scenario.crs)


def section(result: RunResult, *, lang: str) -> str:
    """The report section "Intresseavvägning": the marker, the law and the legal route, one row per site."""
    if result.sites.empty:
        return ""
    f = sheet_frame(result, lang=lang)
    cols = ("bal_rank", "bal_place", "bal_purpose", "bal_streets", "bal_metro", "bal_sensitive",
            "bal_sensitive_share", "bal_hours", "bal_night_reach")
    head = "".join(f"<th>{esc(tr(c, lang))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(
        f"<td>{fmt_pct(r[c], lang) if c == 'bal_sensitive_share' else esc(r[c])}</td>" for c in cols) + "</tr>"
        for r in f.to_dict("records"))
    permit = (f"<dl><dt>{esc(tr('bal_operator', lang))}</dt><dd>{esc(_operator(result, lang))}</dd>"
              f"<dt>{esc(tr('bal_route', lang))}</dt><dd>{esc(_route(result, lang))}</dd>"
              f"<dt>{esc(tr('bal_retention', lang))}</dt><dd>{esc(f['bal_retention'].iloc[0])}</dd>"
              f"<dt>{esc(tr('bal_signage', lang))}</dt><dd>{esc(_signage(result, lang))}</dd></dl>")
    return (f'<section class="card" id="balancing"><h2>{esc(tr("bal_sheet", lang))}</h2>'
            f'<p class="warn"><b>{esc(tr("bal_status_text", lang))}</b></p><p>{esc(tr("bal_law", lang))}</p>'
            f"{permit}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f'<p class="note">{esc(tr("bal_sheet_note", lang))}</p></section>')
