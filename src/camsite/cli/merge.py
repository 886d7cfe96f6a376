"""``camsite merge``: several districts' runs in one city table (city_merged.csv, city_merged.xlsx)."""

from __future__ import annotations

from pathlib import Path

import click

from camsite.cli._common import handle_errors
from camsite.report import merge, merge_tables


@click.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="RUN_FOLDER...")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Folder for city_merged.csv and city_merged.xlsx (not a run folder).")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the workbook's headings and the terminal.")
@handle_errors
def merge_cmd(inputs: tuple[Path, ...], out: Path, lang: str) -> None:
    """Merge districts' runs into one city table: give their run folders (or contribution.csv files).

    Checks that every district used the same cost table and camera types (and
    horizon), then writes city_merged.csv (one row per proposed place, in the
    contribution format with the input it came from) and city_merged.xlsx
    (places, totals per district and for the city, what was merged). Counts
    under 3 stay hidden, and so does a city total that would reveal one.

    Exit codes: 0 done, 2 an input is not a run folder or contribution file, or
    the districts' costs differ (nothing is written then).
    """
    parts = merge.read_parts(inputs)
    merge.check_comparable(parts)
    merged = merge_tables.merge(parts)
    paths = merge_tables.write_merged(merged, out, lang=lang)
    click.echo(merge_tables.format_table(merged, lang=lang))
    click.echo(f"\n{', '.join(str(p) for p in paths)}")
