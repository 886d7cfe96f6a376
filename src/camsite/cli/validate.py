"""``camsite validate``: check every input of a scenario without solving."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from camsite import config
from camsite.cli._common import handle_errors
from camsite.validate import ValidationReport, validate_scenario


def _short(path: str, width: int = 40) -> str:
    name = Path(path).name if path.startswith(("/", ".")) or "/" in path else path
    return name if len(name) <= width else "…" + name[-(width - 1):]


def _cell(value: int | None) -> str:
    return "-" if value is None else f"{value:,}".replace(",", " ")


def format_table(report: ValidationReport) -> list[str]:
    """The report's layers as text lines: layer, file, rows, kept, dropped (why), outside, CRS."""
    head = ("lager/layer", "fil/file", "rader", "kvar", "bortfall (varför)", "utanför", "CRS")
    rows = [head] + [
        (c.layer, _short(c.file), _cell(c.rows), _cell(c.kept), c.dropped_text if c.rows is not None else "-",
         _cell(c.outside), c.crs or "-")
        for c in report.layers
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


class _NoCamsiteWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("camsite") and record.levelno == logging.WARNING)


@contextlib.contextmanager
def _quiet_camsite_warnings() -> Iterator[None]:
    handlers = list(logging.getLogger("camsite").handlers)
    filt = _NoCamsiteWarnings()
    for h in handlers:
        h.addFilter(filt)
    try:
        yield
    finally:
        for h in handlers:
            h.removeFilter(filt)


@click.command("validate")
@click.argument("scenario", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--strict", is_flag=True, default=False,
              help="A column or value of the camera inventory that the scenario does not map is an error.")
@handle_errors
def validate_cmd(scenario: Path, strict: bool) -> None:
    """Check every input of SCENARIO (a TOML file) without solving.

    Reads the study area, the street network, the incident layers, the
    existing cameras and any other file the scenario names, and checks CRS,
    columns, coordinates (counting those outside the study area), duplicate
    ids, weights, costs, the budget and the camera types. Prints one line per
    layer (rows, kept, dropped and why, outside the study area), then the
    warnings and errors.

    With --strict, a column or owner value of the camera inventory that the
    scenario's [existing_cameras] mapping does not cover is an error.

    Exit codes: 0 no error (warnings may be shown), 2 at least one error.
    """
    scen = config.load(scenario)
    with _quiet_camsite_warnings():  # they are collected in the report and printed once below
        report = validate_scenario(scen, strict=strict)
    for line in format_table(report):
        click.echo(line)
    unc = report.uncoverable
    if unc is not None:
        worst = "; ".join(f"{w['street']} ({w['weight']:.2f})" for w in unc.get("worst", []) if w.get("street"))
        click.echo(f"uncoverable: {unc['count']} demand points, {unc['share_pct']:.1f}% of the weight, "
                   f"{unc['incident_share_pct'] or 0:.1f}% of the incident weight"
                   + (f"; worst: {worst}" if worst else ""))
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
    for e in report.errors:
        click.echo(f"error: {e}", err=True)
    if not report.ok:
        sys.exit(2)
    click.echo(f"ok: {scenario} ({len(report.warnings)} warning(s))")
