"""Every text a user reads, in Swedish (default) and English: deliverables and terminal alike.

Names (category keys, statuses, precision classes) are in :mod:`camsite.vocab`;
this module gives what each of them reads as.

>>> tr("sites", "sv")
'Föreslagna platser'
>>> tr("sites", "en")
'Proposed sites'
>>> tr("no_such_key", "en")
'no_such_key'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["category_label", "fmt_num", "fmt_pct", "labels", "layer_label", "page_labels", "source_label", "tr"]

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
    "proven_optimal": ("Bevisat optimal", "Proven optimal"),
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
    "desc_site": ("{type} vid {street} ({kind}); tillför täckt vikt {gain} och {inc} händelser",
                  "{type} at {street} ({kind}); adds covered weight {gain} and {inc} incidents"),
    "desc_heading": ("riktad {heading:.0f}°", "facing {heading:.0f}°"),
    "unnamed_street": ("namnlös gata", "unnamed street"),
    "illustrative_flag": ("ILLUSTRATIVT", "ILLUSTRATIVE"),
    # map legend
    "legend_streets": ("Gator", "Streets"),
    "legend_existing": ("Befintlig kamera", "Existing camera"),
    "legend_proposed": ("Föreslagen plats (rang)", "Proposed site (rank)"),
    "legend_viewshed_ex": ("Synfält, befintlig", "Viewshed, existing"),
    "legend_viewshed_new": ("Synfält, föreslagen", "Viewshed, proposed"),
    "legend_demand": ("Viktade händelser per gatusegment", "Weighted incidents per street segment"),
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
    # robustness and sensitivity (issue 15: camsite robustness, run --robustness)
    "rob_title": ("Hur säker är planen?", "How sure is the plan?"),
    "rob_intro": ("{n} störda versioner av underlaget (händelser dragna om med återläggning och flyttade inom sin "
                  "lägesprecision, vikter och kamerornas räckvidd varierade) löstes exakt med samma budget "
                  "(frö {seed}). Den stabila kärnan är platser som valdes i minst {share} av körningarna.",
                  "{n} perturbed versions of the data (incidents resampled with replacement and moved within "
                  "their position precision, weights and camera ranges varied) were solved exactly at the same "
                  "budget (seed {seed}). The stable core is the sites chosen in at least {share} of the samples."),
    "rob_core": ("Stabil kärna", "Stable core"),
    "rob_none": ("ingen", "none"),
    "rob_mean_jaccard": ("Genomsnittlig överlappning med planen (Jaccard)", "Mean overlap with the plan (Jaccard)"),
    "rob_mean_regret": ("Genomsnittlig förlust mot bästa plan per urval", "Mean regret against each sample's optimum"),
    "rob_sheet": ("Robusthet", "Robustness"),
    "rob_site": ("Plats", "Site"),
    "rob_frequency": ("Andel urval där platsen valdes", "Share of samples choosing the site"),
    "rob_n_chosen": ("Antal urval", "Samples"),
    "rob_mean_rank": ("Medelrang när vald", "Mean rank when chosen"),
    "rob_in_main": ("I planen", "In the plan"),
    "rob_stable": ("Stabil", "Stable"),
    "rob_yes": ("ja", "yes"),
    "rob_no": ("nej", "no"),
    "rob_map_title": ("Platser färgade efter hur ofta de väljs", "Sites coloured by how often they are chosen"),
    "rob_regret_title": ("Planens förlust i varje urval", "The plan's regret in each sample"),
    "rob_regret_x": ("Förlust mot urvalets bästa plan (%)", "Regret against the sample's optimum (%)"),
    "rob_regret_y": ("Antal urval", "Samples"),
    "rob_alternatives": ("Platser som oftast väljs i stället för planens",
                         "Sites most often chosen instead of the plan's"),
    "rob_replaces": ("Ersätter oftast", "Most often replaces"),
    "rob_replaces_share": ("Andel av gångerna", "Share of those samples"),
    "rob_distance": ("Avstånd (m)", "Distance (m)"),
    "oat_title": ("Känslighet: ett antagande i taget", "Sensitivity: one assumption at a time"),
    "oat_x": ("Täckt vikt med bästa plan (%)", "Weight covered by the best plan (%)"),
    "oat_low": ("Lågt värde", "Low value"),
    "oat_high": ("Högt värde", "High value"),
    "oat_assumption": ("Antagande", "Assumption"),
    "oat_level": ("Nivå", "Level"),
    "oat_factor": ("Faktor", "Factor"),
    "oat_change": ("Förändring (procentenheter)", "Change (percentage points)"),
    "oat_changed": ("Platser ur planen som byts", "Plan sites replaced"),
    "oat_base": ("Scenariots värden", "Scenario values"),
    "oat_street_weight": ("Vikt för gaturum", "Street-space weight"),
    "oat_footfall": ("Vikt för resenärer", "Footfall weight"),
    "oat_camera_range": ("Kamerornas räckvidd", "Camera range"),
    "oat_camera_cost": ("Kamerakostnad", "Camera cost"),
    "oat_category": ("Vikt: {cat}", "Weight: {cat}"),
    "rob_done": ("Robusthet: {n} urval, stabil kärna {core} av planens {plan} platser, överlappning i snitt {jaccard}, "
                 "förlust i snitt {regret}. ",
                 "Robustness: {n} samples, stable core {core} of the plan's {plan} sites, mean overlap {jaccard}, "
                 "mean regret {regret}. "),
}

_I = {"sv": 0, "en": 1}


def _index(lang: str) -> int:
    return _I.get(lang, 0)


def tr(key: str, lang: str = "sv", **fmt: object) -> str:
    """The text for ``key`` in ``lang`` (``"sv"`` or ``"en"``); unknown keys come back unchanged."""
    pair = _T.get(key)
    text = key if pair is None else pair[_index(lang)]
    return text.format(**fmt) if fmt else text


def category_label(category: str, lang: str = "sv", default: str | None = None) -> str:
    """The label of an incident category; ``default`` (else the key) for categories without a translation.

    >>> category_label("narkotika", "en"), category_label("egen", "en", "Egen kategori")
    ('Drug offences', 'Egen kategori')
    """
    key = f"cat_{category}"
    if key in _T:
        return tr(key, lang)
    return default if default is not None else category


def evidence_labels(lang: str = "sv") -> dict[str, str]:
    """Short labels of precision classes (and of categories in English) for the evidence columns of sites.csv.

    >>> evidence_labels("sv")["street"], evidence_labels("sv")["vald"], evidence_labels("en")["vald"]
    ('gata', 'våld', 'violence')
    """
    out = {p: tr(f"prec_{p}", lang) for p in ("point", "intersection", "street", "station", "area")
           if f"prec_{p}" in _T}
    if lang == "sv":
        out.update({"vald": "våld", "skadegorelse": "skadegörelse", "ovrigt": "övrigt"})
    if lang == "en":
        out.update({"vald": "violence", "narkotika": "drugs", "knivlagen": "knives/weapons",
                    "skadegorelse": "damage/theft", "trafik": "traffic", "ovrigt": "other"})
    return out


def layer_label(layer: str, lang: str = "sv") -> str:
    """A layer's name as a reader sees it; ``incidents:NAME`` keeps its own name.

    >>> layer_label("existing_cameras"), layer_label("incidents:polisen", "en"), layer_label("x")
    ('befintliga kameror', 'incidents: polisen', 'x')
    """
    kind, _, own = layer.partition(":")
    text = tr(f"layer_{kind}", lang) if f"layer_{kind}" in _T else kind
    return f"{text}: {own}" if own else text


def source_label(source: str, lang: str = "sv") -> str:
    """A layer's stated source, with camsite's own words (illustrative, synthetic) in ``lang``.

    >>> source_label("illustrative"), source_label("polisen.se", "en")
    ('illustrativ', 'polisen.se')
    """
    key = f"source_{source.strip().lower()}"
    return tr(key, lang) if key in _T else source


def fmt_num(value: Any, decimals: int = 0, lang: str = "sv") -> str:
    """A number as a planner reads it: Swedish ``1 234,5``, English ``1,234.5``; missing values as ``–``.

    >>> fmt_num(1234.56, 1, "sv"), fmt_num(1234.56, 1, "en"), fmt_num(None)
    ('1\xa0234,6', '1,234.6', '–')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def fmt_pct(value: Any, lang: str = "sv", decimals: int = 1) -> str:
    """A percentage, or ``–`` when missing.

    >>> fmt_pct(12.345, "sv"), fmt_pct(None, "en")
    ('12,3 %', '–')
    """
    text = fmt_num(value, decimals, lang)
    return text if text == "–" else f"{text} %"


