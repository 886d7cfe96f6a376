"""contribution.csv: the proposed places in one documented format the city can merge across districts.

One row per proposed site (docs/contribution-format.md): the format name and
version, the district (the scenario's ``name``) and its title, the plan's
first year, the site's rank, id, WGS84 and SWEREF 99 18 00 position, street,
camera type, costs and the incidents it newly sees. Incident counts follow the
privacy rule (:data:`camsite.privacy.MIN_COUNT`): a count under 3 is left
empty and ``incidents_suppressed`` is true, whatever ``--include-incidents``
says, since the file is meant to leave the district. Several districts' files
concatenate row by row: the columns, their order and units are fixed for a
format version, and ``district`` + ``site_id`` is unique.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from camsite import privacy
from camsite.privacy_events import has_events
from camsite.result import RunResult

__all__ = ["CONTRIBUTION_COLUMNS", "FORMAT_NAME", "FORMAT_VERSION", "contribution_table"]

#: The format's name and version (bump the version when a column changes).
FORMAT_NAME = "camsite-contribution"
FORMAT_VERSION = 1
#: Columns of contribution.csv, in order (docs/contribution-format.md).
CONTRIBUTION_COLUMNS: tuple[str, ...] = (
    "format", "format_version", "district", "district_title", "plan_start_year", "rank", "site_id", "lon", "lat",
    "easting", "northing", "crs", "street", "camera_type", "install_year", "investment_sek",
    "operation_sek_per_year", "cost_over_horizon_sek", "horizon_years", "incidents_seen", "incidents_suppressed",
)


def contribution_table(result: RunResult) -> pd.DataFrame:
    """contribution.csv's rows (:data:`CONTRIBUTION_COLUMNS`), one per proposed site in rank order."""
    sc, sites = result.scenario, result.sites
    opt = sc.optimization
    types = sites["camera_type"].astype(str)
    raw = pd.to_numeric(sites.get("gain_incidents", pd.Series(np.nan, index=sites.index)), errors="coerce")
    # the ranked sites carry the rule counted in distinct events (camsite.privacy_events): blanks are its own
    shown = raw.to_numpy(float) if has_events(sites) else privacy.suppress(raw.to_numpy(float))
    install = sites["install_year"] if "install_year" in sites else pd.Series(opt.first_year(), index=sites.index)
    out = pd.DataFrame({
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "district": sc.name,
        "district_title": sc.title or sc.name, "plan_start_year": opt.first_year(),
        "rank": sites["rank"].to_numpy(), "site_id": sites["site_id"].astype(str).to_numpy(),
        "lon": sites["lon"].to_numpy(float).round(6), "lat": sites["lat"].to_numpy(float).round(6),
        "easting": sites["easting"].to_numpy(float).round(1), "northing": sites["northing"].to_numpy(float).round(1),
        "crs": sc.crs, "street": sites["street"].astype(str).to_numpy(), "camera_type": types.to_numpy(),
        "install_year": install.to_numpy(),
        "investment_sek": [sc.camera_type(t).capex_sek for t in types],
        "operation_sek_per_year": [sc.camera_type(t).opex_sek_per_year for t in types],
        "cost_over_horizon_sek": sites["cost_sek"].to_numpy(float).round(2), "horizon_years": opt.horizon_years,
        "incidents_seen": shown.round(3), "incidents_suppressed": np.isnan(shown),
    }, columns=list(CONTRIBUTION_COLUMNS))
    return out
