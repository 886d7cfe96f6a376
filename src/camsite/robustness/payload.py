"""What a robustness worker receives: only the data a sample reads.

The shared context of an analysis reaches every worker, on a Dask cluster
possibly another machine. It carries what a sample needs to rebuild demand
and coverage, and nothing else:

* incidents keep the columns the demand model reads (category, weight, date,
  precision, street, district, indoor, recorded uncertainty, position); the
  ``source`` column (file names, links) never leaves, and incident ids travel
  as opaque numbers (equal ids stay equal, which is all the demand model asks
  of them);
* the run's reporting areas, reading statistics and the sensitive places as
  read stay behind (the located ones travel as do-not-view zones, which the
  coverage needs);
* the base instance travels without its demand frame, viewsheds and list of
  unseen demand: a sample reads its optimiser rows, costs and candidates.

>>> import geopandas as gpd
>>> inc = gpd.GeoDataFrame({"incident_id": ["https://x/1", "https://x/2", "https://x/1", None],
...                         "category": "vald", "source": "polisen.geojson", "note": "fri text"},
...                        geometry=gpd.points_from_xy([0, 1, 2, 3], [0, 0, 0, 0]))
>>> out = worker_incidents(inc)
>>> list(out.columns), list(out["incident_id"])
(['incident_id', 'category', 'geometry'], ['0', '1', '0', ''])
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd

from camsite import stages
from camsite.layers import INCIDENT_COLUMNS

__all__ = ["NOT_SENT", "worker_incidents", "worker_inputs", "worker_instance"]

#: Standard incident columns the demand model never reads: they stay on this machine.
NOT_SENT: tuple[str, ...] = ("source",)


def worker_incidents(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``incidents`` with only the standard columns a sample reads, incident ids replaced by opaque numbers."""
    keep = [c for c in incidents.columns if c in INCIDENT_COLUMNS and c not in NOT_SENT]
    out = incidents[keep].copy()
    if "incident_id" in out.columns:
        ids = out["incident_id"].fillna("").astype(str)
        codes, _ = pd.factorize(ids)
        out["incident_id"] = np.where(ids.to_numpy(object) == "", "", codes.astype(str)).astype(object)
    out.attrs = {}  # file names and reading notes stay here
    return out


def worker_inputs(inputs: stages.Inputs) -> stages.Inputs:
    """``inputs`` as a worker needs them to rebuild demand and coverage for a sample."""
    empty_area = inputs.subareas.iloc[:0]
    return replace(inputs, incidents=worker_incidents(inputs.incidents), subareas=empty_area, stats=(),
                   incident_stats={}, sensitive_places=None)


def worker_instance(instance: stages.Instance) -> stages.Instance:
    """``instance`` as a worker reads it: optimiser rows, costs, candidates; no demand frame, no viewsheds."""
    return replace(instance, demand=instance.demand.iloc[:0], uncoverable=instance.uncoverable.iloc[:0],
                   candidate_viewsheds=instance.candidate_viewsheds.iloc[:0],
                   existing_viewsheds=instance.existing_viewsheds.iloc[:0])
