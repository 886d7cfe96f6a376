"""Police events feed (polisen.se) -> located incidents.

The feed's ``gps`` is only a municipality or county centre; only the text
says where an event happened. :func:`locate_events` finds street names,
intersections, metro stations and districts in it (see ``data/incidents/README.md``
for the method and the category table).

>>> from camsite.events import category_for, PRECISIONS
>>> category_for("Rån, försök"), PRECISIONS[0]
('vald', 'intersection')
"""

from __future__ import annotations

from camsite.events._categories import TYPE_CATEGORIES, category_for
from camsite.events._feed import event_text, event_time, load_polisen, municipality
from camsite.events._io import street_edges, write_geojson
from camsite.events._locate import COLUMNS, PRECISIONS, SOURCE, UNCERTAINTY_M, locate_events
from camsite.events._places import AREAS, read_stations

__all__ = [
    "AREAS",
    "COLUMNS",
    "PRECISIONS",
    "SOURCE",
    "TYPE_CATEGORIES",
    "UNCERTAINTY_M",
    "category_for",
    "event_text",
    "event_time",
    "load_polisen",
    "locate_events",
    "municipality",
    "read_stations",
    "street_edges",
    "write_geojson",
]
