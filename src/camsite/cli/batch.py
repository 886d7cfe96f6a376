"""``camsite batch``: many scenarios and budgets on one executor, and one comparison of them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from tqdm import tqdm

from camsite import batch, runfolder
from camsite.cli._common import Interrupted, handle_errors
from camsite.cli.options import check_workers, executor_options, no_progress_option, show_progress, tls_files
from camsite.errors import CamsiteError
from camsite.executors import executor
from camsite.report import compare
from camsite.stages import default_proof_dir


def _run_jobs(todo: list[batch.Job], *, workers: int | None, scheduler: str | None,
              show: bool) -> list[tuple[str, str | None, str]]:
    """Every job on one executor, with a progress bar on stderr when ``show``."""
    with executor(workers=workers, scheduler=scheduler, tls=tls_files()) as ex:
        if not show:
            return ex.map(batch.run_job, None, todo)
        with tqdm(total=len(todo), desc="camsite batch", leave=False) as bar:
            return ex.map(batch.run_job, None, todo, progress=lambda n: bar.update(n - bar.n))


def _run_id(folder: str) -> str | None:
    """The run id in a run folder's marker (None: no finished run there)."""
    try:
        data = json.loads((Path(folder) / runfolder.MARKER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return str(data.get("run_id")) if isinstance(data, dict) else None


def _shown(path: Path) -> str:
    """A path as a user reads it: ``..`` and ``.`` folded away."""
    return os.path.normpath(path)


def _written(todo: list[batch.Job], before: dict[str, str | None]) -> str:
    """What an interrupted batch leaves: how many run folders it replaced, and where."""
    done = [j.out_dir for j in todo if _run_id(j.out_dir) not in (None, before[j.out_dir])]
    if not done:
        return "no output was changed"
    where = _shown(Path(done[0]).parent)
    return (f"{len(done)} of {len(todo)} runs were written (in {where}; each folder complete), the others and "
            "compare.csv are unchanged")


@click.command("batch")
@click.argument("batch_file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder for compare.csv, compare.html and one folder per run (default: the file's `out`, "
                   "else out/<file name>). A folder an earlier batch wrote is reused; any other non-empty "
                   "folder is refused.")
@click.option("--proofs", "proofs_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="Where proven target points are kept between runs, as `camsite run` keeps them "
                                  "(default: $XDG_CACHE_HOME/camsite/proofs, else ~/.cache/camsite/proofs).")
@click.option("--no-proofs", is_flag=True, default=False, help="Neither reuse nor keep proven target points.")
@executor_options
@no_progress_option
@handle_errors
def batch_cmd(batch_file: Path, out: Path | None, proofs_dir: Path | None, no_proofs: bool, workers: int | None,
              scheduler: str | None, no_progress: bool) -> None:
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
    root = Path(_shown(root))
    try:
        todo = batch.jobs(spec, base=base, out_root=root,
                          proofs=None if no_proofs else str(proofs_dir or default_proof_dir()))
    except CamsiteError as exc:
        raise exc.in_file(batch_file) from None
    runfolder.claim_batch_folder(root, [*(Path(j.out_dir).name for j in todo), "compare.csv", "compare.html"])
    for job in todo:
        runfolder.recover(job.out_dir)
        runfolder.check_run_folder(job.out_dir)
    before = {j.out_dir: _run_id(j.out_dir) for j in todo}
    try:
        results = _run_jobs(todo, workers=workers, scheduler=scheduler, show=show_progress(no_progress))
    except KeyboardInterrupt:
        raise Interrupted(_written(todo, before)) from None
    folders = batch.raise_failed(results)
    runs = [compare.read_run(f) for f in folders]
    table, paths = compare.write_compare(runs, root, lang=spec.lang)
    click.echo(compare.format_table(table, lang=spec.lang))
    click.echo(f"\n{', '.join(_shown(p) for p in paths)}")