def labels(lang: str = "sv") -> Mapping[str, str]:
    """All texts in ``lang`` as one mapping (embedded in the HTML report).

    >>> labels("en")["map"]
    'Map'
    """
    i = _index(lang)
    return {k: v[i] for k, v in _T.items()}


_T.update({
    "kicker": ("camsite · beslutsunderlag för kameraövervakning", "camsite · decision support for camera surveillance"),
    "made_on": ("Scenario {scenario}", "Scenario {scenario}"),
    "banner_illustrative": ("Obs: lagren {layers} är illustrativa eller syntetiska (påhittade), inte verkliga data. "
                            "Resultatet visar metoden, inte var kameror faktiskt behövs.",
                            "Note: the layers {layers} are illustrative or synthetic (made up), not real data. "
                            "The result shows the method, not where cameras are actually needed."),
    "banner_raw": ("Innehåller råa händelsepunkter – endast för internt bruk, får inte spridas.",
                   "Contains raw incident points – internal use only, do not distribute."),
    "map_note": ("Dra för att panorera, scrolla eller använd knapparna för att zooma, håll muspekaren över ett objekt "
                 "för detaljer. Kartan ritas ur rapportens egna data (SWEREF 99 18 00) och hämtar ingenting från nätet.",
                 "Drag to pan, scroll or use the buttons to zoom, hover over an object for details. The map is drawn "
                 "from the report's own data (SWEREF 99 18 00) and loads nothing from the network."),
    "sites_table_note": ("Rangordnade efter marginell nytta: varje plats tillför det som ännu inte täcks av befintliga "
                         "kameror och platserna före den. Klicka på en rad för att visa platsen på kartan.",
                         "Ranked by marginal gain: each site adds what is not yet covered by existing cameras and the "
                         "sites before it. Click a row to show the site on the map."),
    "curve_note": ("Varje punkt är en egen optimering vid den budgeten. Knäpunkten är där kurvan planar ut: "
                   "pengar efter den köper mindre täckning per krona.",
                   "Each point is a separate optimisation at that budget. The knee is where the curve flattens: "
                   "money beyond it buys less coverage per krona."),
    "not_proven_points": ("ej bevisat optimal (tidsgräns), gap upp till {gap}",
                          "not proven optimal (time limit), gap up to {gap}"),
    "not_proven_point": ("ej bevisat optimal, gap {gap}", "not proven optimal, gap {gap}"),
    "curve_not_proven": ("{n} av {total} punkter är inte bevisat optimala: lösaren nådde tidsgränsen, och den "
                         "bästa möjliga täckningen vid den budgeten kan vara högre (se gap). Kör med längre "
                         "tidsgräns (--time-limit) eller med HiGHS för att få dem bevisade.",
                         "{n} of {total} points are not proven optimal: the solver hit its time limit and the best "
                         "possible coverage at that budget may be higher (see gap). Run with a longer time limit "
                         "(--time-limit) or with HiGHS to have them proven."),
    "no_curve": ("Ingen budgetkurva beräknades (lägg till [optimization.budget_sweep] i scenariot).",
                 "No budget curve was computed (add [optimization.budget_sweep] to the scenario)."),
    "coverage_def": ("Täckning = andel av den viktade efterfrågan (händelser viktade per kategori, plus gatumiljö) "
                     "som minst en kamera ser.",
                     "Coverage = share of the weighted demand (incidents weighted by category, plus street space) "
                     "seen by at least one camera."),
    "m_data": ("Data och datum", "Data and dates"),
    "m_crs": ("Koordinatsystem", "Coordinate system"),
    "m_crs_text": ("{crs} (SWEREF 99 18 00, meter). Kartor och GeoPackage i samma system; sites.csv har även WGS84.",
                   "{crs} (SWEREF 99 18 00, metres). Maps and GeoPackage in the same system; sites.csv also has WGS84."),
    "m_cameras": ("Kameraantaganden", "Camera assumptions"),
    "m_cost": ("Kostnad per plats = investering + {years:g} år × drift per år.",
               "Cost of a site = capital cost + {years:g} years × operating cost per year."),
    "m_existing": ("Befintliga kameror", "Existing cameras"),
    "m_existing_text": ("{n} befintliga kameror (källa: {source}). Det de ser räknas som redan täckt innan nya "
                        "platser väljs, så förslagen kompletterar dem i stället för att dubblera dem. Nya platser "
                        "närmare än {dist:g} m från en befintlig kamera prövas inte.",
                        "{n} existing cameras (source: {source}). What they see counts as already covered before new "
                        "sites are chosen, so the proposals complement rather than duplicate them. New sites closer "
                        "than {dist:g} m to an existing camera are not considered."),
    "m_solver": ("Optimering", "Optimisation"),
    "m_solver_text": ("Maximal täckning inom budget (heltalsprogram), lösare {solver}. Status: {status}; "
                      "gap {gap}; målvärde {objective} (övre gräns {bound}).",
                      "Maximal coverage within the budget (integer programme), solver {solver}. Status: {status}; "
                      "gap {gap}; objective {objective} (upper bound {bound})."),
    "run_info": ("Körning {date}, körtid {runtime} s.", "Run on {date}, runtime {runtime} s."),
    "m_time_limit": ("Lösaren stoppades av tidsgränsen: lösningen är den bästa som hittades och kan vara upp till "
                     "gapet från optimum.",
                     "The solver stopped at its time limit: the solution is the best found and may be up to the gap "
                     "from the optimum."),
    "m_privacy": ("Integritet", "Privacy"),
    "m_privacy_agg": ("Händelser visas bara som antal per gatusegment; segment med 1–2 händelser visas som "
                      "\"färre än 3\". Inga enskilda händelsepunkter finns i rapporten, kartbilderna eller "
                      "GeoPackage-filen.",
                      "Incidents are shown only as counts per street segment; segments with 1–2 incidents show "
                      "\"fewer than 3\". No individual incident points are in the report, the map images or the "
                      "GeoPackage."),
    "m_privacy_raw": ("Rapporten gjordes med --include-incidents: råa händelsepunkter ingår. Endast för internt bruk.",
                      "The report was made with --include-incidents: raw incident points are included. "
                      "Internal use only."),
    "m_evidence_text": (
        "Kameror förebygger brott i begränsad och osäker grad. Den senaste stora metaanalysen (Piza, Welsh, "
        "Farrington & Thomas 2019, 80 studier, gjord för Brå) fann en liten men signifikant minskning, omkring 13 % "
        "sammantaget, störst på parkeringsplatser och för fordons- och egendomsbrott. För våldsbrott fanns ingen "
        "säkerställd effekt; för narkotikabrott bygger skattningen på få studier (6) och är osäker. "
        "Vid öppna drogscener är förflyttning till närliggande gator en känd risk. Täckning i den här rapporten "
        "är ett mått på vad kamerorna kan se, inte på hur mycket brottsligheten minskar.",
        "Cameras prevent crime to a limited and uncertain degree. The latest large meta-analysis (Piza, Welsh, "
        "Farrington & Thomas 2019, 80 studies, commissioned by Brå) found a small but significant reduction, about "
        "13 % overall, largest in car parks and for vehicle and property crime. For violent crime there was no "
        "significant effect; for drug crime the estimate rests on few studies (6) and is uncertain. "
        "At open drug markets, displacement to nearby streets is a known risk. Coverage in this report measures "
        "what the cameras can see, not how much crime falls."),
    "m_evidence_ref": ("Piza, E. L., Welsh, B. C., Farrington, D. P. & Thomas, A. L. (2019). CCTV surveillance for "
                       "crime prevention: A 40-year systematic review with meta-analysis. Criminology & Public "
                       "Policy 18(1), 135–159. doi:10.1111/1745-9133.12419. Brå (2018), Fungerar kamerabevakning "
                       "brottsförebyggande?",
                       "Piza, E. L., Welsh, B. C., Farrington, D. P. & Thomas, A. L. (2019). CCTV surveillance for "
                       "crime prevention: A 40-year systematic review with meta-analysis. Criminology & Public "
                       "Policy 18(1), 135–159. doi:10.1111/1745-9133.12419. Brå (2018), Fungerar kamerabevakning "
                       "brottsförebyggande?"),
    "m_illustrative_none": ("Inga lager är markerade som illustrativa eller syntetiska.",
                            "No layer is marked illustrative or synthetic."),
    "footer": ("Skapad av camsite {version}. Kartdata © OpenStreetMap contributors, ODbL 1.0.",
               "Made by camsite {version}. Map data © OpenStreetMap contributors, ODbL 1.0."),
    "status_optimal": ("optimal (bevisat bästa)", "optimal (proven best)"),
    "status_time_limit": ("tidsgräns (bästa funna)", "time limit (best found)"),
    "status_infeasible": ("ogenomförbar", "infeasible"),
    "of_budget": ("av {budget}", "of {budget}"),
    "pct_points": ("+{d:.1f} procentenheter", "+{d:.1f} percentage points"),
    "no_sites": ("Inga nya platser föreslogs.", "No new sites were proposed."),
    "cat_vald": ("Våld (misshandel, rån, olaga hot, mord/dråp)", "Violence (assault, robbery, threats, murder)"),
    "cat_narkotika": ("Narkotikabrott", "Drug offences"),
    "cat_knivlagen": ("Brott mot knivlagen och vapenbrott", "Knife-law and weapons offences"),
    "cat_skadegorelse": ("Skadegörelse och stöld", "Criminal damage and theft"),
    "cat_trafik": ("Trafikhändelser", "Traffic events"),
    "cat_ovrigt": ("Övrigt", "Other"),
    "cat_gata": ("Gatumiljö (gatumeter)", "Street space (metres of street)"),
    "cat_resande": ("Resande vid tunnelbanans uppgångar", "Travellers at metro entrances"),
    # demand kinds as reported (issue 12: honest headline figures)
    "kind_incident": ("Händelser (polisens händelser, viktade)", "Incidents (police events, weighted)"),
    "kind_footfall": ("Resandes ytor sedda (torg vid uppgångar)", "Travellers' space seen (squares at entrances)"),
    "kind_street": ("Gatumeter sedda", "Metres of street seen"),
    # issue 12: headline figures, objective blend, uncoverable demand, why each site
    "incidents_seen_before": ("Händelser sedda före", "Incidents seen before"),
    "incidents_seen_after": ("Händelser sedda efter", "Incidents seen after"),
    "by_kind": ("Täckning per slag av efterfrågan", "Coverage by kind of demand"),
    "blend_part": ("{kind} {w} viktenheter ({share} %)", "{kind} {w} weight units ({share} %)"),
    "blend_sentence": ("Målfunktionen väger samman {parts}; den viktade blandningen täcks {before} % före och "
                       "{after} % efter. Huvudtalet ovan är händelserna.",
                       "The objective adds up {parts}; the weighted blend is covered {before} % before and "
                       "{after} % after. The headline above is the incidents."),
    "unc_title": ("Det som ingen kamera kan se", "What no camera can see"),
    "unc_text": ("{n} efterfrågepunkter ({share} % av vikten, {inc} % av händelsevikten) kan inte ses av någon "
                 "kandidatplats eller befintlig kamera. De räknas i nämnaren för täckningen.",
                 "{n} demand points ({share} % of the weight, {inc} % of the incident weight) can be seen by no "
                 "candidate site and no existing camera. They count in the coverage denominator."),
    "unc_too_far": ("för långt från alla kandidatplatser", "too far from any candidate site"),
    "unc_excluded_zone": ("i en zon där kameror inte får sitta", "in a zone where no camera may go"),
    "unc_no_line_of_sight": ("ingen fri sikt (byggnader, synfält)", "no line of sight (buildings, field of view)"),
    "points": ("punkter", "points"),
    "incidents_col": ("Händelser", "Incidents"),
    "why_site": ("Varför här?", "Why here?"),
    "kind": ("Slag av efterfrågan", "Kind of demand"),
    "alternative_site_id": ("Bästa andra plats", "Best other site"),
    "alternative_gain_weight": ("Den platsens tillskott (vikt)", "That site's gain (weight)"),
    "why_categories": ("Nya händelser i synfältet, per kategori", "Incidents newly seen, by category"),
    "why_precision": ("Nya händelser per lägesprecision", "Incidents newly seen, by position precision"),
    "streets_seen": ("Gator den ser", "Streets it sees"),
    "alternative": ("Bästa andra plats", "Best other place"),
    "alternative_text": ("plats {site} hade tillfört {gain} viktenheter (denna plats {own})",
                         "site {site} would have added {gain} weight units (this site {own})"),
    "run_kinds": (" Resandes ytor {ff_before} -> {ff_after}; gatumeter {st_before} -> {st_after}; "
                  "målfunktionen (viktad blandning) {before} -> {after}.",
                  " Travellers' space {ff_before} -> {ff_after}; metres of street {st_before} -> {st_after}; "
                  "objective (weighted blend) {before} -> {after}."),
    "north": ("Norr är uppåt (SWEREF 99 18 00)", "North is up (SWEREF 99 18 00)"),
    "label_col": ("Kategori / område", "Category / area"),
    "bar": ("Före → efter", "Before → after"),
    "incidents_seen": ("Händelser sedda efter / totalt", "Incidents seen after / total"),
})


