"""Reading book files: CSV in the encodings and dialects real systems export, and Parquet.

A CSV file is read as text cells -- only an empty cell is missing -- so that the build
step can reject or blank unreadable values instead of guessing. Its encoding is
detected (UTF-8 with or without BOM, UTF-16 with BOM, else GB18030, the superset of
the GBK that Excel on a Chinese Windows saves) unless named with ``encoding=``; its
delimiter (comma, semicolon, tab or ``|``) is sniffed from the first lines. A row
with more or fewer fields than the header is an error that names the line, never a
silent shift of values into the wrong columns.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from famgraph.errors import DataError
from famgraph.schema import TABLES

__all__ = ["FILE_SUFFIXES", "book_files", "check_encoding", "find_tables", "read_table"]

#: File names famgraph looks for, per table, in this order.
FILE_SUFFIXES = (".csv", ".parquet", ".pq", ".csv.gz", ".tsv", ".txt")
_DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 24
_SNIFF_BYTES = 1 << 16
# what Excel / Windows call GBK: decode with the GB18030 superset, which reads every GBK file
_GB_ALIASES = {"gbk", "gb2312", "cp936", "ms936", "gb18030", "euc_cn", "hz"}


def check_encoding(encoding: Any, func: str) -> str | None:
    """The codec name of ``encoding`` (``None`` = detect), or a :class:`DataError`.

    Examples
    --------
    >>> check_encoding("GBK", "build"), check_encoding(None, "build")
    ('gb18030', None)
    """
    if encoding is None:
        return None
    name = None
    if isinstance(encoding, str):
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            name = None
    if name is None:
        raise DataError(
            f"The `encoding` parameter of `{func}` must be a text encoding such as 'utf-8' "
            f"or 'gbk', or None to detect it; got {encoding!r}."
        )
    return "gb18030" if name.replace("-", "_") in _GB_ALIASES else name


def _cannot(table: str, p: Path, why: str) -> DataError:
    return DataError(f"Cannot read the {table} table from {str(p)!r}: {why}", table=table)


# ---------------------------------------------------------------------------------
# encodings
# ---------------------------------------------------------------------------------
def _first_error(raw: bytes, encoding: str) -> int | None:
    """Byte offset of the first undecodable byte, or ``None`` (decodes in chunks)."""
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    for start in range(0, max(len(raw), 1), _CHUNK):
        chunk = raw[start : start + _CHUNK]
        try:
            dec.decode(chunk, final=start + _CHUNK >= len(raw))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _utf8(raw: bytes, encoding: str | None, table: str, p: Path) -> tuple[bytes, str]:
    """The file's bytes as UTF-8 (BOM removed), and the encoding they were read with.

    UTF-8 is checked in chunks without a copy; any other encoding is decoded once.
    """
    if encoding is None:
        if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
            encoding = "utf-16"
        elif _first_error(raw, "utf-8") is None:
            return raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw, (
                "utf-8"
            )
        else:
            try:
                return raw.decode("gb18030").encode("utf-8"), "gb18030"
            except UnicodeDecodeError:
                at = _first_error(raw, "utf-8") or 0
                raise _cannot(
                    table,
                    p,
                    f"it is neither UTF-8 nor GB18030/GBK (first undecodable byte on line "
                    f"{_line_of(raw, at)}). Name its encoding, e.g. encoding='big5' "
                    "(--encoding on the command line), or save it as UTF-8 CSV.",
                ) from None
    if encoding in ("utf-8", "utf_8") and _first_error(raw, "utf-8") is None:
        return raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw, encoding
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = (
            " It looks like UTF-8: leave encoding unset to detect it."
            if _first_error(raw, "utf-8") is None
            else ""
        )
        raise _cannot(
            table,
            p,
            f"it is not valid {encoding} (first undecodable byte on line "
            f"{_line_of(raw, exc.start)}).{hint} Name the right encoding with encoding=... "
            "(--encoding), or save it as UTF-8 CSV.",
        ) from None
    return text.lstrip("\ufeff").encode("utf-8"), encoding


# ---------------------------------------------------------------------------------
# dialect and header
# ---------------------------------------------------------------------------------
def _sniff(sample: str, truncated: bool) -> tuple[str, list[str], int]:
    """``(delimiter, header names, physical lines of the header)`` from the file's start.

    The delimiter is the candidate that splits the header into the most fields while
    giving every sampled row the same number of fields (ties: comma, semicolon, tab,
    ``|``); a file with one column reads with a comma.
    """
    best_key: tuple[bool, int, int] | None = None
    delim = ","
    for rank, d in enumerate(_DELIMITERS):
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=d))
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        rows = [r for r in rows if r]
        if not rows or len(rows[0]) < 2:
            continue
        key = (len({len(r) for r in rows}) == 1, len(rows[0]), -rank)
        if best_key is None or key > best_key:
            best_key, delim = key, d
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delim)
    header = next(reader, [])
    return delim, header, reader.line_num


def _ragged(data: bytes, bad: dict[str, Any], table: str, p: Path, delim: str) -> DataError:
    text = bad.get("text")
    line = None
    if isinstance(text, str) and text:
        at = data.find(text.encode("utf-8"))
        if at >= 0:
            line = _line_of(data, at)
    where = f"line {line}" if line is not None else "a row"
    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "|"}[delim]
    return _cannot(
        table,
        p,
        f"{where} has {bad.get('actual')} fields but the header has {bad.get('expected')} "
        f"(delimiter read as {shown}). Quote cells that contain the delimiter, or fix the "
        "row; famgraph does not shift values into other columns.",
    )


def _read_csv(p: Path, table: str, encoding: str | None) -> pd.DataFrame:
    try:
        raw = gzip.decompress(p.read_bytes()) if p.name.lower().endswith(".gz") else p.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise _cannot(table, p, f"{type(exc).__name__}. Check that the file is readable.") from None
    data, _ = _utf8(raw, encoding, table, p)
    head = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    if not head.strip():
        raise _cannot(table, p, "the file is empty. Give a header row with the column names.")
    delim, names, header_lines = _sniff(head, truncated=len(data) > _SNIFF_BYTES)
    names = [n.strip() for n in names]
    cols = [f"c{i}" for i in range(len(names))]
    bad: dict[str, Any] = {}

    def on_invalid(row: Any) -> str:
        if not bad:
            bad.update(expected=row.expected_columns, actual=row.actual_columns, text=row.text)
        return "error"

    try:
        tbl = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=header_lines),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.large_string() for c in cols},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
                check_utf8=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        if bad:
            raise _ragged(data, bad, table, p, delim) from None
        raise _cannot(
            table, p, f"not a CSV file famgraph can parse ({type(exc).__name__})."
        ) from None
    # one chunk per column: later Arrow kernels (lookups, hashing) then run in one pass
    df = tbl.combine_chunks().to_pandas()
    df.columns = names
    # an unnamed column (e.g. from a delimiter at the end of every line): dropped when
    # empty, else named after its position
    unnamed = [i for i, n in enumerate(names) if n == ""]
    if unnamed:
        empty = [i for i in unnamed if df.iloc[:, i].isna().all()]
        keep = [i for i in range(len(names)) if i not in empty]
        df = df.iloc[:, keep]
        df.columns = [n or f"column_{i + 1}" for i, n in zip(keep, df.columns, strict=True)]
    return df


def read_table(
    path: str | os.PathLike[str], table: str = "table", *, encoding: str | None = None
) -> pd.DataFrame:
    """Read one CSV or Parquet file: CSV cells as text, Parquet columns as stored.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` (also ``.csv.gz``, ``.tsv``, ``.txt``) or ``.parquet`` / ``.pq`` file.
    table : str
        The table's name, for messages.
    encoding : str, optional
        The CSV file's text encoding (e.g. ``"gbk"``); default: detected -- UTF-8
        with or without BOM, UTF-16 with BOM, else GB18030 (which reads GBK).

    Returns
    -------
    pandas.DataFrame
        CSV: every column "str", only an empty cell missing, header names trimmed.

    Raises
    ------
    DataError
        When the file does not exist or cannot be read: undecodable text, a row
        with more or fewer fields than the header, not Parquet. The message names
        the path and the line, never cell values.

    Notes
    -----
    CSV parsing is Arrow's multi-threaded reader; encoding detection decodes the
    file once more in 16 MB chunks. Cost O(file size).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> _ = f.write_bytes("person_id;name;is_customer\\nP1;王伟;是\\n".encode("gbk"))
    >>> read_table(f, "people")
      person_id name is_customer
    0        P1   王伟           是
    """
    spec = check_encoding(encoding, "read_table")
    p = Path(path)
    if not p.is_file():
        raise DataError(
            f"Cannot read the {table} table: no file at {str(p)!r}. Check the path; "
            "famgraph reads .csv (UTF-8 or GBK) and .parquet files.",
            table=table,
        )
    if p.suffix.lower() in (".parquet", ".pq"):
        try:
            return pd.read_parquet(p)
        except (OSError, ValueError, TypeError, pa.ArrowException) as exc:
            raise _cannot(
                table, p, f"not a readable Parquet file ({type(exc).__name__})."
            ) from None
    return _read_csv(p, table, spec)


def find_tables(folder: Path, suffixes: tuple[str, ...] = FILE_SUFFIXES) -> dict[str, Path | None]:
    """The file of each table in ``folder`` (names case-insensitive: People.CSV is found)."""
    by_name: dict[str, list[Path]] = {}
    for entry in folder.iterdir():
        if entry.is_file():
            by_name.setdefault(entry.name.lower(), []).append(entry)
    found: dict[str, Path | None] = {}
    for name in TABLES:
        found[name] = None
        for suffix in suffixes:
            hits = by_name.get(f"{name}{suffix}", [])
            if len(hits) > 1:
                raise DataError(
                    f"Several files in {str(folder)!r} could be the {name} table: "
                    f"{sorted(h.name for h in hits)}. Keep one.",
                    table=name,
                )
            if hits:
                found[name] = hits[0]
                break
    return found


def book_files(
    path: str | os.PathLike[str], builder: str, suffixes: tuple[str, ...] = FILE_SUFFIXES
) -> dict[str, Path | None]:
    """The table files of the book in folder ``path``, for ``read_dir`` of either engine.

    A missing folder, an unlistable one or one without a people file is a
    :class:`DataError` saying what to do; ``builder`` names the function that takes
    the tables as frames instead (``famgraph.build``, ``famgraph.spark.build``).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(
            f"No folder at {str(folder)!r}. Give a folder holding people.csv (or .parquet) "
            "and optionally relations, referrals and holdings files."
        )
    try:
        found = find_tables(folder, suffixes)
        present = sorted(p.name for p in folder.iterdir())[:20]
    except OSError as exc:
        raise DataError(f"Cannot list the folder {str(folder)!r} ({exc.strerror}).") from None
    if found["people"] is None:
        raise DataError(
            f"No people table in {str(folder)!r} (looked for people.csv, people.parquet); "
            f"files there: {present}. Add one, or call {builder} with DataFrames.",
            table="people",
        )
    return found
