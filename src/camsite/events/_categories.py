"""The police feed's event types mapped to camsite's incident categories.

The table is part of the documentation (see ``data/incidents/README.md``):
a type not listed is ``ovrigt``. Types are compared without case, commas
and repeated spaces, so ``"Misshandel, grov"`` and ``"Misshandel grov"``
are the same type.

>>> category_for("Misshandel, grov")
'vald'
>>> category_for("Trafikolycka, vilt")
'trafik'
>>> category_for("Brand")
'ovrigt'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["TYPE_CATEGORIES", "category_for", "normalise_type"]

_TABLE: dict[str, tuple[str, ...]] = {
    # Violence: assault, robbery, threats, homicide, rape, fights.
    "vald": (
        "Misshandel", "Misshandel, grov", "Rån", "Rån, försök", "Rån väpnat", "Rån övrigt", "Olaga hot",
        "Mord/dråp", "Mord/dråp, försök", "Våldtäkt", "Våldtäkt, försök", "Våld/hot mot tjänsteman",
        "Olaga frihetsberövande/människorov", "Bråk",
    ),
    "narkotika": ("Narkotikabrott",),
    # Knives, firearms and explosives (the gang-conflict detonations are weapons crime).
    "knivlagen": (
        "Knivlagen", "Vapenlagen", "Skottlossning", "Skottlossning, misstänkt", "Explosion", "Detonation",
    ),
    # Damage and theft.
    "skadegorelse": (
        "Skadegörelse", "Stöld", "Stöld, försök", "Stöld/inbrott", "Inbrott", "Inbrott, försök",
        "Motorfordon, stöld", "Mordbrand",
    ),
    "trafik": (
        "Trafikolycka", "Trafikolycka, personskada", "Trafikolycka, singel", "Trafikolycka, smitning från",
        "Trafikolycka, vilt", "Trafikkontroll", "Trafikbrott", "Trafikhinder", "Rattfylleri",
        "Olovlig körning",
    ),
}


def normalise_type(event_type: str) -> str:
    """A feed type in lower case without commas or repeated spaces.

    >>> normalise_type(" Rån,  försök ")
    'rån försök'
    """
    return re.sub(r"\s+", " ", event_type.replace(",", " ")).strip().lower()


#: Normalised feed type -> camsite category (a type not here is ``ovrigt``).
TYPE_CATEGORIES: Mapping[str, str] = MappingProxyType(
    {normalise_type(t): cat for cat, types in _TABLE.items() for t in types}
)


def category_for(event_type: str | None) -> str:
    """The camsite category of a feed type; ``ovrigt`` for any type not in the table."""
    if not event_type:
        return "ovrigt"
    key = normalise_type(event_type)
    if key in TYPE_CATEGORIES:
        return TYPE_CATEGORIES[key]
    if key.startswith("trafikolycka"):
        return "trafik"
    return "ovrigt"