_T.update({
    "compare_title": ("Jämförelse av körningar", "Comparison of runs"),
    "run": ("Körning", "Run"),
    "metric": ("Mått", "Measure"),
    "after_in": ("Täckning efter, {label} (%)", "Coverage after, {label} (%)"),
    "before_in": ("Täckning före, {label} (%)", "Coverage before, {label} (%)"),
    "shared_sites": ("Platser gemensamma med {run}", "Sites shared with {run}"),
    "coverage_before_pct": ("Täckning före (%)", "Coverage before (%)"),
    "coverage_after_pct": ("Täckning efter (%)", "Coverage after (%)"),
    "n_new_sites": ("Nya platser", "New sites"),
    "folder": ("Mapp", "Folder"),
    "compare_note": ("Varje kolumn är en körning av camsite (en utdatamapp). Täckningen är jämförbar bara mellan "
                     "körningar med samma efterfrågan (samma händelser, vikter och studieområde).",
                     "Each column is one camsite run (an output folder). Coverage is comparable only between runs "
                     "with the same demand (same incidents, weights and study area)."),
})


_T.update({
    # terminal: progress steps of `camsite run`
    "step_inputs": ("läser indata", "reading inputs"),
    "step_instance": ("siktlinjer", "sight lines"),
    "step_optimise": ("optimering", "optimising"),
    "step_curve": ("budgetkurva", "budget curve"),
    "step_rank": ("rangordning", "ranking"),
    "step_write": ("skriver filer", "writing files"),
    "run_done": ("{n} nya platser för {spent} av {budget} kr; händelser sedda {inc_before} -> {inc_after} "
                 "(status {status}, gap {gap}). Resultat i {folder}/",
                 "{n} new sites for {spent} of {budget} SEK; incidents seen {inc_before} -> {inc_after} "
                 "(status {status}, gap {gap}). Output in {folder}/"),
    "points_curve": ("punkter i budgetkurvan", "budget-curve points"),
    "points_stages": ("etapper", "stages"),
    "points_both": ("punkter i budgetkurvan och etapper", "budget-curve points and stages"),
    "run_all_proven": (" Alla {total} {what} är bevisat optimala.", " All {total} {what} are proven optimal."),
    "run_not_proven": (" OBS: {n} av {total} {what} är inte bevisat optimala (tidsgräns; se kolumnen "
                       "proven_optimal).",
                       " NOTE: {n} of {total} {what} are not proven optimal (time limit; see the proven_optimal "
                       "column)."),
    "run_illustrative": ("obs: lagret {layer} är illustrativt (påhittat), inte verkliga data.",
                         "note: the layer {layer} is illustrative (made up), not real data."),
    # the question a run answers (issue 14, part 1): terminal, report, budget curve
    "views_existing": ("Befintliga kameror ({n} st) bedöms med samma modell: typ och riktning ur förteckningen "
                       "({heading} med riktning), höjd ur förteckningen för {height} och annars kameratypens; en "
                       "befintlig PTZ-dom med riktning räknas som låst på den sektorn, utan riktning som patrullerande.",
                       "Existing cameras ({n}) are valued by the same model: type and heading from the inventory "
                       "({heading} with a heading), height from the inventory for {height} and otherwise the camera "
                       "type's; an existing PTZ dome with a heading is taken as held on that sector, without one as "
                       "patrolling."),
    "graded_note": (" (viktat efter bildkvalitet, EN 62676-4)", " (weighted by image quality, EN 62676-4)"),
    "run_done_min_cost": ("{question}; händelser sedda {inc_before} -> {inc_after} (status {status}, gap {gap}). "
                          "Resultat i {folder}/",
                          "{question}; incidents seen {inc_before} -> {inc_after} (status {status}, gap {gap}). "
                          "Output in {folder}/"),
    "q_max_coverage": ("Mest täckning inom budgeten {budget} kr", "Most coverage within the budget of {budget} SEK"),
    "q_min_cost_share": ("Billigaste plan som ser minst {share} av händelserna",
                         "Cheapest plan that sees at least {share} of the incidents"),
    "q_min_cost": ("Billigaste plan som når målen", "Cheapest plan that meets the targets"),
    "q_plan": ("{n} platser för {cost} kr", "{n} sites for {cost} SEK"),
    "q_categories": ("per kategori minst {parts}", "per category at least {parts}"),
    "q_subareas": ("varje delområde minst {share}", "each sub-area at least {share}"),
    "q_subareas_all": ("alla händelser som går att se i varje delområde",
                       "every incident that can be seen in each sub-area"),
    "q_clusters": ("varje händelsekluster ({n} st) minst {share}", "each incident cluster ({n}) at least {share}"),
    "q_clusters_all": ("alla händelser som går att se i varje händelsekluster ({n} st)",
                       "every incident that can be seen in each incident cluster ({n})"),
    "q_label": ("Frågan", "The question"),
    "target_points_sheet": ("Målpunkter", "Target points"),
    "target_incident_share": ("Mål: andel av händelsevikten", "Target: share of the incident weight"),
    "incident_pct": ("Händelser sedda (%)", "Incidents seen (%)"),
    "max_incident_pct": ("Högsta nåbara andel (%)", "Highest share reachable (%)"),
    "target_card": ("Mål", "Target"),
    "target_points": ("Minsta budget för andel sedda händelser", "Minimum budget for a share of incidents seen"),
    "target_unreachable": ("{share} nås inte: högst {max} av händelserna kan ses",
                           "{share} cannot be reached: at most {max} of the incidents can be seen"),
    # terminal: import-events precision classes
    "prec_intersection": ("korsning", "intersection"),
    "prec_station": ("station", "station"),
    "prec_street": ("gata", "street"),
    "prec_area": ("område", "area"),
    "prec_unlocated": ("ej lägesbestämda", "not located"),
})


