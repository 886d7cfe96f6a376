"""One what-if variant of an instance: other category weights, some existing cameras removed.

Category weights only scale demand weights, so a new weighting reweights the
instance's rows (:meth:`~camsite.stages.rows.ValueRows.reweighted`). Removing
existing cameras changes more than what they see: ``camsite run`` on a cameras
file without them also offers the candidate sites near them
(``candidates.min_distance_to_existing_m``) and drops demand just outside the
study area that only they saw. :func:`instance_without` therefore builds the
instance again from the inputs already read (no file is read again), exactly
as the pipeline would, so an exported plan reproduces bit for bit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from camsite import stages
from camsite.result import RunResult
from camsite.stages import Instance
from camsite.vocab import FOOTFALL_CATEGORY, STREET_CATEGORY

__all__ = ["category_factors", "instance_without", "point_weights", "variant_instance"]

#: Demand categories that are not incident categories (their weight does not follow ``category_weights``).
NON_INCIDENT = (STREET_CATEGORY, FOOTFALL_CATEGORY)


def instance_without(result: RunResult, removed: Sequence[str]) -> Instance:
    """The instance of ``result``'s scenario with the existing cameras ``removed`` left out of its inputs."""
    if not removed:
        return result.instance
    inputs, scen = result.inputs, result.scenario
    keep = ~inputs.existing["camera_id"].astype(str).isin(list(removed)).to_numpy()
    fewer = dataclasses.replace(inputs, existing=inputs.existing[keep].reset_index(drop=True))
    return stages.instance_for(scen, fewer)


def category_factors(categories: Sequence[str], base: Mapping[str, float], new: Mapping[str, float]
                     ) -> NDArray[np.float64]:
    """Per demand point, new category weight / the scenario's (1 for street space, footfall and unchanged ones).

    A category missing from a weight table weighs as ``ovrigt`` there (as in
    :func:`camsite.demand.incident_weights`).

    >>> category_factors(["vald", "gata", "x"], {"vald": 1.0, "ovrigt": 0.1}, {"vald": 2.0, "ovrigt": 0.05}).tolist()
    [2.0, 1.0, 0.5]
    """
    out = np.ones(len(categories))
    for i, cat in enumerate(categories):
        if cat in NON_INCIDENT:
            continue
        old = base.get(cat, base.get("ovrigt", 0.0))
        now = new.get(cat, new.get("ovrigt", 0.0))
        if old > 0 and now != old:
            out[i] = now / old
    return out


def point_weights(instance: Instance, base: Mapping[str, float], new: Mapping[str, float]) -> NDArray[np.float64]:
    """Demand weights under the category weights ``new`` (the instance was built with ``base``)."""
    w = instance.weights
    if dict(new) == dict(base):
        return w
    return w * category_factors(instance.demand["category"].astype(str).tolist(), base, new)


def variant_instance(instance: Instance, weights: NDArray[np.float64]) -> Instance:
    """The instance with demand ``weights`` (same points, candidates and coverage; rows reweighted).

    Its weights and rows are the variant's, so the ranking and every figure
    computed from it are the variant's.
    """
    if weights is instance.weights:
        return instance
    return dataclasses.replace(instance, demand=instance.demand.assign(weight=weights), weights=weights,
                               optimiser_rows=instance.rows.reweighted(weights))
