"""The privacy rule attacked: no shareable file of the default run gives back a count under 3.

The default scenario is run once (``default_out``, the real ``camsite run``
without ``--include-incidents``); its unshared :class:`RunResult`
(``default_result``) gives the TRUE counts: per site, per category and
precision within a site, per category, per sub-area, per street segment, per
existing camera. Every shareable file is then read back (sites.csv,
sites.geojson, summary.json, inventory.xlsx, camsite.gpkg, report.html's
embedded data) and a reader's arithmetic is tried on it:

* a count shown directly;
* a weight divided by the factors a reader knows from the scenario (category
  weights times precision factors): weights are counts times those factors;
* consecutive running totals (``cumulative_coverage_pct``) turned back into a
  site's weight, and the headline minus what the sites show;
* a site's total minus the per-category counts its "why" text shows;
* a category's or sub-area's before, after and total counts, after minus
  before, total minus after, and the same from its weight and percentages;
* the incidents total minus the categories shown (complementary cells);
* the demand map's counts and weights per segment;
* an existing camera's covered weight.

* the differences of any two published plans (before, the headline, every
  budget-curve point, every cheapest plan for a share, every stage): their
  incident shares times the incident weight give back what one plan sees and
  the other does not (on a small run with a fine budget sweep and stages too).

An attempt *recovers* a count when its estimate is within 0.01 of a true count
in (0, 3) of the same thing. The ranked sites and their "why" counts are counted
in distinct events (docs/permit.md, "Integritet"): a site's figure is a
recovery when the site's gain rests on 1 or 2 distinct events and the estimate
hits its expected count or its number of events; the truths are recomputed here
from the run's coverage rows, not read from the rule's own columns. The attack
found 50+ such recoveries on the code before the rule covered weights, running
totals and complements, and finds the curve points that differ by 1 or 2 events
in the unruled files of the small run.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest

import camsite
import factory
from camsite.i18n import evidence_labels

pytestmark = pytest.mark.slow

TOL = 0.01
XLSX_SITES = {"Rang": "rank", "Tillskott täckt vikt": "gain_weight", "Tillskott täckta händelser": "gain_incidents",
              "Kumulativ täckning (%)": "cumulative_coverage_pct",
              "Nya händelser i synfältet, per kategori": "why_categories",
              "Den platsens tillskott (vikt)": "alternative_gain_weight"}
XLSX_CAMERAS = {"Kamera-id": "camera_id", "Täckt vikt": "covered_weight", "Täckta händelser": "covered_incidents",
                "Vikt som bara denna kamera täcker": "only_this_weight"}


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, (str, bool)):
        return None
    f = float(v)
    return None if np.isnan(f) else f


class Attack:
    """Collects a reader's estimates and the true counts they aim at."""

    def __init__(self, factors: Iterable[float]) -> None:
        self.factors = sorted({round(f, 6) for f in factors if f > 0})
        self.recovered: list[tuple[str, float, float]] = []
        self.tried = 0

    def count(self, what: str, estimate: float | None, true: float | None, events: int | None = None) -> None:
        """A count read or computed directly; ``events``: the distinct events the true figure rests on (None:
        the figure is protected when the count itself is under 3)."""
        if estimate is None or true is None or not np.isfinite(estimate):
            return
        self.tried += 1
        protected = (0 < true < 3) if events is None else (true > 1e-9 and events < 3)
        hits = [true] if events is None else [true, float(events)]
        if protected and any(abs(estimate - h) <= TOL for h in hits):
            self.recovered.append((what, estimate, true))

    def weight(self, what: str, weight: float | None, true: float | None, events: int | None = None) -> None:
        """A weight divided by every factor a reader knows."""
        if weight is None:
            return
        for f in self.factors:
            self.count(f"{what} / {f}", weight / f, true, events)


def _cells(text: str) -> dict[str, float | None]:
    """``"våld 4, narkotika <3"`` -> {"våld": 4.0, "narkotika": None}."""
    out: dict[str, float | None] = {}
    for part in filter(None, (p.strip() for p in str(text or "").split(", "))):
        m = re.fullmatch(r"(.+) (<\d+|\d+(?:\.\d+)?)", part)
        if m:
            out[m.group(1)] = None if m.group(2).startswith("<") else float(m.group(2))
    return out