_T.update({
    "layer_network": ("gatunät", "street network"),
    "layer_incidents": ("händelser", "incidents"),
    "layer_existing_cameras": ("befintliga kameror", "existing cameras"),
    "layer_subareas": ("delområden", "sub-areas"),
    "layer_study_area": ("studieområde", "study area"),
    "layer_footfall": ("flöden", "footfall"),
    "layer_mounting_points": ("monteringspunkter", "mounting points"),
    "source_illustrative": ("illustrativ", "illustrative"),
    "source_synthetic": ("syntetisk", "synthetic"),
})


_T.update({
    # report section "Känsliga platser" (issue 12, part 8): exclusion zones and do-not-view zones with their counts
    "sens_title": ("Känsliga platser", "Sensitive places"),
    "sens_intro": ("I en undantagen zon får ingen ny kamera monteras (eller bara mot en tilläggskostnad). Ingen "
                   "föreslagen kamera ser in i en zon som inte får synas. Befintliga kameror ändras inte.",
                   "No new camera may be mounted in an exclusion zone (or only at an extra cost). No proposed camera "
                   "sees into a zone no camera may look into. Existing cameras are not changed."),
    "sens_mode_mask": ("En kandidat som ser in i en sådan zon får en integritetsmask över zonen och det som ligger "
                       "bakom den sett från kameran; behåller den då mindre än {share} % av den viktade "
                       "efterfrågan den såg tas den bort.",
                       "A candidate that sees into such a zone gets a privacy mask over the zone and what lies behind "
                       "it as seen from the camera; if it then keeps less than {share} % of the weighted demand it "
                       "saw, it is removed."),
    "sens_mode_forbid": ("Varje kandidat som skulle se in i en sådan zon tas bort.",
                         "Every candidate that would see into such a zone is removed."),
    "sens_kind": ("Typ", "Type"),
    "sens_place": ("Plats", "Place"),
    "sens_effect": ("Effekt på kandidaterna", "Effect on the candidates"),
    "sens_exclusion": ("Undantagen zon", "Exclusion zone"),
    "sens_no_view": ("Får inte synas", "Must not be viewed"),
    "sens_removed": ("{sites} platser ({variants} varianter) borttagna", "{sites} sites ({variants} variants) removed"),
    "sens_penalised": ("{sites} platser ({variants} varianter) med tillägg {penalty} kr",
                       "{sites} sites ({variants} variants) at an extra {penalty} SEK"),
    "sens_masked": ("{masked} varianter maskerade, {removed} borttagna", "{masked} variants masked, {removed} removed"),
    "sens_proposed_masked": ("; föreslagna platser som behöver masken: {sites}",
                             "; proposed sites that need the mask: {sites}"),
})


