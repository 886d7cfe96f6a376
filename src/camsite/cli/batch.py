"""``camsite batch``: many scenarios and budgets on one executor, and one comparison of them."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from camsite import batch, runfolder
from camsite.cli._common import handle_errors
from camsite.cli.options import check_workers, executor_options, no_progress_option, show_progress
from camsite.errors import InputError
from camsite.executors import executor
from camsite.report import compare


def _run_jobs(todo: list[batch.Job], *, workers: int | None, scheduler: str | None,
              show: bool) -> list[tuple[str, str | None, str]]:
    """Every job on one executor, with a progress bar on stderr when ``show``."""
    with executor(workers=workers, scheduler=scheduler) as ex:
        if not show:
            return ex.map(batch.run_job, None, todo)
        with tqdm(total=len(todo), desc="camsite batch", leave=False) as bar:
            return ex.map(batch.run_job, None, todo, progress=lambda n: bar.update(n - bar.n))


@click.command("batch")
@click.argument("batch_file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder for compare.csv, compare.html and one folder per run (default: the file's `out`, "
                   "else out/<file name>).")
@executor_options
@no_progress_option
@handle_errors
def batch_cmd(batch_file: Path, out: Path | None, workers: int | None, scheduler: str | None,
              no_progress: bool) -> None:
    """Run every scenario and budget listed in BATCH_FILE (TOML) and compare them.

    Each run writes its folder as `camsite run` does; compare.csv and
    compare.html (as `camsite compare`) go to the output folder. Runs are
    independent tasks on a local pool (--workers) or a Dask cluster
    (--scheduler; the workers must see the same files). Example file in
    docs/robustness.md.

    Exit codes: 0 done, 2 bad batch file, scenario or input, 3 solver failure.
    """
    check_workers(workers)
    spec = batch.load_batch(batch_file)
    base = batch_file.resolve().parent
    root = out or ((base / spec.out) if spec.out else Path("out") / batch_file.stem)
    todo = batch.jobs(spec, base=base, out_root=root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder ({exc.strerror or exc})", file=root) from None
    for job in todo:
        runfolder.recover(job.out_dir)
        runfolder.check_run_folder(job.out_dir)
    results = _run_jobs(todo, workers=workers, scheduler=scheduler, show=show_progress(no_progress))
    folders = batch.raise_failed(results)
    runs = [compare.read_run(f) for f in folders]
    table, paths = compare.write_compare(runs, root, lang=spec.lang)
    click.echo(compare.format_table(table, lang=spec.lang))
    click.echo(f"\n{', '.join(str(p) for p in paths)}")
