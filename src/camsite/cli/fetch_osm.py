"""``camsite fetch-osm``: download a street network, buildings and cameras from OpenStreetMap."""

from __future__ import annotations

from pathlib import Path

import click

from camsite.cli._common import handle_errors
from camsite.errors import InputError
from camsite.fetch import OsmData, Query, Servers, fetch_osm, write_osm
from camsite.osm_cameras import DEFAULT_TYPE_MAP, cameras_from_osm, parse_type_map, write_cameras

_EPILOG = """\b
Examples:
  camsite fetch-osm --point 59.3330,18.0308 --dist 800 --out data/osm/fridhemsplan.gpkg
  camsite fetch-osm --place "Kungsholmen, Stockholm" --out kungsholmen.graphml --cameras-out cameras.csv
  camsite fetch-osm --bbox 59.329,18.010,59.341,18.042 --network-type walk --out net.gpkg

\b
Point a scenario at the result:
  [network]
  path = "fridhemsplan.gpkg"                 # the --out file
  buildings = "fridhemsplan_buildings.gpkg"  # written beside it
  [existing_cameras]
  path = "cameras.csv"                       # written by --cameras-out

Data © OpenStreetMap contributors, ODbL 1.0.
"""


def _query(place: str | None, bbox: str | None, point: str | None, dist: float | None, network_type: str,
           custom_filter: str | None) -> Query:
    given = [name for name, value in (("--place", place), ("--bbox", bbox), ("--point", point)) if value is not None]
    if len(given) != 1:
        raise InputError("give exactly one of --place, --bbox or --point (with --dist)"
                         + (f"; got {' and '.join(given)}" if given else ""))
    if bbox is not None:
        return Query.from_bbox(bbox, network_type=network_type, custom_filter=custom_filter)
    if point is not None:
        return Query.from_point(point, dist, network_type=network_type, custom_filter=custom_filter)
    if dist is not None:
        raise InputError("--dist goes with --point", where="--dist")
    return Query(place=place, network_type=network_type, custom_filter=custom_filter)


def _summary(data: OsmData, written: dict[str, Path], cameras_out: Path | None, n_cams: int) -> list[str]:
    lines = []
    if data.place_name:
        lines.append(f"place: {data.place_name}")
    parts = [f"{data.graph.number_of_nodes()} nodes", f"{data.graph.number_of_edges()} edges"]
    if data.buildings is not None:
        parts.append(f"{len(data.buildings)} buildings")
    if data.cameras is not None:
        parts.append(f"{len(data.cameras)} cameras (man_made=surveillance)")
    cached = f" (from the cache: {', '.join(data.from_cache)})" if data.from_cache else ""
    lines.append("fetched: " + ", ".join(parts) + cached)
    lines.append(f"OSM data date: {data.osm_timestamp or 'unknown'}")
    lines.extend(f"wrote {p} ({kind})" for kind, p in written.items())
    if data.buildings is not None and data.buildings.empty:
        lines.append("no buildings in the area: leave [network] buildings unset")
    if cameras_out is not None:
        lines.append(f"wrote {cameras_out} ({n_cams} existing cameras)")
    return lines


@click.command("fetch-osm", epilog=_EPILOG)
@click.option("--place", default=None, metavar="NAME", help="A place name, geocoded with Nominatim to its outline.")
@click.option("--bbox", default=None, metavar="S,W,N,E", help="A box: south,west,north,east in WGS84 degrees.")
@click.option("--point", default=None, metavar="LAT,LON", help="A centre point (with --dist).")
@click.option("--dist", type=float, default=None, metavar="M", help="Half the side of the square around --point, m.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Network file: .graphml, .graphml.gz or .gpkg (layers nodes, edges). Buildings and the "
                   "raw OSM cameras go beside it to <name>_buildings.gpkg and <name>_cameras.gpkg.")
@click.option("--network-type", type=click.Choice(["all", "all_public", "walk", "bike", "drive", "drive_service"]),
              default="all", show_default=True,
              help="osmnx street filter; 'all' keeps footways and pedestrian streets.")
@click.option("--custom-filter", default=None, metavar="FILTER",
              help='An Overpass way filter replacing --network-type, e.g. \'["highway"~"footway|pedestrian"]\'.')
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Download cache (default ~/.cache/camsite/osm). A repeated query is answered from it.")
@click.option("--refresh", is_flag=True, default=False, help="Download again even if the query is cached.")
@click.option("--no-buildings", is_flag=True, default=False, help="Do not fetch building footprints.")
@click.option("--no-cameras", is_flag=True, default=False, help="Do not fetch man_made=surveillance features.")
@click.option("--cameras-out", type=click.Path(path_type=Path), default=None,
              help="Also write the OSM cameras as existing cameras (.csv, .geojson or .gpkg) for a scenario's "
                   "[existing_cameras].")
@click.option("--camera-type", "camera_types", multiple=True, metavar="OSM=TYPE",
              help="Map an OSM camera:type to a scenario camera type (repeatable; default dome=ptz_dome, "
                   "panning=ptz_dome, fixed=fixed_1080p).")
@click.option("--default-camera-type", default="ptz_dome", show_default=True, metavar="TYPE",
              help="Camera type when camera:type is missing or not mapped.")
@click.option("--overpass-url", envvar="CAMSITE_OVERPASS_URL", default="https://overpass-api.de/api",
              show_default=True, help="Overpass API base URL (env CAMSITE_OVERPASS_URL).")
@click.option("--nominatim-url", envvar="CAMSITE_NOMINATIM_URL", default="https://nominatim.openstreetmap.org/",
              show_default=True, help="Nominatim base URL (env CAMSITE_NOMINATIM_URL).")
@click.option("--timeout", type=float, default=180.0, show_default=True, metavar="S",
              help="Seconds to wait for a server.")
@handle_errors
def fetch_osm_cmd(place: str | None, bbox: str | None, point: str | None, dist: float | None, out: Path,
                  network_type: str, custom_filter: str | None, cache_dir: Path | None, refresh: bool,
                  no_buildings: bool, no_cameras: bool, cameras_out: Path | None, camera_types: tuple[str, ...],
                  default_camera_type: str, overpass_url: str, nominatim_url: str, timeout: float) -> None:
    """Download the streets (footways included), buildings and cameras of an area from OpenStreetMap.

    Give the area as --place, --bbox, or --point with --dist. The download
    goes through osmnx to the Overpass API (and Nominatim for --place) and
    is cached on disk, keyed by the query: asking again makes no request.
    This is the only camsite command that goes online; everything else runs
    on local files.

    Exit codes: 0 done, 2 bad option, unreachable server or nothing found.
    """
    if cameras_out is not None and no_cameras:
        raise InputError("--cameras-out needs the cameras: drop --no-cameras", where="--cameras-out")
    type_map = None
    if camera_types:
        type_map = {**DEFAULT_TYPE_MAP, **parse_type_map(camera_types)}
    query = _query(place, bbox, point, dist, network_type, custom_filter)
    servers = Servers(overpass_url=overpass_url, nominatim_url=nominatim_url, timeout_s=timeout)
    data = fetch_osm(query, cache_dir=cache_dir, buildings=not no_buildings, cameras=not no_cameras,
                     servers=servers, refresh=refresh)
    written = write_osm(data, out)
    n_cams = 0
    if cameras_out is not None and data.cameras is not None:
        cams = cameras_from_osm(data.cameras, type_map=type_map, default_type=default_camera_type)
        write_cameras(cams, cameras_out)
        n_cams = len(cams)
    for line in _summary(data, written, cameras_out, n_cams):
        click.echo(line)