_T.update({
    # costs over time, the staged plan by year and the budget annex (issue 14, parts 2-4)
    "sheet_stages": ("Etappplan", "Staged plan"),
    "sheet_annex": ("Budgetbilaga", "Budget annex"),
    "stage": ("Etapp", "Stage"),
    "year": ("År", "Year"),
    "cumulative_budget_sek": ("Ackumulerad budget (kr)", "Cumulative budget (SEK)"),
    "n_new_sites": ("Nya platser", "New sites"),
    "new_site_ids": ("Tillkommande platser (id)", "Sites added (id)"),
    "new_site_streets": ("Gator", "Streets"),
    "incident_coverage_pct": ("Händelser sedda (%)", "Incidents seen (%)"),
    "optimum_coverage_pct": ("Bästa täckning i ett steg (%)", "One-shot optimum (%)"),
    "shortfall_pct": ("Pris för etappindelning (procentenheter)", "Price of staging (percentage points)"),
    "investment_sek": ("Investering (kr)", "Investment (SEK)"),
    "operation_sek": ("Drift (kr)", "Operation (SEK)"),
    "investment_ksek": ("Investering (tkr)", "Investment (kSEK)"),
    "operation_ksek": ("Driftkostnad (tkr)", "Operating cost (kSEK)"),
    "total_ksek": ("Summa (tkr)", "Total (kSEK)"),
    "cameras_installed": ("Kameror installerade", "Cameras installed"),
    "cameras_in_operation": ("Kameror i drift", "Cameras in operation"),
    "incidents_seen_share": ("Händelser sedda (andel)", "Incidents seen (share)"),
    "annex_title": ("Budgetbilaga: nya övervakningskameror, {name}", "Budget annex: new surveillance cameras, {name}"),
    "annex_years_one_shot": ("Kostnader per år, hela planen installerad {year} (sites.csv)",
                             "Costs per year, the whole plan installed in {year} (sites.csv)"),
    "annex_years_staged": ("Kostnader per år, etappplanen", "Costs per year, the staged plan"),
    "annex_sum": ("Summa", "Total"),
    "annex_pv": ("Nuvärde (diskonteringsränta {rate})", "Present value (discount rate {rate})"),
    "annex_by_category": ("Täckning per kategori (planen i sites.csv)", "Coverage by category (the plan in sites.csv)"),
    "annex_by_category_staged": ("Täckning per kategori vid årets slut, etappplanen (andel av kategorins vikt)",
                                 "Coverage by category at the end of each year, the staged plan (share of the "
                                 "category's weight)"),
    "annex_marginal": ("Marginalkostnad för sista procentenheten", "Marginal cost of the last percentage point"),
    "annex_marginal_how": ("Budgetkurvans sista steg upp till vald budget: kostnadsökning ({from_} → {to} kr) delad "
                           "med täckningsökningen ({gain} procentenheter, målfunktionens täckning)",
                           "The budget curve's last step up to the chosen budget: the cost increase ({from_} → {to} "
                           "SEK) divided by the coverage gain ({gain} percentage points, the objective's coverage)"),
    "annex_marginal_none": ("Ingen budgetkurva (eller ingen täckningsökning i dess sista steg): ej beräknad",
                            "No budget curve (or no coverage gain in its last step): not computed"),
    "annex_assumptions": ("Antaganden och källor", "Assumptions and sources"),
    "annex_rule_total": ("Budgeten gäller total kostnad under horisonten (investering, utbyten och drift)",
                         "The budget limits the total cost over the horizon (investment, replacements, operation)"),
    "annex_rule_investment": ("Budgeten gäller investeringen första året", "The budget limits the first year's "
                              "investment"),
    "annex_rule_yearly": ("Budgeten gäller varje års kostnad (investering och drift)",
                          "The budget limits each year's cost (investment and operation)"),
    "budget_applies_to": ("Budgeten gäller", "What the budget limits"),
    "start_year": ("Startår", "Start year"),
    "discount_rate": ("Diskonteringsränta", "Discount rate"),
    "lifetime_years": ("Livslängd (år)", "Lifetime (years)"),
    "staged_differs": ("Etappplanens sista etapp har andra platser än sites.csv (planen för hela budgeten i ett "
                       "steg): bara i etappplanen {staged}; bara i sites.csv {one_shot}.",
                       "The staged plan's last stage has other sites than sites.csv (the one-shot plan for the "
                       "whole budget): only in the staged plan {staged}; only in sites.csv {one_shot}."),
    "staged_same": ("Etappplanens sista etapp har samma platser som sites.csv.",
                    "The staged plan's last stage has the same sites as sites.csv."),
    "none": ("inga", "none"),
    "value_ksek_per_point": ("Tkr per procentenhet", "kSEK per percentage point"),
    "annex_how": ("Beräkning", "How computed"),
    "budget_ksek": ("Budget (tkr)", "Budget (kSEK)"),
    "capex_ksek": ("investering per kamera (tkr)", "capital cost per camera (kSEK)"),
    "opex_ksek": ("drift per kamera och år (tkr)", "operating cost per camera and year (kSEK)"),
    "lifetime": ("livslängd (år; tomt: längre än horisonten)", "lifetime (years; empty: beyond the horizon)"),
})


