"""``camsite import-events polisen``: locate police events from their text and write incidents."""

from __future__ import annotations

from pathlib import Path

import click

from camsite import events as ev
from camsite.areas import read_polygons
from camsite.cli._common import handle_errors
from camsite.errors import InputError
from camsite.i18n import tr


def _label(precision: str) -> str:
    return tr(f"prec_{precision}", "sv")


def _n(count: int, one: str, many: str) -> str:
    """A count with its Swedish word, singular for 1.

    >>> _n(1, "flyttad", "flyttade"), _n(0, "flyttad", "flyttade")
    ('1 flyttad', '0 flyttade')
    """
    return f"{count} {one if count == 1 else many}"


@click.group("import-events")
def import_events() -> None:
    """Turn a public events feed into an incident layer (GeoJSON) for a scenario."""


@import_events.command("polisen")
@click.argument("events_file", metavar="FILE.json", type=click.Path(path_type=Path))
@click.option("--network", "network", required=True, type=click.Path(path_type=Path),
              help="Street network whose street names the texts are matched against "
                   "(GraphML[.gz], OSM XML, GPKG or a nodes/edges shapefile pair).")
@click.option("--area", "area", type=click.Path(path_type=Path), default=None,
              help="Polygon file (GeoJSON, GPKG): keep only events located inside it.")
@click.option("--stations", "stations", type=click.Path(path_type=Path), default=None,
              help="Metro stations CSV (stop_name, lat, lon) for 'tunnelbanestationen X'.")
@click.option("--municipality", default="Stockholm", show_default=True,
              help="Municipality the network lies in; events filed under another one are not located. "
                   "Give '' to accept every municipality.")
@click.option("--max-area-radius", "max_area_radius", type=float, default=None, metavar="M",
              help="Leave out events located only to a district wider than M metres "
                   "(e.g. 1000 drops 'på Kungsholmen', which would put a 2 km district on one point).")
@click.option("--places", "places", type=click.Path(path_type=Path), default=None, metavar="FILE.toml",
              help="Places file: districts and parks (centre, radius, stadsdel), places elsewhere, indoor words, "
                   "transport/arrest words (default: the shipped Kungsholmen file, "
                   "camsite/events/places_stockholm.toml).")
@click.option("--crs", default="EPSG:3011", show_default=True, help="Working CRS (metres) for locating.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output GeoJSON (WGS84); written atomically.")
@handle_errors
def polisen_cmd(events_file: Path, network: Path, area: Path | None, stations: Path | None, municipality: str,
                max_area_radius: float | None, places: Path | None, crs: str, out: Path) -> None:
    """Locate the police events in FILE.json (polisen.se/api/events; .json, .json.xz, .json.gz) from
    their text and write the located ones as incidents.

    Each event gets a precision class (intersection, station, street, area),
    an uncertainty in metres, the matched text, a camsite category mapped
    from its type, its stadsdel (district), whether it happened indoors, and
    the ids of the duplicates merged into it. Prints how many events landed
    in each class and how many each rule (scene elsewhere, duplicates,
    indoors) changed.
    """
    if not out.parent.is_dir():
        raise InputError("output folder does not exist", file=out.parent)
    rules = ev.load_places(places)
    feed = ev.load_polisen(events_file)
    edges = ev.street_edges(network, crs=crs)
    polygon = None if area is None else read_polygons(area, crs=crs)
    st = None if stations is None else ev.read_stations(stations, crs=crs)
    located = ev.locate_events(feed, edges, stations=st, area=polygon, municipality_name=municipality or None,
                               max_area_radius_m=max_area_radius, crs=crs, places=rules)
    ev.write_geojson(located, out)
    attrs = located.attrs
    click.echo(f"{len(feed)} händelser: " + ", ".join(f"{_label(k)} {v}" for k, v in attrs["counts"].items()))
    scene = attrs["scene"]
    click.echo(f"platsen någon annanstans: {scene['moved'] + scene['unlocated']} "
               f"({_n(scene['moved'], 'flyttad', 'flyttade')}, "
               f"{_n(scene['unlocated'], 'ej lägesbestämd', 'ej lägesbestämda')})")
    if attrs["n_too_coarse"]:
        click.echo(f"{attrs['n_too_coarse']} händelser med bara ett stadsdelsområde "
                   f"över {max_area_radius:g} m utelämnade")
    if area is not None:
        click.echo(f"{attrs['n_in_area']} lägesbestämda inom området ({area.name}): "
                   + ", ".join(f"{_label(k)} {v}" for k, v in attrs["in_area"].items()))
    kept = located[located.geometry.notna()]
    click.echo(f"dubbletter: {_n(attrs['n_merged'], 'sammanslagen', 'sammanslagna')}")
    click.echo(f"inomhus: {int(kept['indoor'].sum())} (vikt 0 som standard)")
    click.echo(f"skrev {len(kept)} händelser till {out}")
