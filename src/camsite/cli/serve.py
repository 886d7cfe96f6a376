"""``camsite serve``: the planning workbench, a local web page answering what-if questions live."""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

import click
import uvicorn

from camsite.cli._common import handle_errors
from camsite.serve import Workbench, create_app, loopback_hosts, server_config


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int, token: str | None) -> str:
    """The URL to open: a browser sends its host and port (none for 80) as the Host header."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else shown
    where = shown if port == 80 else f"{shown}:{port}"
    return f"http://{where}/" + (f"?token={token}" if token else "")


@click.command("serve")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any address but 127.0.0.1 needs the token printed in the URL.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder \"Spara plan\" writes to (default: <scenario output folder>-workbench).")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=20.0, show_default=True, metavar="S",
              help="Time limit of one solve in seconds; a plan stopped by it is shown with its gap.")
@handle_errors
def serve_cmd(scenario: Path, host: str, port: int, out: Path | None, time_limit: float) -> None:
    """Open the planning workbench for SCENARIO: a local web page that re-solves live.

    Loads the scenario once (network, demand, candidates, coverage), then
    answers each change of budget, forced or forbidden sites, removed existing
    cameras and category weights with an exact solve. Works offline. Stop it
    with Ctrl-C.
    """
    click.echo(f"camsite serve: loading {scenario} ...", err=True)
    bench = Workbench.load(scenario, time_limit_s=time_limit)
    export_dir = out or Path(f"{bench.scenario.output_dir()}-workbench")
    local = _is_loopback(host)
    token = None if local else secrets.token_urlsafe(24)
    hosts = loopback_hosts(port, host) if local else None
    app = create_app(bench, export_dir=export_dir, token=token, allowed_hosts=hosts)
    click.echo(f"camsite serve: open {_url(host, port, token)}  (plans are saved in {export_dir}; Ctrl-C stops)")
    try:
        uvicorn.Server(server_config(app, host=host, port=port)).run()
    finally:
        bench.close()