_T.update({
    # maps (issue 12, part 7): base layers, legend entries and attribution of map.png and the report's map
    "legend_water": ("Vatten", "Water"),
    "legend_districts": ("Stadsdelsgräns och stadsdel", "District boundary and district"),
    "legend_streets_main": ("Huvudgata (med namn)", "Main street (named)"),
    "legend_streets_other": ("Övrig gata", "Other street"),
    "legend_metro": ("Tunnelbaneuppgång och station", "Metro entrance and station"),
    "legend_exclusion": ("Undantagen zon (ingen ny kamera eller tilläggskostnad)",
                         "Exclusion zone (no new camera, or an extra cost)"),
    "legend_no_view": ("Zon som ingen kamera får se in i", "Zone no camera may look into"),
    "legend_demand_weight": ("Viktade händelser per gatusegment (summa av kategorivikter)",
                             "Weighted incidents per street segment (sum of category weights)"),
    "demand_weight_tip": ("Viktade händelser", "Weighted incidents"),
    "metro_entrance": ("Tunnelbaneuppgång", "Metro entrance"),
    "zone_penalty": ("{name} (+{cost} kr)", "{name} (+{cost} SEK)"),
    "attr_both": ("Stadsdelar och vatten", "Districts and water"),
    "attr_districts": ("Stadsdelar", "Districts"),
    "attr_water": ("Vatten", "Water"),
    "attr_stockholm": ("Stockholms stad (CC0)", "City of Stockholm (CC0)"),
})