def _site_tables(out: Path) -> dict[str, pd.DataFrame]:
    """Every shareable copy of the ranked sites, in the columns of sites.csv."""
    tables = {"sites.csv": pd.read_csv(out / "sites.csv")}
    geo = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))
    tables["sites.geojson"] = pd.DataFrame([f["properties"] for f in geo["features"]])
    tables["camsite.gpkg proposed_sites"] = pd.DataFrame(gpd.read_file(out / "camsite.gpkg", layer="proposed_sites")
                                                         .drop(columns="geometry"))
    ws = openpyxl.load_workbook(out / "inventory.xlsx")["Föreslagna platser"]
    head = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    tables["inventory.xlsx"] = pd.DataFrame({XLSX_SITES[h]: [r[i] for r in rows] for i, h in enumerate(head)
                                             if h in XLSX_SITES})
    contribution = pd.read_csv(out / "contribution.csv")
    tables["contribution.csv"] = pd.DataFrame({"rank": contribution["rank"], "gain_weight": None,
                                               "gain_incidents": contribution["incidents_seen"]})
    data = _report_data(out)
    tables["report.html"] = pd.DataFrame({"rank": [s["rank"] for s in data["sites"]],
                                          "gain_weight": [s.get("gain") for s in data["sites"]],
                                          "gain_incidents": [s.get("inc") for s in data["sites"]],
                                          "cumulative_coverage_pct": [s.get("cum") for s in data["sites"]]})
    return tables


