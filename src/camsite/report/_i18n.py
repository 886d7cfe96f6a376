"""Every heading and label of the deliverables, in Swedish (default) and English.

>>> tr("sites", "sv")
'Föreslagna platser'
>>> tr("sites", "en")
'Proposed sites'
>>> tr("no_such_key", "en")
'no_such_key'
"""

from __future__ import annotations

from typing import Mapping

__all__ = ["tr", "labels", "LANGS"]

#: Supported languages; the first is the default.
LANGS: tuple[str, ...] = ("sv", "en")

_T: dict[str, tuple[str, str]] = {
    # sheet / layer / section titles
    "sites": ("Föreslagna platser", "Proposed sites"),
    "existing": ("Befintliga kameror", "Existing cameras"),
    "curve": ("Budgetkurva", "Budget curve"),
    "assumptions": ("Antaganden", "Assumptions"),
    "camera_types": ("Kameratyper", "Camera types"),
    "data_sources": ("Datakällor", "Data sources"),
    "weights": ("Vikter per händelsekategori", "Weights per incident category"),
    "key_figures": ("Nyckeltal", "Key figures"),
    "by_category": ("Täckning per händelsekategori", "Coverage by incident category"),
    "by_subarea": ("Täckning per delområde", "Coverage by sub-area"),
    "map": ("Karta", "Map"),
    "method": ("Metod och antaganden", "Method and assumptions"),
    "evidence": ("Vad forskningen säger", "What the evidence says"),
    "illustrative_layers": ("Illustrativa eller syntetiska lager", "Illustrative or synthetic layers"),
    # column headings (sites.csv columns and extras)
    "rank": ("Rang", "Rank"),
    "site_id": ("Plats-id", "Site ID"),
    "lon": ("Longitud (WGS84)", "Longitude (WGS84)"),
    "lat": ("Latitud (WGS84)", "Latitude (WGS84)"),
    "easting": ("E (SWEREF 99 18 00)", "Easting (SWEREF 99 18 00)"),
    "northing": ("N (SWEREF 99 18 00)", "Northing (SWEREF 99 18 00)"),
    "street": ("Gata", "Street"),
    "camera_type": ("Kameratyp", "Camera type"),
    "cost_sek": ("Kostnad (kr)", "Cost (SEK)"),
    "gain_weight": ("Tillskott täckt vikt", "Added covered weight"),
    "gain_incidents": ("Tillskott täckta händelser", "Added covered incidents"),
    "cumulative_cost_sek": ("Kumulativ kostnad (kr)", "Cumulative cost (SEK)"),
    "cumulative_coverage_pct": ("Kumulativ täckning (%)", "Cumulative coverage (%)"),
    "address": ("Adress / läge", "Address / location"),
    "description": ("Beskrivning", "Description"),
    "camera_id": ("Kamera-id", "Camera ID"),
    "heading_deg": ("Riktning (grader)", "Heading (degrees)"),
    "source": ("Källa", "Source"),
    "covered_weight": ("Täckt vikt", "Covered weight"),
    "covered_incidents": ("Täckta händelser", "Covered incidents"),
    "only_this_weight": ("Vikt som bara denna kamera täcker", "Weight only this camera covers"),
    "budget_sek": ("Budget (kr)", "Budget (SEK)"),
    "spent_sek": ("Använt (kr)", "Spent (SEK)"),
    "n_sites": ("Antal nya platser", "New sites"),
    "coverage_pct": ("Täckning (%)", "Coverage (%)"),
    "backup_pct": ("Dubbeltäckning (%)", "Covered twice (%)"),
    "status": ("Lösarstatus", "Solver status"),
    "gap": ("Optimalitetsgap", "Optimality gap"),
    "knee": ("Knäpunkt", "Knee"),
    "is_knee": ("Knäpunkt", "Knee"),
    "name": ("Namn", "Name"),
    "label": ("Beskrivning", "Label"),
    "range_m": ("Räckvidd (m)", "Range (m)"),
    "fov_deg": ("Bildvinkel (grader)", "Field of view (degrees)"),
    "capex_sek": ("Investering (kr)", "Capital cost (SEK)"),
    "opex_sek_per_year": ("Drift per år (kr)", "Operating cost per year (SEK)"),
    "cost_horizon_sek": ("Kostnad över horisonten (kr)", "Cost over the horizon (SEK)"),
    "category": ("Kategori", "Category"),
    "weight": ("Vikt", "Weight"),
    "layer": ("Lager", "Layer"),
    "file": ("Fil", "File"),
    "provenance": ("Ursprung", "Provenance"),
    "rows": ("Antal rader", "Rows"),
    "item": ("Post", "Item"),
    "value": ("Värde", "Value"),
    "before_pct": ("Täckning före (%)", "Coverage before (%)"),
    "after_pct": ("Täckning efter (%)", "Coverage after (%)"),
    "weight_total": ("Total vikt", "Total weight"),
    "incidents_total": ("Händelser", "Incidents"),
    "subarea": ("Delområde", "Sub-area"),
    # key figures and assumption rows
    "scenario": ("Scenario", "Scenario"),
    "date": ("Datum", "Date"),
    "budget": ("Budget", "Budget"),
    "spent": ("Använt", "Spent"),
    "new_sites": ("Nya kameraplatser", "New camera sites"),
    "coverage_before": ("Täckning före", "Coverage before"),
    "coverage_after": ("Täckning efter", "Coverage after"),
    "horizon_years": ("Planeringshorisont (år)", "Planning horizon (years)"),
    "cost_rule": ("Kostnad per plats = investering + horisont × drift per år",
                  "Cost of a site = capital cost + horizon × operating cost per year"),
    "crs": ("Koordinatsystem", "Coordinate system"),
    "solver": ("Lösare", "Solver"),
    "runtime_s": ("Körtid (s)", "Runtime (s)"),
    "n_demand": ("Efterfrågepunkter", "Demand points"),
    "n_candidates": ("Kandidatvarianter", "Candidate variants"),
    "mode": ("Läge för händelsedata", "Incident data mode"),
    "mode_aggregated": ("Aggregerat per gatusegment; antal under 3 undertrycks (standard)",
                        "Aggregated per street segment; counts under 3 suppressed (default)"),
    "mode_raw": ("Råa händelsepunkter ingår (endast för internt bruk)",
                 "Raw incident points included (internal use only)"),
    "kr": ("kr", "SEK"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "proposed": ("föreslagen", "proposed"),
    "existing_one": ("befintlig", "existing"),
    "intersection": ("korsning", "intersection"),
    "street_kind": ("längs gatan", "along the street"),
    "mount": ("monteringspunkt", "mounting point"),
    "desc_site": ("{type} vid {street} ({kind}); ser ny vikt {gain:.1f} och {inc:.1f} händelser",
                  "{type} at {street} ({kind}); adds weight {gain:.1f} and {inc:.1f} incidents"),
    "desc_heading": ("riktad {heading:.0f}°", "facing {heading:.0f}°"),
    "unnamed_street": ("namnlös gata", "unnamed street"),
    "illustrative_flag": ("ILLUSTRATIVT", "ILLUSTRATIVE"),
    # map legend
    "legend_streets": ("Gator", "Streets"),
    "legend_existing": ("Befintlig kamera", "Existing camera"),
    "legend_proposed": ("Föreslagen plats (rang)", "Proposed site (rank)"),
    "legend_viewshed_ex": ("Synfält, befintlig", "Viewshed, existing"),
    "legend_viewshed_new": ("Synfält, föreslagen", "Viewshed, proposed"),
    "legend_demand": ("Händelser per gatusegment", "Incidents per street segment"),
    "legend_suppressed": ("1–2 händelser (undertryckt)", "1–2 incidents (suppressed)"),
    "legend_incidents": ("Händelse (rå punkt)", "Incident (raw point)"),
    "legend_study_area": ("Studieområde", "Study area"),
    "legend_subareas": ("Delområden", "Sub-areas"),
    "attribution": ("© OpenStreetMap contributors, ODbL 1.0", "© OpenStreetMap contributors, ODbL 1.0"),
    "illustrative_note": ("Illustrativa/syntetiska lager (inte verkliga data): {layers}",
                          "Illustrative/synthetic layers (not real data): {layers}"),
    "map_title": ("Föreslagna kameraplatser", "Proposed camera sites"),
    "curve_title": ("Täckning mot budget", "Coverage against budget"),
    "curve_x": ("Budget (miljoner kr)", "Budget (million SEK)"),
    "curve_y": ("Täckt vikt (%)", "Weight covered (%)"),
    "chosen_budget": ("Vald budget", "Chosen budget"),
    "before_line": ("Befintliga kameror", "Existing cameras"),
    "suppressed": ("färre än 3", "fewer than 3"),
}

_I = {"sv": 0, "en": 1}


def _index(lang: str) -> int:
    return _I.get(lang, 0)


def tr(key: str, lang: str = "sv", **fmt: object) -> str:
    """The text for ``key`` in ``lang`` (``"sv"`` or ``"en"``); unknown keys come back unchanged."""
    pair = _T.get(key)
    text = key if pair is None else pair[_index(lang)]
    return text.format(**fmt) if fmt else text


def labels(lang: str = "sv") -> Mapping[str, str]:
    """All texts in ``lang`` as one mapping (embedded in the HTML report).

    >>> labels("en")["map"]
    'Map'
    """
    i = _index(lang)
    return {k: v[i] for k, v in _T.items()}