# -- issue 16: the planning workbench (camsite serve): the page's texts, keys "wb_*" ---------------------------------
_T.update({
    "wb_title": ("Planeringsbänk: nya kameraplatser", "Planning workbench: new camera sites"),
    "wb_help": ("Klicka på en föreslagen plats eller en kandidat (grå prick) för att tvinga in eller utesluta den, "
                "på en befintlig kamera för att ta bort den ur nuläget. Varje ändring löses exakt.",
                "Click a proposed site or a candidate (grey dot) to force or forbid it, an existing camera to remove "
                "it from the current state. Every change is solved exactly."),
    "wb_budget": ("Budget (kr)", "Budget (SEK)"),
    "wb_spent": ("Använt", "Spent"),
    "wb_sites_n": ("Nya platser", "New sites"),
    "wb_before": ("Före", "Before"),
    "wb_after": ("Efter", "After"),
    "wb_total": ("Viktad täckning, totalt", "Weighted coverage, total"),
    "wb_status": ("Status", "Status"),
    "wb_gap": ("Gap", "Gap"),
    "wb_status_optimal": ("bevisat optimal", "proven optimal"),
    "wb_status_time_limit": ("tidsgränsen nådd", "time limit reached"),
    "wb_status_infeasible": ("omöjlig", "infeasible"),
    "wb_solve_time": ("Svarstid", "Response time"),
    "wb_cached": ("redan löst", "solved before"),
    "wb_sites": ("Föreslagna platser, rangordnade", "Proposed sites, ranked"),
    "wb_rank": ("Rang", "Rank"),
    "wb_site": ("Plats", "Site"),
    "wb_street": ("Gata", "Street"),
    "wb_type": ("Kameratyp", "Camera type"),
    "wb_cost": ("Kostnad (kr)", "Cost (SEK)"),
    "wb_gain": ("Tillskott (vikt)", "Gain (weight)"),
    "wb_weights": ("Vikter per händelsekategori", "Weights per incident category"),
    "wb_weight_fixed": ("0 i scenariot: ändras i scenariofilen", "0 in the scenario: change it in the scenario file"),
    "wb_changes": ("Ändringar", "Changes"),
    "wb_forced": ("Tvingade platser", "Forced sites"),
    "wb_forbidden": ("Uteslutna platser", "Forbidden sites"),
    "wb_removed": ("Borttagna befintliga kameror", "Removed existing cameras"),
    "wb_force": ("Tvinga in", "Force"),
    "wb_forbid": ("Uteslut", "Forbid"),
    "wb_release": ("Släpp", "Release"),
    "wb_remove_cam": ("Ta bort ur nuläget", "Remove from current state"),
    "wb_restore_cam": ("Återställ kameran", "Restore camera"),
    "wb_candidate": ("Kandidatplats", "Candidate site"),
    "wb_proposed": ("Föreslagen plats", "Proposed site"),
    "wb_existing": ("Befintlig kamera", "Existing camera"),
    "wb_close": ("Stäng", "Close"),
    "wb_history": ("Prövade planer", "Plans tried"),
    "wb_undo": ("Ångra", "Undo"),
    "wb_reset": ("Scenariots plan", "Scenario's plan"),
    "wb_compare": ("Jämför två planer", "Compare two plans"),
    "wb_plan": ("Plan {n}", "Plan {n}"),
    "wb_only_in": ("Bara i plan {n}", "Only in plan {n}"),
    "wb_both": ("I båda", "In both"),
    "wb_save": ("Spara plan", "Save plan"),
    "wb_saving": ("Sparar (kör hela planen)…", "Saving (running the whole plan)…"),
    "wb_saved": ("Sparad i {folder}", "Saved in {folder}"),
    "wb_saved_differs": ("Obs: körningen av den sparade scenariofilen valde andra platser ({sites})",
                         "Note: the run of the saved scenario file chose other sites ({sites})"),
    "wb_solving": ("Beräknar…", "Solving…"),
    "wb_error": ("Fel", "Error"),
    "wb_lang": ("English", "Svenska"),
    "wb_none": ("inga", "none"),
    "wb_legend_candidate": ("Kandidatplats", "Candidate site"),
    "wb_legend_forced": ("Tvingad plats", "Forced site"),
    "wb_legend_forbidden": ("Utesluten plats", "Forbidden site"),
    "wb_legend_removed": ("Borttagen befintlig kamera", "Removed existing camera"),
})


