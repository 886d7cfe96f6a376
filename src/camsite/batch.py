"""Many scenarios and budgets on one executor (``camsite batch FILE.toml``).

A batch file lists runs; each names a scenario and, optionally, budgets (one
run folder per budget)::

    out = "out/batch"      # the comparison here, each run in a folder below it
    lang = "sv"
    curve = false          # budget curves and staged plans (slower); default off

    [[runs]]
    scenario = "../scenarios/fridhemsplan.toml"
    budgets = [1000000, 1500000, 2000000]

    [[runs]]
    scenario = "../scenarios/drogscen_2024.toml"
    name = "drogscen"

Paths are relative to the batch file. Each run is one task on the executor; it
writes its folder exactly as ``camsite run`` does.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from camsite import config, pipeline, stages
from camsite._schema import build, fail
from camsite.errors import CamsiteError, ConfigError, InputError, SolverError
from camsite.report import write_run

__all__ = ["BatchFile", "BatchRun", "Job", "jobs", "load_batch", "raise_failed", "run_job"]

#: The most runs (scenario × budget) one batch file may ask for.
MAX_JOBS = 1000


@dataclass(frozen=True)
class BatchRun:
    """One ``[[runs]]`` entry: a scenario file and the budgets to run it at (none: its own budget)."""

    scenario: str
    budgets: tuple[float, ...] = ()
    name: str | None = None

    def validate(self, *, file: str | None, key: str) -> None:
        if not self.scenario.strip():
            fail("give a scenario file", file=file, key=f"{key}.scenario")
        for i, b in enumerate(self.budgets):
            if not b > 0:
                fail("must be more than 0 SEK", file=file, key=f"{key}.budgets[{i}]")


@dataclass(frozen=True)
class BatchFile:
    """A batch file: the runs, where the comparison goes, the language, whether to draw budget curves."""

    runs: tuple[BatchRun, ...] = ()
    out: str | None = None
    lang: str = "sv"
    curve: bool = False

    def validate(self, *, file: str | None, key: str) -> None:
        if not self.runs:
            fail("list at least one [[runs]] entry (scenario = \"...\")", file=file, key="runs")
        if self.lang not in ("sv", "en"):
            fail('must be "sv" or "en"', file=file, key="lang")


@dataclass(frozen=True)
class Job:
    """One run of a batch: a scenario file at a budget (None: its own), written to ``out_dir``."""

    scenario: str
    budget: float | None
    out_dir: str
    lang: str
    curve: bool
    #: The proof store's folder (camsite.stages._proofs; on the machine running the job); None: no store.
    proofs: str | None = None


def load_batch(path: str | Path) -> BatchFile:
    """Read and check a batch file; errors name the file and the key."""
    file = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the batch file ({exc.strerror or exc})", file=file) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    return build(BatchFile, data, file=file, key="")


def jobs(batch: BatchFile, *, base: Path, out_root: Path, proofs: str | None = None) -> list[Job]:
    """The runs of ``batch`` (one per scenario and budget); every scenario is loaded and checked here first.
    ``proofs``: the proof store's folder every run reads and keeps its proven target points in (None: none)."""
    out: list[Job] = []
    names: set[str] = set()
    for i, run in enumerate(batch.runs):
        path = (base / run.scenario).resolve()
        scen = config.load(path)
        stem = scen.safe_name(run.name or scen.name)
        for b in run.budgets or (None,):
            name = stem if b is None or (len(run.budgets) == 1 and run.name) else f"{stem}_{b:.0f}"
            if name in names:
                raise ConfigError(f"two runs would write the folder {name!r}: give them different names",
                                  where=f"runs[{i}].name")
            names.add(name)
            out.append(Job(str(path), b, str(out_root / name), batch.lang, batch.curve, proofs))
    if len(out) > MAX_JOBS:
        raise ConfigError(f"{len(out)} runs; at most {MAX_JOBS}", where="runs")
    return out


_ERRORS: dict[str, type[CamsiteError]] = {"InputError": InputError, "ConfigError": ConfigError,
                                          "SolverError": SolverError}


def run_job(shared: object, job: Job) -> tuple[str, str | None, str]:
    """Run one job and write its folder: ``("ok", None, folder)`` or ``("error", kind, message)``.

    A camsite error is returned, not raised, so its full message (file, key)
    survives the trip back from a worker process; :func:`raise_failed` raises it.
    """
    try:
        scen = config.load(job.scenario)
        opt = scen.optimization
        if job.budget is not None:
            opt = replace(opt, budget_sek=job.budget)
        if not job.curve:
            opt = replace(opt, budget_sweep=None, stages=())
        scen = config.override(scen, optimization=opt, output=replace(scen.output, lang=job.lang))
        result = pipeline.run(scen, proofs=None if job.proofs is None else stages.ProofStore(job.proofs))
        write_run(result, job.out_dir, lang=job.lang, include_incidents=False)
    except CamsiteError as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", None, job.out_dir)


def raise_failed(results: list[tuple[str, str | None, str]]) -> list[str]:
    """The folders written, or the first job's error raised as the camsite error it was."""
    for status, kind, text in results:
        if status == "error":
            raise _ERRORS.get(kind or "", InputError)(text)
    return [text for _, _, text in results]
