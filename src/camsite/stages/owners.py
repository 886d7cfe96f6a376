"""Coverage before the plan split by who runs the existing cameras (the inventory's ``owner`` column)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from camsite import inventory
from camsite.config import QualityConfig
from camsite.stages._graded import pair_values
from camsite.stages.instance import Instance

__all__ = ["coverage_before_by_owner"]


def coverage_before_by_owner(instance: Instance, quality: QualityConfig) -> dict[str, dict[str, Any]] | None:
    """Per owner (police, city, other): cameras and the coverage before by that owner's cameras alone.

    None when the existing cameras carry no ``owner`` (the inventory has no owner column). Values as the
    run's own "before": graded by image quality and share of the time when the instance is graded.
    """
    ex = instance.existing
    if "owner" not in ex or ex.empty:
        return None
    demand = instance.demand
    if instance.graded and instance.existing_levels is not None and instance.existing_shares is not None:
        values = pair_values(instance.existing_levels, demand["kind"].to_numpy(object), instance.existing_shares,
                             quality)
    else:
        values = sp.csr_matrix(instance.existing_coverage, dtype=float)
    kinds = demand["kind"].to_numpy(object)
    return inventory.before_by_owner(ex["owner"].astype(str).to_numpy(object), values, instance.weights,
                                     demand["incidents"].to_numpy(float), np.isin(kinds, ("incident", "point")))