def page_labels(lang: str = "sv") -> Mapping[str, str]:
    """The planning workbench's texts (keys ``wb_*``) in ``lang``.

    >>> page_labels("en")["wb_save"]
    'Save plan'
    """
    i = _index(lang)
    return {k: v[i] for k, v in _T.items() if k.startswith("wb_")}


# -- graded coverage: camera views by EN 62676-4 level (maps, GeoPackage, report, inventory.xlsx) ------------------
_T.update({
    "level_identify": ("identifiera", "identify"),
    "level_recognise": ("känna igen", "recognise"),
    "level_observe": ("observera", "observe"),
    "level_detect": ("upptäcka", "detect"),
    "legend_view_identify": ("Synfält: identifiera (≥ 250 px/m)", "View: identify (≥ 250 px/m)"),
    "legend_view_recognise": ("Synfält: känna igen (≥ 125 px/m)", "View: recognise (≥ 125 px/m)"),
    "legend_view_observe": ("Synfält: observera (≥ 62,5 px/m)", "View: observe (≥ 62.5 px/m)"),
    "legend_view_detect": ("Synfält: upptäcka (≥ 25 px/m)", "View: detect (≥ 25 px/m)"),
    "gain_identify_pct": ("Andel av tillskottet: identifiera", "Share of gain: identify"),
    "gain_recognise_pct": ("Andel av tillskottet: känna igen", "Share of gain: recognise"),
    "gain_observe_pct": ("Andel av tillskottet: observera", "Share of gain: observe"),
    "gain_detect_pct": ("Andel av tillskottet: upptäcka", "Share of gain: detect"),
    "views_title": ("Kameratyper och bildkvalitet", "Camera types and image quality"),
    "views_valued": ("Synfälten värderas i nivåer enligt EN 62676-4 (identifiera 250 px/m, känna igen 125, "
                     "observera 62,5, upptäcka 25): varje punkt räknas med den bästa nivå någon kamera når där, "
                     "med nivåns vikt i scenariot. En PTZ-dom som patrullerar sina förinställningar räknas bara "
                     "den andel av tiden den tittar åt det hållet.",
                     "Views are valued by EN 62676-4 level (identify 250 px/m, recognise 125, observe 62.5, "
                     "detect 25): each point counts at the best level any camera reaches there, with the level's "
                     "weight in the scenario. A PTZ dome patrolling its presets counts only the share of the time "
                     "it looks that way."),
    "views_time_share": ("{share} av tiden", "{share} of the time"),
    "views_ptz_share": ("{type}: {share} av tiden per förinställning.", "{type}: {share} of the time per preset."),
    "views_by_level": ("Tillskott per nivå", "Gain by level"),
    "views_mix": ("Planens kameror", "The plan's cameras"),
    "views_count": ("Antal", "Count"),
    "views_level": ("Nivå", "Level"),
    "views_gain": ("Tillskott täckt vikt", "Added covered weight"),
    "views_gain_share": ("Andel av tillskottet (%)", "Share of the gain (%)"),
    "views_gain_note": ("Tillskottet per nivå är summan över planens platser av varje plats tillskott gånger dess "
                        "andel på nivån (kolumnerna \"Andel av tillskottet\" i inventeringen).",
                        "The gain per level is the sum over the plan's sites of each site's gain times its share at "
                        "the level (the \"Share of gain\" columns of the inventory)."),
})

# Evidence under uncertainty: demand the street cameras cannot see by construction.
_T.update({
    "unc_underground": ("under jord (del av en stationshändelse som kan ha skett i tunnelbanan)",
                        "underground (the share of a station event that may have happened in the metro)"),
})
