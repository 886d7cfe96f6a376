"""Tables a spreadsheet opens safely: text that would run as a formula is neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel and LibreOffice (CSV or formula injection, OWASP).
Street names, camera ids, category and area names and ``source`` strings come
from user files, so every table camsite writes passes through
:func:`safe_frame`: such text gets a leading apostrophe, the OWASP rule, which
a spreadsheet shows as text. Numbers are never changed.

>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-"), neutralise("Fleminggatan"), neutralise(-3.5)
('\\'=HYPERLINK("http://x")', "'-", 'Fleminggatan', -3.5)
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_STARTS", "control_note", "jsonable", "neutralise", "printable", "safe_frame", "write_csv",
           "write_text_atomic"]

#: First characters that make a spreadsheet cell a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: Control characters a spreadsheet cell cannot hold (XML 1.0 forbids them; tab, newline and CR are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def printable(value: Any) -> Any:
    """``value`` without control characters if it is text (a spreadsheet cannot hold them).

    >>> printable("våld\x07"), printable(3)
    ('våld', 3)
    """
    if isinstance(value, str) and _CONTROL.search(value):
        return _CONTROL.sub("", value)
    return value


def control_note(values: Iterable[Any], what: str) -> str | None:
    """One warning naming the texts among ``values`` that hold control characters (None: there are none).

    ``run`` logs it when it writes inventory.xlsx and ``validate`` reports it for each layer, in the same words.

    >>> control_note(["a", "b"], "category") is None
    True
    """
    bad = list(dict.fromkeys(v for v in values if isinstance(v, str) and _CONTROL.search(v)))
    if not bad:
        return None
    shown = ", ".join(repr(v) for v in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
    verb, it = ("holds", "it") if len(bad) == 1 else ("hold", "them")
    return f"{what} {shown} {verb} control characters (invisible bytes); inventory.xlsx shows {it} without them"


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are :func:`neutralise`-d (numeric columns are left as they are)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(neutralise)
    return out


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file renamed into place.

    A reader (or a crash) never sees half a file, and an existing file is
    replaced only by a complete one.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def current_umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` as a formula-safe UTF-8 CSV (:func:`safe_frame`), atomically, rows ending in ``\\n``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     print(write_csv(pd.DataFrame({"street": ["=1+1"], "n": [-2]}), Path(d) / "t.csv").read_text())
    street,n
    '=1+1,-2
    <BLANKLINE>
    """
    return write_text_atomic(path, safe_frame(df).to_csv(index=False, lineterminator="\n"))


def jsonable(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN/inf to None, recursively.

    >>> jsonable({"a": np.float64(1.5), "b": [np.int64(2), float("nan")]})
    {'a': 1.5, 'b': [2, None]}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value
