"""Build frozen dataclasses from parsed TOML, with errors that name the key.

A tiny, dependency-free validator: each section of a scenario is a frozen
dataclass whose type hints are the schema.  :func:`build` checks unknown keys,
missing keys and types, converts lists to tuples, and calls the dataclass's
``validate()`` method (if any) for value checks.  Errors are
:class:`camsite.errors.ConfigError` naming the file and the dotted key.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Cam:
...     name: str
...     range_m: float = 50.0
>>> build(Cam, {"name": "ptz", "range_m": 80}, file="s.toml", key="camera_types[0]")
Cam(name='ptz', range_m=80.0)
>>> build(Cam, {"name": "ptz", "rnage_m": 80}, file="s.toml", key="camera_types[0]")
Traceback (most recent call last):
...
camsite.errors.ConfigError: s.toml: camera_types[0].rnage_m: unknown key (allowed: name, range_m)
"""

from __future__ import annotations

import collections.abc
import dataclasses
import math
import types
import typing
from typing import TYPE_CHECKING, Any, TypeVar, Union, get_args, get_origin, get_type_hints

from camsite.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

#: Origins of the type hints read as a TOML table: ``dict[K, V]`` and ``Mapping[K, V]``.
_TABLE_ORIGINS = (dict, collections.abc.Mapping)

__all__ = ["build", "fail"]


def fail(message: str, *, file: str | None, key: str) -> typing.NoReturn:
    """Raise a :class:`ConfigError` for ``key`` in ``file``."""
    raise ConfigError(message, file=file, where=key or None)


def _join(key: str, sub: str | int) -> str:
    if isinstance(sub, int):
        return f"{key}[{sub}]"
    return f"{key}.{sub}" if key else sub


def _type_name(tp: Any) -> str:
    names = {str: "a string", float: "a number", int: "an integer", bool: "true or false"}
    if tp in names:
        return names[tp]
    origin = get_origin(tp)
    if origin in (tuple, list):
        return "a list"
    if origin in _TABLE_ORIGINS:
        return "a table"
    if dataclasses.is_dataclass(tp):
        return "a table"
    return getattr(tp, "__name__", str(tp))


def _convert(tp: Any, value: Any, *, file: str | None, key: str) -> Any:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if len(options) == 1:
            # ``X | None``: X's own error (an unknown key, a failed check) says more than "expected X".
            return _convert(options[0], value, file=file, key=key)
        for arg in options:
            try:
                return _convert(arg, value, file=file, key=key)
            except ConfigError:
                pass
        fail(f"expected {' or '.join(_type_name(a) for a in options)}, got {value!r}", file=file, key=key)
    if tp is Any:
        return value
    if tp is bool:
        if not isinstance(value, bool):
            fail(f"expected true or false, got {value!r}", file=file, key=key)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            fail(f"expected an integer, got {value!r}", file=file, key=key)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(f"expected a number, got {value!r}", file=file, key=key)
        if not math.isfinite(value):
            fail(f"expected a finite number, got {value!r}", file=file, key=key)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            fail(f"expected a string, got {value!r}", file=file, key=key)
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            fail(f"expected a list, got {value!r}", file=file, key=key)
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, file=file, key=_join(key, i)) for i, v in enumerate(value))
        if len(args) != len(value):
            fail(f"expected a list of {len(args)} values, got {len(value)}", file=file, key=key)
        return tuple(_convert(a, v, file=file, key=_join(key, i)) for i, (a, v) in enumerate(zip(args, value)))
    if origin in _TABLE_ORIGINS:
        if not isinstance(value, dict):
            fail(f"expected a table, got {value!r}", file=file, key=key)
        ktp, vtp = get_args(tp)
        return types.MappingProxyType(
            {_convert(ktp, k, file=file, key=key): _convert(vtp, v, file=file, key=_join(key, k)) for k, v in value.items()}
        )
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return build(tp, value, file=file, key=key)
    raise TypeError(f"unsupported schema type {tp!r} at {key}")  # pragma: no cover - programming error


def build(cls: type[T], data: Any, *, file: str | None = None, key: str = "") -> T:
    """Build dataclass ``cls`` from the mapping ``data``, validating as it goes.

    Parameters
    ----------
    cls
        A (frozen) dataclass type whose type hints describe the schema.
    data
        The parsed TOML table.
    file
        The scenario file, named in error messages.
    key
        The dotted key of this table, named in error messages.

    Returns
    -------
    An instance of ``cls``. Its ``validate()`` method, if it has one, has been
    called with ``file`` and ``key``.
    """
    if not isinstance(data, dict):
        fail(f"expected a table, got {data!r}", file=file, key=key)
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.metadata.get("toml", True)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        fail(f"unknown key (allowed: {', '.join(fields)})", file=file, key=_join(key, unknown[0]))
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            kwargs[name] = _convert(hints[name], data[name], file=file, key=_join(key, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            fail("required key is missing", file=file, key=_join(key, name))
    obj = cls(**kwargs)
    validate = getattr(obj, "validate", None)
    if callable(validate):
        validate(file=file, key=key)
    return obj
