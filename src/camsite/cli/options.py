"""Options and helpers more than one command uses: scenario overrides, executors, robustness, progress.

The commands (``run``, ``robustness``, ``batch``) import these; they never
import each other.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import click
from tqdm import tqdm

from camsite import config, robustness
from camsite.config import Scenario
from camsite.errors import ConfigError
from camsite.executors import Executor, TlsFiles
from camsite.i18n import fmt_num, fmt_pct, tr
from camsite.result import RunResult

__all__ = ["apply_overrides", "attach_robustness", "check_workers", "executor_options", "money", "no_progress_option",
           "robustness_line", "show_progress", "tls_files"]

F = Callable[..., Any]


_TLS_KEY = "camsite.tls"


def _remember_tls(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Keep a ``--tls-*`` file for :func:`tls_files` (the commands' signatures stay as they are)."""
    if value is not None and param.name:
        ctx.meta.setdefault(_TLS_KEY, {})[param.name] = value
    return value


def tls_files() -> TlsFiles | None:
    """The ``--tls-ca-file``, ``--tls-cert`` and ``--tls-key`` given to the current command (None: none given).

    Returns
    -------
    TlsFiles or None
        The files, for :func:`camsite.executors.executor`.
    """
    ctx = click.get_current_context(silent=True)
    given = ctx.meta.get(_TLS_KEY) if ctx is not None else None
    if not given:
        return None
    return TlsFiles(ca_file=given.get("tls_ca_file"), cert=given.get("tls_cert"), key=given.get("tls_key"))


def executor_options(func: F) -> F:
    """``--workers``, ``--scheduler`` and its ``--tls-*`` certificate files (shared by robustness, run and batch)."""
    for name, what in (("--tls-key", "This client's private key (PEM), unless it is in --tls-cert."),
                       ("--tls-cert", "This client's certificate (PEM), signed by the cluster's CA."),
                       ("--tls-ca-file", "The cluster's CA certificate (PEM) for a tls:// scheduler "
                                         "(default: Dask's configuration, distributed.comm.tls.*).")):
        func = click.option(name, default=None, metavar="FILE", expose_value=False, callback=_remember_tls,
                            help=what)(func)
    func = click.option("--scheduler", default=None, metavar="tls://HOST:PORT",
                        help="Run the tasks on this Dask cluster (pip install 'camsite[dask]'; tls:// with "
                             "certificates, or tcp:// on a trusted network; see README).")(func)
    return click.option("--workers", type=int, default=None, metavar="K",
                        help="Local worker processes (default and at most: one per core).")(func)


def money(value: float, lang: str) -> str:
    """An amount in SEK for the terminal: grouped digits, or ``1e+308`` style when absurdly large.

    >>> money(1500000, "en")
    '1,500,000'
    >>> money(1e308, "en")
    '1e+308'
    """
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.4g}"
    return fmt_num(value, 0, lang).replace("\u00a0", " ")


def no_progress_option(func: F) -> F:
    """``--no-progress`` (shared by run, robustness and batch)."""
    return click.option("--no-progress", is_flag=True, default=False, help="Do not draw a progress bar.")(func)


def show_progress(no_progress: bool) -> bool:
    """Whether to draw a progress bar: not asked away and stderr is a terminal.

    Parameters
    ----------
    no_progress
        The ``--no-progress`` flag.

    Returns
    -------
    bool
        True when a bar should be drawn on stderr.
    """
    return not no_progress and sys.stderr.isatty()  # click.get_text_stream is deprecated (click 9)


def check_workers(workers: int | None) -> None:
    """``--workers``: 1 or more, else a :class:`~camsite.errors.ConfigError` naming the option.

    Parameters
    ----------
    workers
        The option's value (None: not given).
    """
    if workers is not None and workers < 1:
        raise ConfigError(f"must be 1 or more (got {workers})", where="--workers")


