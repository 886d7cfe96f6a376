"""Reading scenario files: TOML, ``extends`` (a scenario starting from another), validation and overrides."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from camsite._schema import build, fail
from camsite.config._scenario import Scenario
from camsite.errors import ConfigError

__all__ = ["PATH_KEYS", "load", "loads", "override", "revalidate", "to_data"]


def to_data(obj: object) -> Any:
    """A scenario (or one of its sections) as plain TOML-like data: tables, lists, numbers, strings.

    Keys whose value is None are left out (a missing key means its default).
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.metadata.get("toml", True) and getattr(obj, f.name) is not None}
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return [to_data(v) for v in obj]
    return obj


def revalidate(scenario: Scenario) -> Scenario:
    """Validate a changed scenario exactly as if it had been read from its file.

    Use it after :func:`dataclasses.replace` on a section (a command-line
    override): unknown values, wrong types, non-finite numbers and impossible
    values raise :class:`~camsite.errors.ConfigError` naming the key.
    """
    return replace(build(Scenario, to_data(scenario), file=scenario.source_file, key=""),
                   source_file=scenario.source_file)


def override(scenario: Scenario, **sections: Any) -> Scenario:
    """A copy with whole sections replaced, validated in full.

    >>> s = loads('name="x"\\n[study_area]\\ncenter=[59.3,18.0]\\nradius_m=100\\n[network]\\npath="n"\\n'
    ...           '[[camera_types]]\\nname="a"\\nrange_m=1\\ncapex_sek=1\\n[optimization]\\nbudget_sek=5')
    >>> override(s, optimization=replace(s.optimization, budget_sek=7.0)).optimization.budget_sek
    7.0
    >>> override(s, demand=replace(s.demand, snap_distance_m=-5.0))
    Traceback (most recent call last):
    ...
    camsite.errors.ConfigError: demand.snap_distance_m: must be >= 0
    """
    return revalidate(replace(scenario, **sections))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` into ``base``: tables merge, everything else (arrays too) is replaced."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _parse(text: str, file: str | None, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=file) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        fail(f"expected a string (a scenario file to start from), got {parent!r}", file=file, key="extends")
    base_dir = Path(file).resolve().parent if file else Path.cwd()
    base = (base_dir / parent).resolve()
    if str(base) in seen:
        fail(f"{parent} extends itself (directly or through another file)", file=file, key="extends")
    if not base.is_file():
        fail(f"scenario file {parent} does not exist", file=file, key="extends")
    try:
        base_text = base.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{parent} is not UTF-8 text ({exc.reason} at byte {exc.start})", file=file, key="extends")
    base_data = _parse(base_text, str(base), (*seen, str(base)))
    base_data = _rebase_paths(base_data, base.parent, base_dir)
    return _merge(base_data, data)


#: Keys whose string value is a file path, relative to the scenario file (``districts`` only as a string:
#: ``[boundaries] districts``; ``study_area.districts`` is a list of names).
PATH_KEYS = ("path", "mounting_points", "open_areas", "buildings", "districts", "water", "entrances",
             "sensitive_places", "residential", "table")


def _rebase_paths(data: dict[str, Any], src: Path, dst: Path) -> dict[str, Any]:
    """Rewrite relative ``path`` values of an extended file so they stay right from ``dst``."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if k in PATH_KEYS and isinstance(v, str) \
                and not Path(v).is_absolute():
            out[k] = os.path.relpath(src / v, dst)
        else:
            out[k] = _rebase_value(v, src, dst)
    return out


def _rebase_value(value: object, src: Path, dst: Path) -> object:
    """:func:`_rebase_paths` on the tables inside ``value`` (a table, an array or a plain value)."""
    if isinstance(value, dict):
        return _rebase_paths(value, src, dst)
    if isinstance(value, list):
        return [_rebase_value(v, src, dst) for v in value]
    return value


def loads(text: str, *, file: str | None = None) -> Scenario:
    """Parse and validate a scenario from TOML text; ``file`` is named in errors.

    A scenario may start from another with ``extends = "other.toml"``: its
    tables are merged key by key, arrays and values are replaced.
    """
    data = _parse(text, file, (str(Path(file).resolve()),) if file else ())
    scenario = build(Scenario, data, file=file, key="")
    return replace(scenario, source_file=file)


def load(path: str | Path) -> Scenario:
    """Read and validate the scenario file at ``path``."""
    p = Path(path)
    if not p.exists():
        raise ConfigError("scenario file does not exist", file=p)
    if p.is_dir():
        raise ConfigError("is a directory, not a scenario file", file=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=p) from None
    return loads(text, file=str(p))
