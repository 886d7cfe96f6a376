"""``camsite import-events polisen``: locate police events from their text and write incidents."""

from __future__ import annotations

from pathlib import Path

import click

from camsite.cli._common import handle_errors, main
from camsite.errors import InputError


def _label(precision: str) -> str:
    from camsite.i18n import tr

    return tr(f"prec_{precision}", "sv")


@main.group("import-events")
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
@click.option("--crs", default="EPSG:3011", show_default=True, help="Working CRS (metres) for locating.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Output GeoJSON (WGS84); written atomically.")
@handle_errors
def polisen_cmd(events_file: Path, network: Path, area: Path | None, stations: Path | None, municipality: str,
                max_area_radius: float | None, crs: str, out: Path) -> None:
    """Locate the police events in FILE.json (polisen.se/api/events; .json, .json.xz, .json.gz) from
    their text and write the located ones as incidents.

    Each event gets a precision class (intersection, station, street, area),
    an uncertainty in metres, the matched text and a camsite category mapped
    from its type. Prints how many events landed in each class.
    """
    from camsite import events as ev
    from camsite.areas import read_polygons

    if not out.parent.is_dir():
        raise InputError("output folder does not exist", file=out.parent)
    feed = ev.load_polisen(events_file)
    edges = ev.street_edges(network, crs=crs)
    polygon = None if area is None else read_polygons(area, crs=crs)
    st = None if stations is None else ev.read_stations(stations, crs=crs)
    located = ev.locate_events(feed, edges, stations=st, area=polygon, municipality_name=municipality or None,
                               max_area_radius_m=max_area_radius, crs=crs)
    ev.write_geojson(located, out)
    counts = located.attrs["counts"]
    click.echo(f"{len(feed)} händelser: " + ", ".join(f"{_label(k)} {v}" for k, v in counts.items()))
    kept = located[located.geometry.notna()]
    if located.attrs["n_too_coarse"]:
        click.echo(f"{located.attrs['n_too_coarse']} händelser med bara ett stadsdelsområde "
                   f"över {max_area_radius:g} m utelämnade")
    if area is not None:
        click.echo(f"{len(kept)} lägesbestämda inom området ({area.name}): "
                   + ", ".join(f"{_label(k)} {int((kept['precision'] == k).sum())}"
                               for k in ev.PRECISIONS[:-1]))
    click.echo(f"skrev {len(kept)} händelser till {out}")