def _check_target(target: float | None) -> float | None:
    """``--target``: a finite share in (0, 1], else a usage error naming the option."""
    if target is not None and not (math.isfinite(target) and 0 < target <= 1):
        raise click.BadParameter(f"{target:g} is not a share in (0, 1] (e.g. 0.5 for half the incidents)",
                                 param_hint="'--target'")
    return target


def apply_overrides(scen: Scenario, *, budget: float | None, solver: str | None, time_limit: float | None,
                    lang: str | None, include_incidents: bool, no_curve: bool,
                    target: float | None = None, prove: bool = False) -> Scenario:
    """The scenario with the command-line options applied to its sections, validated in full.

    Parameters
    ----------
    scen
        The scenario as loaded.
    budget, solver, time_limit, lang
        ``--budget``, ``--solver``, ``--time-limit``, ``--lang`` (None: the scenario's).
    include_incidents
        ``--include-incidents``: raw incident points in the deliverables.
    no_curve
        ``--no-curve``: no budget curve and no staged plan.
    target
        ``--target``: the cheapest plan seeing this share of the incidents (sets the min-cost objective).
    prove
        ``--prove``: the target points and the highest reach get the scenario's time limit
        (``optimization.prove_targets``).

    Returns
    -------
    Scenario
        ``scen`` itself when no option changes it, else the overridden, revalidated scenario.
    """
    opt, out = scen.optimization, scen.output
    if budget is not None:
        opt = replace(opt, budget_sek=budget)
    if _check_target(target) is not None:
        opt = replace(opt, objective="min_cost", target_incident_share=target)
    if solver is not None:
        opt = replace(opt, solver=solver)
    if time_limit is not None:
        opt = replace(opt, time_limit_s=time_limit)
    if no_curve:
        opt = replace(opt, budget_sweep=None, stages=())
    if prove:
        opt = replace(opt, prove_targets=True)
    if lang is not None:
        out = replace(out, lang=lang)
    if include_incidents:
        out = replace(out, include_incidents=True)
    if opt is scen.optimization and out is scen.output:
        return scen
    return config.override(scen, optimization=opt, output=out)


@contextmanager
def _robustness_bar(show: bool, lang: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback ``(done, total)`` drawing the samples on stderr, or None."""
    if not show:
        yield None
        return
    bar = tqdm(total=0, desc=tr("rob_sheet", lang), unit="urval" if lang == "sv" else "sample", leave=False,
               mininterval=0.2)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def attach_robustness(result: RunResult, ex: Executor, *, samples: int, seed: int, show: bool,
                      sensitivity: bool = True) -> RunResult:
    """``result`` with its robustness analysis run on the executor ``ex``.

    Parameters
    ----------
    result
        A finished run.
    ex
        The executor, opened before the run so that an unreachable cluster fails before minutes of work.
    samples, seed
        ``--samples`` (or ``--robustness N``) and ``--seed``.
    show
        Draw a progress bar on stderr.
    sensitivity
        Also run the one-at-a-time sensitivity cases.

    Returns
    -------
    RunResult
        ``result`` with :attr:`~camsite.result.RunResult.robustness` set.
    """
    with _robustness_bar(show, result.scenario.output.lang) as cb:
        rob = robustness.analyse(result, samples=samples, seed=seed, executor=ex, sensitivity=sensitivity,
                                 progress=cb)
    return replace(result, robustness=rob)


def robustness_line(result: RunResult, lang: str) -> str:
    """One sentence for the terminal: samples, stable core, overlap and regret.

    Parameters
    ----------
    result
        A run with a robustness analysis.
    lang
        ``"sv"`` or ``"en"``.

    Returns
    -------
    str
        The sentence, without a trailing newline.
    """
    rob = result.robustness
    assert rob is not None
    s = rob.summary()
    main_sites = set(rob.sites.loc[rob.sites["in_main_plan"] == "yes", "site_id"])
    core = len(set(rob.stable_core) & main_sites)
    return tr("rob_done", lang, n=s["samples"], core=core, plan=len(main_sites),
              jaccard=fmt_num(s["mean_jaccard"], 2, lang), regret=fmt_pct(s["mean_regret_pct"], lang)).rstrip()
