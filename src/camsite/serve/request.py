"""The what-if question the page asks: :class:`PlanRequest`, parsed and checked from JSON.

Every field is optional; a missing field means the scenario's value. A bad
field raises :class:`RequestError` naming it (HTTP 422).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from camsite.config import MAX_WEIGHT

__all__ = ["FIELDS", "MAX_BUDGET_SEK", "PlanRequest", "RequestError", "decode_json", "field_name", "parse_request",
           "shown"]

#: The fields of a request body, in order.
FIELDS = ("budget_sek", "forced", "forbidden", "removed_existing", "category_weights")
#: Largest budget accepted (SEK): far above any district budget, a guard against typing errors.
MAX_BUDGET_SEK = 1e10


class RequestError(ValueError):
    """A bad request: ``field`` names the JSON field, ``status`` the HTTP status (400 or 422)."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status

    def payload(self) -> dict[str, Any]:
        """The JSON error body: ``error`` (one line, naming the field) and ``field``."""
        text = f"{self.field}: {self}" if self.field is not None else str(self)
        return {"error": text, "field": self.field}


@dataclass(frozen=True)
class PlanRequest:
    """One plan to solve: budget, site and camera changes, category weights (all normalised, sorted)."""

    budget_sek: float
    forced: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    removed_existing: tuple[str, ...] = ()
    category_weights: tuple[tuple[str, float], ...] = ()

    @property
    def weights(self) -> dict[str, float]:
        """The category weights as a mapping."""
        return dict(self.category_weights)

    def model_key(self) -> tuple[Any, ...]:
        """What selects the solver model: everything but the budget."""
        return self.forced, self.forbidden, self.removed_existing, self.category_weights

    def as_json(self) -> dict[str, Any]:
        """The request as the API echoes it."""
        return {"budget_sek": self.budget_sek, "forced": list(self.forced), "forbidden": list(self.forbidden),
                "removed_existing": list(self.removed_existing), "category_weights": self.weights}


def shown(value: Any, width: int = 60) -> str:
    """A value as an error message quotes it: one line, at most ``width`` characters, huge numbers as 1e+308.

    >>> shown(1e308), shown(2_500_000.0), shown(10 ** 400), shown(0.5)
    ('1e+308', '2,500,000', '1e+400 or more', '0.5')
    """
    if isinstance(value, bool) or value is None:
        text = repr(value)
    elif isinstance(value, int) and abs(value) >= 10 ** 15:
        text = f"1e+{min(len(str(abs(value))) - 1, 400)}" + (" or more" if abs(value) >= 10 ** 400 else "")
    elif isinstance(value, (int, float)):
        text = f"{value:,.0f}" if math.isfinite(value) and abs(value) < 1e15 and value == round(value) else f"{value:.4g}"
    else:
        text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def field_name(name: Any) -> str:
    """A field or key name as an error names it: printable, one line, at most 60 characters."""
    text = str(name)
    return text if text.isprintable() and 0 < len(text) <= 60 and text.strip() == text else shown(text)