def _report_data(out: Path) -> dict[str, Any]:
    page = (out / "report.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="camsite-data">(.*?)</script>', page, re.S)
    assert m, "report.html has no embedded data"
    return json.loads(m.group(1))


def true_sites_of(result) -> list[dict[str, Any]]:
    """Per ranked site, recomputed from the coverage rows: the events its incident gain rests on (``ids``), its
    expected incidents (``expected``) and per category label (expected count, distinct events) (``cells``)."""
    inst = result.instance
    rows, d = inst.rows, inst.demand
    n_inc = d["incidents"].to_numpy(float)
    ev = d["event"].fillna("").astype(str).to_numpy(object)
    labels = evidence_labels("sv")
    cat = d["category"].astype(str).map(lambda c: labels.get(c, c)).to_numpy(object)
    is_inc = d["kind"].isin(("incident", "point")).to_numpy()
    csc = rows.matrix.tocsc()
    covered = rows.existing.copy()
    out = []
    for j in result.sites.sort_values("rank")["candidate_index"].to_numpy(int):
        new = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        new = new[~covered[new]]
        covered[new] = True
        p = rows.point[new]
        carry = is_inc[p] & (rows.weights[new] > 0) & (ev[p] != "")
        pts = np.unique(p)
        pts = pts[(n_inc[pts] > 0) & is_inc[pts]]
        cells = {lab: (float(n_inc[pts[cat[pts] == lab]].sum()), len({e for e in ev[pts[cat[pts] == lab]] if e}))
                 for lab in set(cat[pts])}
        out.append({"ids": set(ev[p][carry]), "expected": float((n_inc[p] * rows.step[new]).sum()), "cells": cells})
    return out


def _attack_sites(att: Attack, name: str, t: pd.DataFrame, true: pd.DataFrame, truth: list[dict[str, Any]],
                  summary: Mapping[str, Any]) -> None:
    t = t.sort_values("rank").reset_index(drop=True)
    total_w = float(summary["weight_total"])
    prev = float(summary["coverage_before_pct"])
    closed_ids: set[str] = set()
    closed_exp = 0.0
    for k, row in t.iterrows():
        tr, site = true.iloc[k], truth[k]
        exp, n = site["expected"], len(site["ids"])
        where = f"{name} rank {k + 1}"
        att.count(f"{where} gain_incidents", _num(row.get("gain_incidents")), exp, n)
        att.count(f"{where} gain_events", _num(row.get("gain_events")), exp, n)
        att.weight(f"{where} gain_weight", _num(row.get("gain_weight")), exp, n)
        cum = _num(row.get("cumulative_coverage_pct"))
        if cum is not None and prev is not None:
            att.weight(f"{where} cumulative step", (cum - prev) * total_w / 100, exp, n)
        prev = cum
        if _num(row.get("gain_weight")) is None:
            closed_ids |= site["ids"]
            closed_exp += exp
        att.weight(f"{where} alternative weight", _num(row.get("alternative_gain_weight")),
                   float(tr.get("alternative_gain_incidents", np.nan)), int(tr.get("alternative_gain_events", 0)))
        if "why_categories" in t:
            shown, real = _cells(row["why_categories"]), site["cells"]
            for label, v in shown.items():
                att.count(f"{where} {label}", v, *real.get(label, (None, None)))
            hidden = [lab for lab, v in shown.items() if v is None]
            total = _num(row.get("gain_incidents"))
            if total is not None and hidden:  # the row's total minus the counts shown: the hidden ones together
                rest = total - sum(v for v in shown.values() if v is not None)
                att.count(f"{where} total minus parts", rest, sum(real[lab][0] for lab in hidden),
                          sum(real[lab][1] for lab in hidden))
    # the headline minus the sites shown: the sites hidden together
    shown_w = sum(_num(w) or 0.0 for w in t["gain_weight"])
    att.weight(f"{name} headline minus sites", (float(summary["coverage_after_pct"]) - float(
        summary["coverage_before_pct"])) * total_w / 100 - shown_w, closed_exp, len(closed_ids))


class PlanTruth:
    """What any plan of a run sees, recomputed from its coverage rows: incident weight and expected incidents
    per event ("" for the samples that stand for no single event)."""

    def __init__(self, result) -> None:
        inst = result.instance
        self.rows, d = inst.rows, inst.demand
        is_inc = d["kind"].isin(("incident", "point")).to_numpy()[self.rows.point]
        self.inc = is_inc
        self.event = d["event"].fillna("").astype(str).to_numpy(object)[self.rows.point]
        self.expected = d["incidents"].to_numpy(float)[self.rows.point] * self.rows.step
        self.total = float(self.rows.weights[is_inc].sum())
        self.index = {v: i for i, v in enumerate(inst.candidates["variant"].astype(str))}

    def of(self, cols: Iterable[int]) -> pd.DataFrame:
        seen = self.rows.covered(np.asarray(list(cols), np.int64)) & self.inc
        frame = pd.DataFrame({"event": self.event[seen], "w": self.rows.weights[seen], "n": self.expected[seen]})
        return frame.groupby("event")[["w", "n"]].sum()

    def of_labels(self, text: object) -> pd.DataFrame:
        return self.of([self.index[v] for v in str(text or "").split(";") if v in self.index])


def published_plans(out: Path, result) -> list[tuple[str, float, pd.DataFrame]]:
    """Every plan whose incident share a run folder publishes: (where, share %, what it truly sees)."""
    truth = PlanTruth(result)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    plans = [("before", summary["incident_coverage_before_pct"], truth.of([])),
             ("headline", summary["incident_coverage_after_pct"], truth.of(result.solution.selected))]
    if (out / "budget_curve.csv").exists():
        curve = pd.read_csv(out / "budget_curve.csv")
        by_budget = dict(zip(curve["budget_sek"], curve["sites"], strict=True))
        for rec in curve.to_dict("records"):
            plans.append((f"curve {rec['budget_sek']:.0f} plan", rec["plan_incident_pct"], truth.of_labels(rec["sites"])))
            src = rec.get("incident_carried_from_sek")
            src = rec["budget_sek"] if src is None or not np.isfinite(src) else src
            plans.append((f"curve {rec['budget_sek']:.0f}", rec["incident_pct"], truth.of_labels(by_budget[src])))
    for p in summary.get("target_points") or []:
        if p.get("variants"):
            plans.append((p["kind"], p.get("incident_pct"), truth.of_labels(p["variants"])))
    if (out / "stages.csv").exists():
        stages = pd.read_csv(out / "stages.csv")
        cols: list[int] = []
        for k, added in enumerate(result.stages.attrs["candidate_indices"]):
            cols += list(added)
            plans.append((f"stage {k + 1}", stages["incident_coverage_pct"].iloc[k], truth.of(cols)))
    return [(w, float(v), t) for w, v, t in plans if v is not None and np.isfinite(float(v))] + [
        ("total", -1.0, pd.DataFrame({"w": [truth.total]}))]


def attack_plans(att: Attack, out: Path, result) -> None:
    """The difference of every two published incident shares against what the two plans truly differ on."""
    plans = published_plans(out, result)
    total = float(plans.pop()[2]["w"].iloc[0])
    for (wa, pa, ta), (wb, pb, tb) in itertools.combinations(plans, 2):
        diff = ta.sub(tb, fill_value=0.0)
        moved = diff[diff["w"].abs() > 1e-9]
        named = int((moved.index != "").sum())
        events = named if named or "" not in moved.index else 0
        true_w, true_n = float(diff["w"].sum()), float(diff["n"].sum())
        estimate = (pa - pb) * total / 100
        att.count(f"{wa} minus {wb} (weight)", abs(estimate), abs(true_w), events)
        att.weight(f"{wa} minus {wb}", abs(estimate), abs(true_n), events)


def _true_rows(rows: Iterable[Any]) -> dict[str, Any]:
    return {r.name: r for r in rows}


def _attack_groups(att: Attack, what: str, shown: list[dict[str, Any]], true: Mapping[str, Any],
                   key: str, cat_weight: Mapping[str, float]) -> None:
    for row in shown:
        tr = true[row[key]]
        where = f"summary.json {what} {row[key]}"
        wt = _num(row["weight_total"])
        for field in ("incidents_total", "incidents_before", "incidents_after"):
            att.count(f"{where} {field}", _num(row[field]), getattr(tr, field))
        t, b, a = (_num(row[f]) for f in ("incidents_total", "incidents_before", "incidents_after"))
        if a is not None and b is not None:
            att.count(f"{where} after-before", a - b, tr.incidents_after - tr.incidents_before)
        if t is not None and a is not None:
            att.count(f"{where} total-after", t - a, tr.incidents_total - tr.incidents_after)
        att.weight(f"{where} weight_total", wt, tr.incidents_total)
        for pct, field in (("before_pct", "incidents_before"), ("after_pct", "incidents_after")):
            if wt is not None and _num(row[pct]) is not None:
                att.weight(f"{where} {pct}", wt * row[pct] / 100, getattr(tr, field))
        if wt is not None and _num(row["after_pct"]) is not None and _num(row["before_pct"]) is not None:
            att.weight(f"{where} pct step", wt * (row["after_pct"] - row["before_pct"]) / 100,
                       tr.incidents_after - tr.incidents_before)


def _attack_complement(att: Attack, what: str, shown: list[dict[str, Any]], true: Mapping[str, Any],
                       key: str, kind: Mapping[str, Any], true_kind: Any) -> None:
    """The incidents total minus the groups shown: the hidden groups together."""
    hidden = [true[r[key]] for r in shown if _num(r["weight_total"]) is None and true[r[key]].incidents_total > 0]
    if not hidden:
        return
    visible = [r for r in shown if _num(r["weight_total"]) is not None and true[r[key]].incidents_total > 0]
    for field in ("incidents_total", "incidents_before", "incidents_after"):
        truth = sum(getattr(h, field) for h in hidden)
        if _num(kind[field]) is not None and all(_num(r[field]) is not None for r in visible):
            att.count(f"{what} {field} total minus shown", kind[field] - sum(r[field] for r in visible), truth)
        if field == "incidents_total":
            att.weight(f"{what} weight total minus shown",
                       kind["weight_total"] - sum(r["weight_total"] for r in visible), truth)


def _true_segments(result) -> pd.Series:
    d = result.demand
    inc = np.where(d["weight"].to_numpy(float) > 0, d["incidents"].to_numpy(float), 0.0)
    frame = pd.DataFrame({"edge_id": d["edge_id"].to_numpy(int), "n": inc})
    return frame[frame["edge_id"] >= 0].groupby("edge_id")["n"].sum()


def _true_cameras(result) -> pd.Series:
    m = result.existing_coverage.tocsc().astype(float)
    seen = m.T @ result.demand["incidents"].to_numpy(float)
    return pd.Series(np.asarray(seen).ravel(), index=result.existing["camera_id"].astype(str).to_numpy())


@pytest.fixture(scope="module")
def attack(default_out: Path, default_result) -> Attack:
    scen = default_result.scenario
    cw = [w for w in scen.category_weights.values() if w > 0]
    pf = list(scen.demand.precision_factors.values())
    att = Attack([1.0, *cw, *(a * b for a, b in itertools.product(cw, pf))])
    summary = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    true_sites = default_result.sites.sort_values("rank").reset_index(drop=True)
    truth = true_sites_of(default_result)
    for name, table in _site_tables(default_out).items():
        _attack_sites(att, name, table, true_sites, truth, summary)
    attack_plans(att, default_out, default_result)
    s = default_result.summary
    kind = {r["kind"]: r for r in summary["coverage_by_kind"]}["incident"]
    true_kind = _true_rows(s.coverage_by_kind)["incident"]
    for what, key, true in (("coverage_by_category", "category", _true_rows(s.coverage_by_category)),
                            ("coverage_by_subarea", "name", _true_rows(s.coverage_by_subarea))):
        _attack_groups(att, what, summary[what], true, key, scen.category_weights)
        _attack_complement(att, what, summary[what], true, key, kind, true_kind)
    for w, tw in zip(summary["uncoverable"]["worst"], s.uncoverable["worst"], strict=True):
        att.count("uncoverable worst incidents", _num(w["incidents"]), tw["incidents"])
        att.weight("uncoverable worst weight", _num(w["weight"]), tw["incidents"])
    segments = _true_segments(default_result)
    demand = gpd.read_file(default_out / "camsite.gpkg", layer="demand")
    # a unit's figures stand for the unit's segments together (a reader sees the unit id): the truth they
    # aim at is the unit's true count; a segment outside every unit stands for itself
    true_of = demand["edge_id"].map(lambda e: float(segments.get(int(e), 0.0)))
    unit_truth = true_of.groupby(demand["unit"].where(demand["unit"] != "", "edge:" + demand["edge_id"].astype(str))
                                 ).transform("sum")
    for rec, truth in zip(demand.to_dict("records"), unit_truth, strict=True):
        att.count(f"demand layer unit {rec['unit'] or rec['edge_id']}", _num(rec["incidents"]), truth)
        att.weight(f"demand layer unit {rec['unit'] or rec['edge_id']} weight", _num(rec["incident_weight"]), truth)
    for rec in _report_data(default_out)["demand"]:
        if rec.get("n") is not None:
            att.count("report.html demand", float(rec["n"]), float(rec["n"]) if 0 < rec["n"] < 3 else None)
    cams = _true_cameras(default_result)
    ws = openpyxl.load_workbook(default_out / "inventory.xlsx")["Befintliga kameror"]
    head = [c.value for c in ws[1]]
    for r in ws.iter_rows(min_row=2, values_only=True):
        rec = {XLSX_CAMERAS[h]: r[i] for i, h in enumerate(head) if h in XLSX_CAMERAS}
        truth = float(cams[str(rec["camera_id"])])
        att.count(f"inventory.xlsx camera {rec['camera_id']}", _num(rec["covered_incidents"]), truth)
        att.weight(f"inventory.xlsx camera {rec['camera_id']} weight", _num(rec["covered_weight"]), truth)
    for rec in _report_data(default_out)["existing"]:
        att.weight(f"report.html camera {rec['id']} weight", _num(rec.get("w")), float(cams[str(rec["id"])]))
    return att


def test_the_attack_tries_every_file(attack: Attack) -> None:
    assert attack.tried > 500  # sites in five files, groups, segments, cameras, each through every factor


def test_no_shareable_file_gives_back_a_count_under_3(attack: Attack) -> None:
    assert not attack.recovered, "\n".join(f"{w}: {e:.3f} (true {t:.3f})" for w, e, t in attack.recovered[:40])


def test_the_shareable_outputs_still_say_something(default_out: Path, default_result) -> None:
    """The ranking, the headline and the incident map survive the rule."""
    sites = pd.read_csv(default_out / "sites.csv")
    assert sites["rank"].tolist() == list(range(1, len(default_result.sites) + 1))
    summary = json.loads((default_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["incident_coverage_after_pct"] == default_result.summary.incident_coverage_after_pct
    demand = gpd.read_file(default_out / "camsite.gpkg", layer="demand")
    with_incidents = demand[demand["incidents"].fillna(0) > 0]
    assert len(with_incidents) and not demand["suppressed"].any()  # aggregated, not blanked
    assert (with_incidents["incidents"] >= 3).all()
    # every segment with incidents is in exactly one unit; the units' counts add up to the map's total
    units = with_incidents.drop_duplicates("unit")
    true = _true_segments(default_result)
    assert units["incidents"].sum() == pytest.approx(true.sum(), abs=0.1 * len(units))


# -- a small run with a fine budget sweep and stages: curve points that differ by one or two events --------------
@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory):
    """400 m around Fridhemsplan, budgets every 100,000 SEK and three stages; the run folder written under the
    rule (``shared``) and without it (``raw``, what ``--include-incidents`` writes).

    Its tests attack summary.json, sites.csv, budget_curve.csv and stages.csv (the report files of the default
    run are attacked above): the folders are written without them."""
    from camsite.report import outputs

    folder = tmp_path_factory.mktemp("small_attack")
    sweep = {"start": 100000, "stop": 1200000, "step": 100000}
    path = factory.write_scenario(folder, factory.fridhemsplan_data(radius_m=400, optimization={
        "budget_sek": 600000, "budget_sweep": sweep, "stages": [200000, 200000, 200000]}))
    result = camsite.run(camsite.load_scenario(path))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(outputs, "write_deliverables", lambda *a, **k: [])
        camsite.write_run(result, folder / "shared")
        camsite.write_run(result, folder / "raw", include_incidents=True)
    return result, folder / "shared", folder / "raw"


def test_no_two_published_plans_give_back_one_or_two_events(small_run) -> None:
    result, shared, _ = small_run
    att = Attack([1.0, *(w for w in result.scenario.category_weights.values() if w > 0)])
    attack_plans(att, shared, result)
    summary = json.loads((shared / "summary.json").read_text(encoding="utf-8"))
    true = result.sites.sort_values("rank").reset_index(drop=True)
    _attack_sites(att, "sites.csv", pd.read_csv(shared / "sites.csv"), true, true_sites_of(result), summary)
    assert att.tried > 300
    assert not att.recovered, "\n".join(f"{w}: {e:.4f} (true {t:.4f})" for w, e, t in att.recovered[:40])
    curve = pd.read_csv(shared / "budget_curve.csv")
    assert curve["incident_pct"].notna().sum() >= len(curve) // 2  # the curve still says something


def test_the_plan_attack_finds_the_differences_the_rule_hides(small_run) -> None:
    """Without the rule (the raw folder), two curve points differ by one or two events and the attack finds
    them: the attack can fail."""
    result, _, raw = small_run
    att = Attack([1.0])
    attack_plans(att, raw, result)
    assert any("curve" in w for w, _, _ in att.recovered)


def test_the_events_behind_each_site_are_recomputed_alike(default_result) -> None:
    """gain_events and the events behind each why-count, recomputed from the coverage rows."""
    truth = true_sites_of(default_result)
    sites = default_result.sites.sort_values("rank").reset_index(drop=True)
    assert sites["gain_events"].tolist() == [len(t["ids"]) for t in truth]
    for k, t in enumerate(truth):
        shown = dict(part.rsplit(" ", 1) for part in sites["why_categories_events"].iloc[k].split(", "))
        assert {lab: int(v) for lab, v in shown.items()} == {lab: n for lab, (_, n) in t["cells"].items()}
    assert sites["gain_incidents"].to_numpy() == pytest.approx([t["expected"] for t in truth], abs=1e-3)
