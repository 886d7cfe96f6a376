"""CSV tables as planners export them: encodings, separators, decimal commas, spreadsheet row numbers."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from camsite.errors import InputError
from camsite.readers._columns import first_line, norm_column

logger = logging.getLogger(__name__)

__all__ = ["CSV_SUFFIXES", "check_path", "read_csv_frame"]

CSV_SUFFIXES = (".csv", ".txt", ".tsv")


def check_path(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` is an existing regular file."""
    if not path.exists():
        raise InputError("file does not exist", file=path)
    if path.is_dir():
        raise InputError("is a directory, not a point file (give the file inside it)", file=path)
    if not path.is_file():  # a device (/dev/zero), a pipe or a socket: reading it may never end
        raise InputError("is not a regular file", file=path)


#: A multi-byte UTF-8 sequence (an "ä" is C3 A4): evidence that a file was meant as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _encoding(data: bytes, path: Path | None = None) -> str:
    """The file's encoding, from evidence: UTF-16 by its BOM, UTF-8 if it decodes, else cp1252 or Latin-1.

    A file with valid multi-byte UTF-8 sequences *and* invalid bytes is an
    error naming the row: re-decoding it all as cp1252 would silently change
    every "ä" and with it the category names.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            row = data.count(b"\n", 0, exc.start) + 1
            raise InputError(f"the file is UTF-8 but byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8; "
                             "save the file again as UTF-8", file=path, where=f"row {row}") from None
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


@dataclass(frozen=True)
class _CsvDialect:
    sep: str
    decimal: str
    skiprows: int


def _dialect(text: str) -> _CsvDialect:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return _CsvDialect(",", ".", 0)
    skip = 0
    first = lines[0]
    m = re.fullmatch(r'"?sep=(.)"?', first.strip())
    if m:  # Excel's "sep=;" hint line
        sep, skip = m.group(1), 1
    else:
        header = re.sub(r'"[^"]*"', "", first)
        counts = {d: header.count(d) for d in (";", "\t", ",", "|")}
        sep = max(counts, key=lambda d: counts[d]) if max(counts.values()) > 0 else ","
    sample = "\n".join(lines[1 + skip:200])
    commas = len(re.findall(r"\d,\d", sample)) if sep != "," else 0
    decimal = "," if commas > len(re.findall(r"\d\.\d", sample)) else "."
    return _CsvDialect(sep, decimal, skip)


def read_csv_frame(path: Path, text_columns: Sequence[str] = ()) -> tuple[pd.DataFrame, np.ndarray]:
    """The CSV as a DataFrame (blank rows removed) and each row's spreadsheet row number.

    ``text_columns`` (matched case-insensitively) are read as text, so ids like ``007`` keep their zeros.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path) from None
    if not data[:65536].strip() and not data.strip():
        raise InputError("the file is empty", file=path)
    enc = _encoding(data, path)
    if enc not in ("utf-8-sig",):
        logger.info("%s is not UTF-8: read as %s", path.name, enc)
    head = data[:65536].decode(enc, errors="replace").lstrip("\ufeff")
    dia = _dialect(head)
    opts: dict[str, Any] = {"sep": dia.sep, "encoding": enc, "skiprows": dia.skiprows, "engine": "c",
                            "encoding_errors": "replace"}
    try:
        wanted = {norm_column(c) for c in text_columns if c}
        header = pd.read_csv(io.BytesIO(data), nrows=0, **opts).columns if wanted else []
        dtype = {c: object for c in header if norm_column(c) in wanted}
        df = pd.read_csv(io.BytesIO(data), decimal=dia.decimal, skip_blank_lines=False, low_memory=False,
                         dtype=dtype or None, **opts)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty (no header row)", file=path) from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise _ragged(path, dia, int(m.group(2)), int(m.group(3)), int(m.group(1))) from None
        raise InputError(f"cannot parse as CSV ({first_line(exc)})", file=path) from None
    except Exception as exc:  # the C parser raises several types on binary junk
        raise InputError(f"cannot parse as CSV ({type(exc).__name__}: {first_line(exc)})", file=path) from None
    if not isinstance(df.index, pd.RangeIndex):  # pandas used the extra leading fields as an index
        raise _ragged(path, dia, 2 + dia.skiprows, len(df.columns) + df.index.nlevels, len(df.columns))
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    rows = np.arange(len(df), dtype=np.int64) + 2 + dia.skiprows
    blank = df.isna().all(axis=1).to_numpy()
    if blank.any():
        df, rows = _integers_back(df.loc[~blank].reset_index(drop=True)), rows[~blank]
    logger.debug("%s: %d rows, separator %r, decimal %r, %s", path.name, len(df), dia.sep, dia.decimal, enc)
    return df, rows


def _ragged(path: Path, dia: _CsvDialect, row: int, fields: int, expected: int) -> InputError:
    hint = ("decimal commas in a comma-separated file? Quote the numbers or use ';' as separator"
            if dia.sep == "," else f"a stray '{dia.sep}' or a text containing '{dia.sep}' without quotes?")
    return InputError(f"has {fields} fields but the header has {expected} ({hint})", file=path, where=f"row {row}")


def _integers_back(df: pd.DataFrame) -> pd.DataFrame:
    """Integer columns that became float only because of blank rows, as integers again."""
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_float_dtype(col) and col.notna().all():
            v = col.to_numpy(float)
            if np.isfinite(v).all() and (v == np.round(v)).all() and (np.abs(v) < 2**53).all():
                df[c] = v.astype(np.int64)
    return df