def _budget(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestError(f"expected a number of SEK, got {shown(value)}", field="budget_sek")
    if not (math.isfinite(value) if isinstance(value, float) else True) or not 0 < value <= MAX_BUDGET_SEK:
        raise RequestError(f"must be above 0 and at most {MAX_BUDGET_SEK:,.0f} SEK, got {shown(value)}",
                           field="budget_sek")
    return float(value)


def _ids(value: Any, field: str, known: Sequence[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RequestError(f"expected a list of ids (strings), got {shown(value)}", field=field)
    allowed = set(known)
    unknown = [v for v in value if v not in allowed]
    if unknown:
        what = "existing camera" if field == "removed_existing" else "candidate site"
        raise RequestError(f"unknown {what} id {shown(unknown[0])}", field=field)
    return tuple(sorted(set(value)))


def _weights(value: Any, base: Mapping[str, float], adjustable: Sequence[str]) -> tuple[tuple[str, float], ...]:
    if not isinstance(value, dict):
        raise RequestError(f"expected an object {{category: weight}}, got {shown(value)}", field="category_weights")
    out = dict(base)
    for k, v in value.items():
        key = f"category_weights.{field_name(k)}"
        if k not in base:
            raise RequestError(f"unknown category (known: {', '.join(base)})", field=key)
        number = not isinstance(v, bool) and isinstance(v, (int, float))
        if not number or (isinstance(v, float) and not math.isfinite(v)) or not 0 <= v <= MAX_WEIGHT:
            # the scenario file's own limit (config.MAX_WEIGHT), so an unchanged weight always passes
            raise RequestError(f"expected a number from 0 to {MAX_WEIGHT:g}, got {shown(v)}", field=key)
        if float(v) != base[k] and k not in adjustable:
            raise RequestError("weighs 0 in the scenario, so its incidents are not in the model: set its weight in "
                               "the scenario file", field=key)
        out[k] = float(v)
    return tuple(out.items())


def parse_request(body: Any, *, budget_sek: float, site_ids: Sequence[str], camera_ids: Sequence[str],
                  category_weights: Mapping[str, float], adjustable: Sequence[str],
                  forced: Sequence[str] = (), forbidden: Sequence[str] = ()) -> PlanRequest:
    """A checked :class:`PlanRequest` from a JSON body; missing fields take the scenario's values.

    Parameters
    ----------
    body
        The decoded JSON (must be an object).
    budget_sek, forced, forbidden, category_weights
        The scenario's values.
    site_ids, camera_ids
        The candidate site ids and existing camera ids a request may name.
    adjustable
        The categories whose weight may change (those with a weight above 0 in the scenario).
    """
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object", status=400)
    extra = sorted(str(k) for k in set(body) - set(FIELDS))
    if extra:
        raise RequestError(f"unknown field (known: {', '.join(FIELDS)})", field=field_name(extra[0]))
    budget = _budget(body["budget_sek"]) if "budget_sek" in body else float(budget_sek)
    f_ids = _ids(body["forced"], "forced", site_ids) if "forced" in body else tuple(sorted(forced))
    b_ids = _ids(body["forbidden"], "forbidden", site_ids) if "forbidden" in body else tuple(sorted(forbidden))
    both = sorted(set(f_ids) & set(b_ids))
    if both:
        raise RequestError(f"site {shown(both[0])} is both forced and forbidden", field="forbidden")
    removed = _ids(body.get("removed_existing", []), "removed_existing", camera_ids)
    weights = _weights(body.get("category_weights", {}), category_weights, adjustable)
    return PlanRequest(budget_sek=budget, forced=f_ids, forbidden=b_ids, removed_existing=removed,
                       category_weights=weights)


#: Longest run of digits taken as an integer in a request body; longer ones are read as (infinite) floats.
MAX_INT_DIGITS = 30
#: Deepest nesting of arrays and objects in a request body (a request needs 2).
MAX_DEPTH = 32


def _int(text: str) -> int | float:
    return int(text) if len(text) <= MAX_INT_DIGITS else float(text)


def _depth(raw: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings (a cheap scan before parsing)."""
    depth = deepest = 0
    in_str = escaped = False
    for ch in raw:
        if in_str:
            escaped, in_str = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def decode_json(raw: bytes) -> Any:
    """A request body as JSON; :class:`RequestError` (400) when it is not, nested too deeply or not UTF-8.

    Integers longer than :data:`MAX_INT_DIGITS` digits become floats (``10**400`` is infinite, and the field
    check refuses it by name); ``NaN`` and ``Infinity`` are refused by the field checks too.

    >>> decode_json(b'{"budget_sek": ' + b"9" * 500 + b"}")
    {'budget_sek': inf}
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError("the request body is not UTF-8 text", status=400) from None
    if _depth(text) > MAX_DEPTH:
        raise RequestError(f"the request body is nested more than {MAX_DEPTH} levels deep", status=400)
    try:
        return json.loads(text, parse_int=_int)
    except (json.JSONDecodeError, RecursionError, ValueError, OverflowError) as exc:
        raise RequestError(f"the request body is not valid JSON ({shown(str(exc), 80)})", status=400) from None
