"""The default plan's one-event flag, recomputed independently: no site rests on one event without the flag."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _top_shares(result: Any) -> list[float]:
    """Each plan site's largest single event's share of its incident gain, in rank order: the gain per demand
    point is the plan's value with the site minus without it (sites ranked before it and the existing cameras
    in both), summed per event; district-level points (no event) count in the gain, as no single event."""
    inst = result.instance
    rows, demand = inst.rows, inst.demand
    col = {str(v): k for k, v in enumerate(inst.candidates["variant"].astype(str))}
    incident = demand["kind"].astype(str).eq("incident").to_numpy()
    events = demand["event"].fillna("").astype(str).to_numpy(object) if "event" in demand \
        else np.full(len(demand), "", object)
    before = rows.plan_value([], n_points=len(demand))
    chosen: list[int] = []
    shares = []
    for variant in result.sites["variant"].astype(str):
        chosen.append(col[variant])
        after = rows.plan_value(chosen, n_points=len(demand))
        gain = np.where(incident, after - before, 0.0)
        before = after
        per = pd.Series(gain[events != ""]).groupby(events[events != ""]).sum()
        total = float(gain.sum())
        shares.append(float(per.max()) / total if total > 0 and len(per) else 0.0)
    return shares


def test_every_site_resting_on_one_event_is_flagged(default_result: Any, default_out: Path) -> None:
    """A plan site whose largest event carries over half of its incident gain is flagged, in the run and in the
    shareable sites.csv (where the share itself may be suppressed, the flag is not); no other site is."""
    shares = np.array(_top_shares(default_result))
    flags = default_result.sites["rests_on_one_event"].astype(bool).to_numpy()
    assert len(shares) == len(flags) > 0
    assert (flags == (shares > 0.5 + 1e-6)).all(), list(zip(shares.round(3), flags, strict=True))
    assert np.allclose(default_result.sites["top_event_share"].to_numpy(float), shares, atol=1e-5)
    csv = pd.read_csv(default_out / "sites.csv")
    assert csv["rests_on_one_event"].astype(bool).tolist() == flags.tolist()
