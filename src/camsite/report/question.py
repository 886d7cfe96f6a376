"""The question a run answered, as one sentence in the run's language (terminal, report, budget curve).

>>> from types import SimpleNamespace as NS
>>> s = NS(question={"objective": "min_cost", "target_incident_share": 0.5, "hotspots": "none"},
...        n_new_sites=4, spent_sek=432000.0, budget_sek=1.0)
>>> question_line(s, "sv").replace("\\u00a0", " ")
'Billigaste plan som ser minst 50 % av händelserna: 4 platser för 432 000 kr'
>>> question_line(NS(question=None, n_new_sites=2, spent_sek=9e5, budget_sek=1e6), "en")
'Most coverage within the budget of 1,000,000 SEK: 2 sites for 900,000 SEK'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from camsite.i18n import category_label, fmt_num, tr

__all__ = ["plan_budget", "question_line", "share_text"]


def plan_budget(summary: Any) -> float:
    """Where the curves draw the plan: its budget, or for a min-cost plan its cost (it has no budget)."""
    q = summary.question or {}
    return float(summary.spent_sek if q.get("objective") == "min_cost" else summary.budget_sek)


def share_text(share: float | None, lang: str) -> str:
    """A share (0-1) as percent text, e.g. ``50 %`` or ``12,5 %``.

    >>> share_text(0.125, "sv"), share_text(0.25, "en")
    ('12,5 %', '25 %')
    """
    if share is None:
        return "–"
    pct = 100 * float(share)
    return f"{fmt_num(pct, 0 if abs(pct - round(pct)) < 1e-9 else 1, lang)} %"


def _extras(q: Mapping[str, Any], lang: str) -> list[str]:
    """The further targets of a min-cost question: per category, per hotspot."""
    out = []
    share = q.get("target_incident_share")
    cats = q.get("target_category_shares") or {}
    if cats:
        parts = ", ".join(f"{category_label(k, lang).lower()} {share_text(v, lang)}" for k, v in cats.items())
        out.append(tr("q_categories", lang, parts=parts))
    spots = q.get("hotspots")
    if spots in ("subareas", "clusters"):
        out.append(tr(f"q_{spots}" + ("" if share is not None else "_all"), lang, share=share_text(share, lang),
                      n=q.get("n_hotspots", 0)))
    return out


def question_line(summary: Any, lang: str) -> str:
    """``<question>: <n> sites for <cost>`` from :attr:`camsite.stages.Summary.question`."""
    q = summary.question or {}
    plan = tr("q_plan", lang, n=summary.n_new_sites, cost=fmt_num(summary.spent_sek, 0, lang))
    if q.get("objective") != "min_cost":
        return f"{tr('q_max_coverage', lang, budget=fmt_num(summary.budget_sek, 0, lang))}: {plan}"
    share = q.get("target_incident_share")
    head = tr("q_min_cost_share", lang, share=share_text(share, lang)) if share is not None \
        else tr("q_min_cost", lang)
    extras = _extras(q, lang)
    return f"{head}{' (' + '; '.join(extras) + ')' if extras else ''}: {plan}"
