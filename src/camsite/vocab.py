"""camsite's vocabulary: the fixed names every module and output shares.

Only names live here (category keys, precision classes, demand kinds, solver
names and statuses); what a user reads for each of them is in
:mod:`camsite.i18n`.

>>> "narkotika" in CATEGORIES, STREET_CATEGORY, SOLVER_NAMES[0]
(True, 'gata', 'highs')
>>> INCIDENT_PRECISIONS[:2]
('point', 'intersection')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "CATEGORIES",
    "DEFAULT_CATEGORY_WEIGHTS",
    "DEMAND_KINDS",
    "EVENT_PRECISIONS",
    "FOOTFALL_CATEGORY",
    "INCIDENT_PRECISIONS",
    "MIN_COUNT",
    "SOLVER_NAMES",
    "STATUSES",
    "STREET_CATEGORY",
    "category_key",
    "check_solver",
]

#: Incident categories camsite knows (a scenario may add its own).
CATEGORIES: tuple[str, ...] = ("vald", "narkotika", "knivlagen", "skadegorelse", "trafik", "ovrigt")

#: Category weights used when a scenario gives none (traffic weighs 0).
DEFAULT_CATEGORY_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "vald": 1.0, "narkotika": 1.0, "knivlagen": 1.0, "skadegorelse": 0.3, "trafik": 0.0, "ovrigt": 0.1,
})

_FOLD = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")


def category_key(name: str) -> str:
    """The key of a category: a standard one however it is spelt, others as given.

    >>> category_key("Våld"), category_key("Skadegörelse"), category_key("Klotter")
    ('vald', 'skadegorelse', 'Klotter')
    """
    folded = name.strip().lower().translate(_FOLD)
    return folded if folded in CATEGORIES else name


#: The demand category of street space and footfall (not an incident category).
STREET_CATEGORY = "gata"

#: The demand category of travellers' space (footfall at metro entrances).
FOOTFALL_CATEGORY = "resande"

#: Kinds of demand point: an incident, street space (with footfall), or a user point.
DEMAND_KINDS: tuple[str, ...] = ("incident", "street", "point", "footfall")

#: How precisely an incident layer's point is located, most precise first.
INCIDENT_PRECISIONS: tuple[str, ...] = ("point", "intersection", "street", "station", "area")

#: What ``camsite import-events`` can say of a police event's position.
EVENT_PRECISIONS: tuple[str, ...] = ("intersection", "station", "street", "area", "unlocated")

#: MIP solvers camsite can use; the first is the default.
SOLVER_NAMES: tuple[str, ...] = ("highs", "cbc")

#: The values a solution's status takes.
STATUSES: tuple[str, ...] = ("optimal", "time_limit", "infeasible")


def check_solver(name: str) -> str:
    """Return ``name`` if it is one of :data:`SOLVER_NAMES`, else raise ``ValueError``.

    >>> check_solver("cbc")
    'cbc'
    """
    if name not in SOLVER_NAMES:
        raise ValueError(f"unknown solver {name!r}; use " + " or ".join(f'"{s}"' for s in SOLVER_NAMES))
    return name

#: The privacy rule: no shareable figure shows (or lets a reader work out) a count of incidents under this
#: (:mod:`camsite.privacy`).
MIN_COUNT: int = 3
