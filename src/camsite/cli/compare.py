"""``camsite compare``: runs side by side (budget, sites, coverage, status)."""

from __future__ import annotations

from pathlib import Path

import click

from camsite.cli._common import handle_errors
from camsite.report import compare


@click.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Folder for compare.csv and compare.html.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True,
              help="Language of the table headings.")
@handle_errors
def compare_cmd(runs: tuple[Path, ...], out: Path, lang: str) -> None:
    """Compare finished runs: give two or more output folders of `camsite run`.

    Prints a side-by-side table (budget, spent, new sites, coverage before and
    after, by incident category and sub-area, solver status) and writes
    compare.csv and compare.html to --out.

    Exit codes: 0 done, 2 a folder has no readable summary.json.
    """
    loaded = [compare.read_run(r) for r in runs]
    table, paths = compare.write_compare(loaded, out, lang=lang)
    click.echo(compare.format_table(table, lang=lang))
    click.echo(f"\n{', '.join(str(p) for p in paths)}")
