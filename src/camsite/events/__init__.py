"""Police events feed (polisen.se) -> located incidents.

The feed's ``gps`` is only a municipality or county centre; only the text
says where an event happened. :func:`locate_events` finds street names,
intersections, metro stations and districts in it (see ``data/incidents/README.md``
for the method, the rules and the category table). The places and the word
lists of the rules are data: :func:`load_places` reads them from a TOML file
(the shipped one is :data:`DEFAULT_PLACES_FILE`).

>>> from camsite.events import category_for, PRECISIONS
>>> category_for("Rån, försök"), PRECISIONS[0]
('vald', 'intersection')
"""

from __future__ import annotations

from camsite.events._categories import TYPE_CATEGORIES, category_for
from camsite.events._feed import event_text, event_time, load_polisen, municipality
from camsite.events._io import street_edges, write_geojson
from camsite.events._locate import COLUMNS, PRECISIONS, SOURCE, UNCERTAINTY_M, locate_events
from camsite.events._places import AREAS, DEFAULT_PLACES_FILE, Places, load_places, loads_places, read_stations

__all__ = [
    "AREAS",
    "COLUMNS",
    "DEFAULT_PLACES_FILE",
    "PRECISIONS",
    "SOURCE",
    "TYPE_CATEGORIES",
    "UNCERTAINTY_M",
    "Places",
    "category_for",
    "event_text",
    "event_time",
    "load_places",
    "load_polisen",
    "loads_places",
    "locate_events",
    "municipality",
    "read_stations",
    "street_edges",
    "write_geojson",
]
