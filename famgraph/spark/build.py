"""Tables in -> one validated :class:`~famgraph.spark.SparkGraph`, on Spark.

The same rules as :func:`famgraph.build` (docs/metrics.md sections 1-3): every input row
ends kept, merged (a duplicate of a kept row) or rejected with the first reason in
precedence order, and the accounting is the same. Each table's rows carry one
*ledger* cell, ``(rank, column, detail)`` of the reason that currently wins; a
check replaces it only with a reason of higher precedence, exactly like the
in-memory engine's ledger. Nothing is collected to the driver: the steps are joins,
window functions and a few pointer-jumping rounds (referral cycles); what reaches the
driver is a count per partition or per table.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from famgraph.errors import DataError
from famgraph.ingest.read import book_files
from famgraph.ingest.tables import mapping_for
from famgraph.schema import (
    DIRECTED_KINDS,
    FAMILY_KINDS,
    REASONS,
    RELATION_SYNONYMS,
    ROLES,
    SELF_LABELS,
    SOURCE_POLICY,
    SOURCE_RELATIONS,
    TABLES,
    Table,
)
from famgraph.spark._frames import arrow_udfs, c, materialize, number_rows, prefix, release
from famgraph.spark._ledger import (
    ISS,
    ISS_TYPE,
    MERGED,
    ORD,
    RANK,
    ROW,
    WHY,
    WHY_TYPE,
    Ledger,
    add_issues,
    entries_of,
    is_open,
    issue,
    quoted,
)
from famgraph.spark._parse import date_from_text, parse, text, why

if TYPE_CHECKING:
    import pyarrow as pa

    from famgraph.spark.graph import SparkGraph

__all__ = ["build", "read_dir", "read_table"]

log = logging.getLogger("famgraph")

TableInput = DataFrame | str | os.PathLike[str] | None

PAYER_GIVEN = prefix("payer_given")  # holdings payer_id as written (before blanking)
PAYER_KIND = prefix("payer_kind")  # holdings payer_relation kind as written, "self", or null
#: ``ORD`` of the relation facts policies state: after every declared row
POLICY_ORD = 1 << 48
_TEMPORAL = (T.TimestampType, T.TimestampNTZType, T.DateType)
_FILE_SUFFIXES = (".csv", ".parquet", ".pq", ".csv.gz")


# ---------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------
def read_table(
    spark: SparkSession, path: str | os.PathLike[str], table: str = "table"
) -> DataFrame:
    """Read one CSV (UTF-8, header row) or Parquet file as a Spark DataFrame.

    CSV cells are read as text (only an empty cell is missing), quoted cells may
    span lines, and a doubled quote is a quote -- the dialect pandas writes -- so
    that :func:`build` can reject unreadable values instead of guessing. A path with
    a scheme (``hdfs://``, ``s3a://``, ``file://``) goes to Spark as it is; a plain
    path is a local file.

    Raises
    ------
    DataError
        When the file does not exist or cannot be read; the message names the path.
    """
    p = Path(path)
    remote = "://" in str(path)
    if not remote and not p.is_file():
        raise DataError(
            f"Cannot read the {table} table: no file at {str(p)!r}. Check the path; "
            "famgraph reads .csv (UTF-8) and .parquet files.",
            table=table,
        )
    try:
        target = str(path) if remote else str(p.resolve())
        if p.suffix.lower() in (".parquet", ".pq"):
            return spark.read.parquet(target)
        df = spark.read.csv(
            target,
            header=True,
            inferSchema=False,
            multiLine=True,
            escape='"',
            encoding="UTF-8",
            mode="FAILFAST",
        )
        # a UTF-8 byte order mark sticks to the first header name
        return df.toDF(*[str(n).lstrip("\ufeff") for n in df.columns])
    except Exception as exc:  # Spark raises its own analysis / IO error types
        raise DataError(
            f"Cannot read the {table} table from {str(p)!r}: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200]}. Save it as UTF-8 CSV with a header row, or "
            "as Parquet.",
            table=table,
        ) from None


def read_dir(
    spark: SparkSession,
    path: str | os.PathLike[str],
    *,
    as_of: Any = None,
    columns: Mapping[str, Any] | None = None,
) -> SparkGraph:
    """Build a :class:`SparkGraph` from a folder of ``people``, ``relations``, ``referrals``,
    ``holdings`` files (``.csv`` or ``.parquet``; only ``people`` is required).

    Parameters
    ----------
    spark : SparkSession
    path : str or path-like
        The folder.
    as_of, columns
        Passed to :func:`build`.

    Returns
    -------
    SparkGraph

    Raises
    ------
    DataError
        When the folder or its people file is missing, or a file cannot be read.

    Examples
    --------
    >>> import tempfile, famgraph as fg, famgraph.spark as fgs
    >>> spark = fgs.local_session()
    >>> d = tempfile.mkdtemp()
    >>> fg.datasets.write_sample(d)
    >>> sg = fgs.read_dir(spark, d)
    >>> sg.people.count() == fg.datasets.sample().n_people
    True
    """
    found = book_files(path, "famgraph.spark.build", _FILE_SUFFIXES)
    return build(
        spark,
        found["people"],
        found["relations"],
        found["referrals"],
        found["holdings"],
        as_of=as_of,
        columns=columns,
    )


def _load(spark: SparkSession, name: str, src: TableInput) -> tuple[DataFrame, bool]:
    """The raw frame and whether it came from a CSV file (empty text means missing)."""
    if src is None:
        schema = T.StructType([T.StructField(n, T.StringType()) for n in TABLES[name].required])
        return spark.createDataFrame([], schema), False
    if isinstance(src, DataFrame):
        return src, False
    if isinstance(src, (str, os.PathLike)):
        return read_table(spark, src, name), Path(src).suffix.lower() not in (".parquet", ".pq")
    raise DataError(
        f"The {name} table must be a Spark DataFrame or a path to a .csv/.parquet file; "
        f"got {type(src).__name__}.",
        table=name,
    )


# ---------------------------------------------------------------------------------
# preparing the tables: headers, typed columns, reasons
# ---------------------------------------------------------------------------------
def _integral_floats(df: DataFrame, names: list[str]) -> dict[str, bool]:
    """For float columns read as text: are all their finite values whole (one small job)?"""
    if not names:
        return {}
    aggs = []
    for i, n in enumerate(names):
        v = c(n).cast("double")
        frac = v.isNotNull() & ~F.isnan(v) & (F.abs(v) != float("inf")) & (v != F.floor(v))
        aggs.append(F.max(frac.cast("int")).alias(f"f{i}"))
    row = df.agg(*aggs).collect()[0]
    return {n: not row[f"f{i}"] for i, n in enumerate(names)}


def _header_names(columns: list[str], spec: Table, mapping: dict[str, str]) -> list[str]:
    """Column names after ``columns=``; ``" Person_ID "`` is read as ``person_id``."""
    out = []
    for n in map(str, columns):
        name = mapping.get(n, mapping.get(n.strip(), n))
        if name not in spec.names:
            key = re.sub(r"[\s\-]+", "_", name.strip()).lower()
            name = key if key in spec.names else name.strip()
        out.append(name)
    return out


def _prepare(
    spec: Table, raw: DataFrame, mapping: dict[str, str], csv: bool, led: Ledger
) -> DataFrame:
    """Rename, check required columns, number the rows and parse every canonical column.

    Returns the frame ``ROW, <canonical columns parsed>, <extra columns>, WHY, MERGED``.
    """
    names = _header_names(raw.columns, spec, mapping)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataError(
            f"The {spec.name} table has the column(s) {dup} more than once (after the "
            "`columns` mapping). Rename or drop one of them.",
            table=spec.name,
            column=dup[0],
        )
    missing = [n for n in spec.required if n not in names]
    if missing:
        raise DataError(
            f"The {spec.name} table has no {missing[0]!r} column (required: "
            f"{list(spec.required)}); columns present: {names}. Rename the column "
            "in the file, or map it with build(..., columns={'your_name': "
            f"'{missing[0]}'}}).",
            table=spec.name,
            column=missing[0],
        )
    df = raw.toDF(*names)
    df = number_rows(df, ROW)
    types = {f.name: f.dataType for f in df.schema.fields}
    floats_as_text = [
        n
        for n in spec.names
        if n in types
        and spec.kind(n) != "float"
        and isinstance(types[n], T.DoubleType | T.FloatType)
    ]
    integral = _integral_floats(df, floats_as_text)
    extras = [n for n in names if n not in spec.names]
    # dates written as text: parsed in a projection of their own (see parse's `parsed`)
    parsed: dict[str, Column] = {}
    for col in spec.columns:
        dtype = types.get(col.name)
        if col.kind != "date" or dtype is None or isinstance(dtype, _TEMPORAL):
            continue
        name = prefix("date_" + col.name)
        t = text(c(col.name), dtype, integral=integral.get(col.name, False))
        df = df.withColumn(name, date_from_text(t))
        parsed[col.name] = F.col(name)
    cols: list[Column] = [F.col(ROW)]
    cands: list[Column] = []
    issues: list[Column] = []
    for col in spec.columns:
        if col.name not in types:
            cols.append(_empty(col.kind).alias(col.name))
            continue
        value, miss, bad = parse(
            c(col.name),
            types[col.name],
            col.kind,
            integral=integral.get(col.name, False),
            open_ended_after=col.name == "expires_at",
            parsed=parsed.get(col.name),
        )
        if col.required:
            cands.append(led.cand("missing_value", miss, col.name, f"{col.name} is empty"))
        if col.kind != "str":
            what = why(col.kind, types[col.name])
            detail = quoted(f"{col.name}: cannot read ", c(col.name), f" as {what}")
            if col.blank:
                issues.append(issue(bad, col.name, "bad_type", detail))
            else:
                cands.append(led.cand("bad_type", bad, col.name, detail))
        cols.append(value.alias(col.name))
    for extra in extras:
        x = c(extra)
        if csv and isinstance(types[extra], T.StringType):
            x = F.when(x != F.lit(""), x)  # pandas reads an empty (even quoted) cell as missing
        cols.append(x.alias(extra))
    first = F.array_min(F.array(F.lit(None).cast(WHY_TYPE), *cands))
    return df.select(
        *cols, first.alias(WHY), F.lit(False).alias(MERGED), entries_of(*issues).alias(ISS)
    )


def _empty(kind: str) -> Column:
    if kind == "bool":
        return F.lit(True)
    spark_type = {
        "str": "string",
        "date": "timestamp_ntz",
        "float": "double",
        "int": "long",
    }[kind]
    return F.lit(None).cast(spark_type)


def _data_columns(df: DataFrame) -> list[str]:
    """Canonical and extra columns (no bookkeeping columns)."""
    return [n for n in df.columns if not n.startswith(prefix(""))]


def _same_row(cols: list[str], first: str) -> Column:
    """Every data column equals (null-safe) the same field of the struct column ``first``."""
    out: Column = F.lit(True)
    for i, n in enumerate(cols):
        out = out & c(n).eqNullSafe(F.col(first).getField(f"f{i}"))
    return out


def _row_struct(cols: list[str]) -> Column:
    return F.struct(*[c(n).alias(f"f{i}") for i, n in enumerate(cols)])


def _dedupe_key(df: DataFrame, key: str, led: Ledger) -> DataFrame:
    """Same key: identical rows merge into the first, later different ones are ``duplicate_id``."""
    cols = _data_columns(df)
    ok = df.filter(is_open())
    rest = df.filter(~is_open())
    w = Window.partitionBy(c(key)).orderBy(ROW)
    first = prefix("first")
    ok = ok.withColumn(first, F.first(_row_struct(cols)).over(w)).withColumn(
        prefix("rn"), F.row_number().over(w)
    )
    later = F.col(prefix("rn")) > 1
    same = _same_row(cols, first)
    detail = quoted(f"{key} ", c(key), " already given by an earlier row with other values")
    ok = led.update(
        ok.withColumn(MERGED, later & same),
        led.cand("duplicate_id", later & ~same, key, detail),
    )
    return ok.drop(first, prefix("rn")).unionByName(rest)


# ---------------------------------------------------------------------------------
# the four tables
# ---------------------------------------------------------------------------------
def _people(raw: DataFrame, mapping: dict[str, str], csv: bool) -> DataFrame:
    led = Ledger()
    df = _prepare(TABLES["people"], raw, mapping, csv, led)
    neg = F.coalesce(F.col("annual_income") < 0, F.lit(False))
    df = add_issues(
        df, issue(neg, "annual_income", "negative_amount", "annual_income is negative")
    ).withColumn("annual_income", F.when(~neg, F.col("annual_income")))
    role = F.lower(F.col("role"))
    bad_role = role.isNotNull() & ~role.isin(*ROLES)
    detail = quoted("role: ", F.col("role"), f" is not one of {list(ROLES)}")
    df = led.update(df, led.cand("bad_type", bad_role, "role", detail))
    df = df.withColumn("role", F.when(~bad_role, role))
    return materialize(_dedupe_key(df, "person_id", led))


def _known(df: DataFrame, column: str, ids: DataFrame, flag: str) -> DataFrame:
    """Add ``flag``: the row's ``column`` names a kept person (a left join on the ids).

    ``ids`` is ``person_id, gone``: the kept ids (``gone`` null), then ids with no kept
    row whose first rejected people row ``gone`` explains ``unknown_person``. ``flag``
    is true for kept ids, false otherwise; ``flag + "_gone"`` holds ``gone``.
    """
    k = prefix("k")
    found = ids.select(
        F.col("person_id").alias(k),
        F.col("gone").isNull().alias(flag),
        F.col("gone").alias(flag + "_gone"),
    )
    return df.join(found, c(column) == F.col(k), "left").drop(k).fillna(False, subset=[flag])


def _unknown_detail(col: str, value: Column, gone: Column) -> Column:
    """The in-memory engine's detail: "is not in people", or which people row was rejected."""
    shown = F.coalesce(F.substring(value.cast("string"), 1, 40), F.lit(""))
    base = F.concat(F.lit(f"{col} '"), shown, F.lit("'"))
    reasons = F.array(*[F.lit(r) for r in REASONS])
    why_gone = F.concat(
        base,
        F.lit(" is not kept in people: its people row "),
        gone.getField("row").cast("string"),
        F.lit(" was rejected ("),
        reasons[gone.getField("rank")],
        F.lit(")"),
    )
    return F.when(gone.isNotNull(), why_gone).otherwise(F.concat(base, F.lit(" is not in people")))


def _unknown_persons(
    df: DataFrame, columns: tuple[str, ...], ids: DataFrame, led: Ledger
) -> DataFrame:
    """``unknown_person`` for rows naming an id (not empty) that is not a kept person."""
    cands = []
    flags = []
    for col in columns:
        flag = prefix("has_" + col)
        df = _known(df, col, ids, flag)
        detail = _unknown_detail(col, c(col), F.col(flag + "_gone"))
        cands.append(led.cand("unknown_person", c(col).isNotNull() & ~F.col(flag), col, detail))
        flags += [flag, flag + "_gone"]
    return led.update(df, *cands).drop(*flags)


def _person_ids(p_led: DataFrame) -> DataFrame:
    """``person_id, gone``: kept ids, and ids of rejected people rows never kept.

    ``gone`` (``struct(row, rank)`` of the id's first rejected row) lets
    ``unknown_person`` say which people row was rejected and why.
    """
    kept = p_led.filter(is_open()).select("person_id").distinct()
    rej = p_led.filter(F.col(WHY).isNotNull() & F.col("person_id").isNotNull())
    first = rej.groupBy("person_id").agg(
        F.min(F.struct(F.col(ROW).alias("row"), F.col(WHY).getField("rank").alias("rank"))).alias(
            "gone"
        )
    )
    gone = first.join(kept, "person_id", "left_anti")
    return materialize(
        kept.select(
            "person_id", F.lit(None).cast(first.schema["gone"].dataType).alias("gone")
        ).unionByName(gone)
    )


def _orient(df: DataFrame, a: str, b: str) -> DataFrame:
    """Add ``src, dst, kind`` (canonical) for the fact "b is a's <kind as written>".

    The kind as written is in ``prefix("kind")``; ``child`` / ``grandchild`` point
    from the elder generation to the younger, undirected kinds from the smaller id.
    """
    k = F.col(prefix("kind"))
    rev = k.isin(*DIRECTED_KINDS)
    directed = k.isin("child", "grandchild", *DIRECTED_KINDS)
    swap = F.when(directed, rev).otherwise(F.col(a) > F.col(b))
    canon = k
    for before, after in DIRECTED_KINDS.items():
        canon = F.when(k == before, F.lit(after)).otherwise(canon)
    return (
        df.withColumn(prefix("src"), F.when(swap, F.col(b)).otherwise(F.col(a)))
        .withColumn(prefix("dst"), F.when(swap, F.col(a)).otherwise(F.col(b)))
        .withColumn(prefix("kind"), canon)
    )


def _relations(raw: DataFrame, csv: bool, mapping: dict[str, str], ids: DataFrame) -> DataFrame:
    """Declared relation rows, checked and oriented (conflicts, repeats: :func:`_resolve`)."""
    led = Ledger()
    df = _prepare(TABLES["relations"], raw, mapping, csv, led)
    vocab = F.create_map(*[F.lit(x) for kv in RELATION_SYNONYMS.items() for x in kv])
    label = F.lower(F.col("relation"))
    kind = vocab[label]
    detail = quoted("relation ", F.col("relation"), " is not in the vocabulary (docs/input.md)")
    same = F.coalesce(F.col("person_id") == F.col("relative_id"), F.lit(False))
    df = led.update(
        df,
        led.cand("unknown_relation", label.isNotNull() & kind.isNull(), "relation", detail),
        led.cand(
            "self_relation", same, "relative_id", "person_id and relative_id are the same person"
        ),
    ).withColumn(prefix("kind"), kind)
    df = _unknown_persons(df, ("person_id", "relative_id"), ids, led)
    ended = F.coalesce(F.col("until") <= F.col("since"), F.lit(False))
    df = add_issues(df, issue(ended, "until", "bad_type", "until is not after since"))
    df = df.withColumn("until", F.when(~ended, F.col("until"))).withColumn(
        "source", F.coalesce(F.col("source"), F.lit(SOURCE_RELATIONS))
    )
    return materialize(_orient(df, "person_id", "relative_id"))


def _policy_rows(holdings: DataFrame, ids: DataFrame) -> DataFrame:
    """The ``policy_relations`` ledger: one row per kept holding whose payer_relation
    states a fact (a relation kind, not self), numbered by its holdings row."""
    led = Ledger()
    cand = holdings.filter(
        is_open() & F.col(PAYER_KIND).isNotNull() & (F.col(PAYER_KIND) != "self")
    )
    df = cand.select(
        F.col(ROW),
        F.col(PAYER_GIVEN).alias("payer_id"),
        F.col("person_id"),
        F.col(PAYER_KIND).alias(prefix("kind")),
        F.lit(None).cast(WHY_TYPE).alias(WHY),
        F.lit(False).alias(MERGED),
        F.array().cast(ISS_TYPE).alias(ISS),
    )
    same = F.coalesce(F.col("payer_id") == F.col("person_id"), F.lit(False))
    df = led.update(
        df,
        led.cand(
            "missing_value",
            F.col("payer_id").isNull(),
            "payer_id",
            "payer_relation is given but payer_id is empty",
        ),
        led.cand(
            "self_relation",
            same,
            "payer_id",
            "payer_id is the insured person but payer_relation is not self",
        ),
    )
    df = _unknown_persons(df, ("payer_id",), ids, led)
    return materialize(_orient(df, "payer_id", "person_id"))


def _resolve(declared: DataFrame, policy: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Family conflicts and repeated facts over the declared and the policy facts together.

    A pair of persons with two or more different family facts: every family row of
    the pair (either source) is ``conflicting_relation``; the same fact again merges
    into the first -- declared rows first, then policies in holdings order.
    """
    src, dst, kind, part = prefix("src"), prefix("dst"), prefix("kind"), prefix("part")
    facts = (
        declared.filter(is_open())
        .select(F.lit(0).alias(part), ROW, src, dst, kind)
        .unionByName(policy.filter(is_open()).select(F.lit(1).alias(part), ROW, src, dst, kind))
    )
    lo, hi = F.least(F.col(src), F.col(dst)), F.greatest(F.col(src), F.col(dst))
    fam = facts.filter(F.col(kind).isin(*FAMILY_KINDS))
    conflicts = (
        fam.select(lo.alias("lo"), hi.alias("hi"), src, dst, kind)
        .distinct()
        .groupBy("lo", "hi")
        .count()
        .filter(F.col("count") > 1)
        .select("lo", "hi", F.lit(True).alias(prefix("conflict")))
    )
    facts = facts.join(conflicts, (lo == F.col("lo")) & (hi == F.col("hi")), "left").drop(
        "lo", "hi"
    )
    conflict = F.coalesce(F.col(prefix("conflict")), F.lit(False)) & F.col(kind).isin(*FAMILY_KINDS)
    rank = F.row_number().over(Window.partitionBy(src, dst, kind, prefix("c")).orderBy(part, ROW))
    facts = facts.withColumn(prefix("c"), conflict)
    facts = facts.withColumn(prefix("repeat"), ~F.col(prefix("c")) & (rank > 1)).drop(
        prefix("conflict")
    )
    facts = materialize(
        facts.select(part, F.col(ROW).alias(prefix("r")), prefix("c"), prefix("repeat"))
    )
    out = []
    for i, (df, column) in enumerate(((declared, "relation"), (policy, "payer_relation"))):
        led = Ledger()
        mine = facts.filter(F.col(part) == i).drop(part)
        df = df.join(mine, F.col(ROW) == F.col(prefix("r")), "left").drop(prefix("r"))
        hit = F.coalesce(F.col(prefix("c")), F.lit(False))
        df = led.update(
            df,
            led.cand(
                "conflicting_relation",
                hit,
                column,
                "this pair has another, different family relation (e.g. parent both ways)",
            ),
        )
        df = df.withColumn(
            MERGED, F.col(MERGED) | F.coalesce(F.col(prefix("repeat")), F.lit(False))
        ).drop(prefix("c"), prefix("repeat"))
        out.append(materialize(df))
    return out[0], out[1]


def _referrals(raw: DataFrame, csv: bool, mapping: dict[str, str], ids: DataFrame) -> DataFrame:
    led = Ledger()
    df = _prepare(TABLES["referrals"], raw, mapping, csv, led)
    same = F.coalesce(F.col("referrer_id") == F.col("referee_id"), F.lit(False))
    df = led.update(
        df, led.cand("self_referral", same, "referee_id", "a person cannot refer themselves")
    )
    df = _unknown_persons(df, ("referrer_id", "referee_id"), ids, led)
    df = materialize(df)

    # one referrer per referee: earliest referred_at (missing last), then smallest referrer;
    # a loser that repeats the winner exactly is merged into it, the others are rejected
    cols = _data_columns(df)
    ok = df.filter(is_open())
    rest = df.filter(~is_open())
    w = Window.partitionBy("referee_id").orderBy(
        F.col("referred_at").asc_nulls_last(), F.col("referrer_id").asc(), F.col(ROW).asc()
    )
    first, into = prefix("first"), prefix("into")
    ok = (
        ok.withColumn(first, F.first(_row_struct(cols)).over(w))
        .withColumn(prefix("rn"), F.row_number().over(w))
        .withColumn(into, F.first(F.col(ROW)).over(w))
    )
    loser = F.col(prefix("rn")) > 1
    repeat = loser & _same_row(cols, first)
    winner = F.col(first).getField(f"f{cols.index('referrer_id')}")
    detail = F.concat(
        F.lit("referee already referred by "), F.substring(winner, 1, 40), F.lit(" (earlier)")
    )
    ok = led.update(
        ok.withColumn(MERGED, repeat),
        led.cand("duplicate_referee", loser & ~repeat, "referee_id", detail),
    )
    ok = ok.withColumn(into, F.when(repeat, F.col(into))).drop(first, prefix("rn"))
    df = materialize(ok.unionByName(rest.withColumn(into, F.lit(None).cast("long"))))

    # break cycles: in each, the edge with the latest referred_at (ties: largest referee)
    dropped = _cycle_rows(df)
    cyc = prefix("cycle")
    df = df.join(
        dropped.select(F.col(ROW).alias(cyc), F.lit(True).alias(prefix("in_cycle"))),
        F.col(ROW) == F.col(cyc),
        "left",
    ).drop(cyc)
    hit = F.coalesce(F.col(prefix("in_cycle")), F.lit(False))
    df = led.update(
        df,
        led.cand(
            "referral_cycle",
            hit,
            "referee_id",
            "closes a referral cycle; the latest referral of the cycle is dropped",
        ),
    ).drop(prefix("in_cycle"))
    df = materialize(df)
    # a repeat of a row that a cycle then rejected shares its fate
    fate = df.filter(
        F.col(WHY).isNotNull() & (F.col(WHY).getField("rank") == RANK["referral_cycle"])
    )
    fate = fate.select(F.col(ROW).alias(prefix("target")), F.col(WHY).alias(prefix("fate")))
    df = df.join(fate, F.col(into) == F.col(prefix("target")), "left")
    gone = F.col(MERGED) & F.col(prefix("fate")).isNotNull()
    df = (
        df.withColumn(WHY, F.when(gone, F.col(prefix("fate"))).otherwise(F.col(WHY)))
        .withColumn(MERGED, F.col(MERGED) & ~gone)
        .drop(prefix("target"), prefix("fate"), into)
    )
    return materialize(df)


def _cycle_rows(df: DataFrame) -> DataFrame:
    """Rows (``ROW``) that close a referral cycle: one per cycle among the kept referrals.

    Pointer jumping on the referee -> referrer map: a referee whose chain reaches a
    person without referrer is *resolved* and drops out; when a round resolves nobody,
    the rest lead into cycles. More doubling rounds (until 2^k covers them all) put
    every remaining pointer on a cycle and give each node the smallest id of the
    2^k nodes up its chain: on a cycle, the cycle's smallest id. O(log depth) joins.
    """
    edges = df.filter(is_open()).select(
        F.col("referee_id").alias("x"),
        F.col("referrer_id").alias("a"),
        F.col(ROW),
        F.col("referred_at"),
    )
    edges = materialize(edges)
    state = edges.select("x", "a", F.least("x", "a").alias("m"))
    state = first = materialize(state)
    n = state.count()
    if n == 0:
        return df.limit(0).select(ROW)
    size, steps, settled = n, 0, False
    while True:
        nxt = (
            state.alias("s")
            .join(state.alias("t"), F.col("s.a") == F.col("t.x"), "inner")
            .select(
                F.col("s.x").alias("x"),
                F.col("t.a").alias("a"),
                F.least(F.col("s.m"), F.col("t.m")).alias("m"),
            )
        )
        nxt = materialize(nxt)
        k = nxt.count()
        steps += 1
        if state is not first:
            release(state)
        if k == 0:
            return df.limit(0).select(ROW)
        if settled or k == size:
            settled = True
            if 2**steps >= k:
                state = nxt
                break
        state, size = nxt, k
    # nodes on cycles: where the pointers landed; their m is the cycle's smallest id
    on_cycle = state.select(F.col("a").alias("node")).distinct()
    label = state.select(F.col("x").alias("node"), "m")
    cyc = on_cycle.join(label, "node").join(edges, F.col("node") == F.col("x"))
    latest = cyc.groupBy("m").agg(
        F.max(
            F.struct(
                F.col("referred_at").isNull().alias("nat"),
                F.col("referred_at").alias("at"),
                F.col("x").alias("referee"),
                F.col(ROW).alias("row"),
            )
        ).alias("best")
    )
    return latest.select(F.col("best").getField("row").alias(ROW))


def _holdings(raw: DataFrame, csv: bool, mapping: dict[str, str], ids: DataFrame) -> DataFrame:
    led = Ledger()
    df = _prepare(TABLES["holdings"], raw, mapping, csv, led)
    df = df.withColumn("line", F.lower(F.col("line")))
    cands = []
    for col in ("amount", "sum_assured"):
        neg = F.coalesce(F.col(col) < 0, F.lit(False))
        cands.append(led.cand("negative_amount", neg, col, f"{col} is negative"))
    df = led.update(df, *cands).withColumn("amount", F.coalesce(F.col("amount"), F.lit(0.0)))
    df = _unknown_persons(df, ("person_id",), ids, led)
    df = _payers(df, ids)
    df = materialize(_derive_holding_ids(df))
    return materialize(_dedupe_key(df, "holding_id", led))


def _payers(df: DataFrame, ids: DataFrame) -> DataFrame:
    """Payer cells: a payer_id naming nobody kept, or a payer_relation outside the
    vocabulary (or ``self`` with another payer), is emptied and listed as an issue.

    Keeps the payer_id as written (``PAYER_GIVEN``) and the kind as written
    (``PAYER_KIND``: a written kind, ``self`` or null) for :func:`_policy_rows`;
    ``payer_relation`` becomes the kind as written.
    """
    flag = prefix("has_payer")
    df = df.withColumn(PAYER_GIVEN, F.col("payer_id"))
    df = _known(df, "payer_id", ids, flag)
    gone = F.col("payer_id").isNotNull() & ~F.col(flag)
    detail = _unknown_detail("payer_id", F.col("payer_id"), F.col(flag + "_gone"))
    df = add_issues(df, issue(gone, "payer_id", "unknown_person", detail))
    df = df.withColumn("payer_id", F.when(~gone, F.col("payer_id"))).drop(flag, flag + "_gone")

    pairs = [*RELATION_SYNONYMS.items(), *[(x, "self") for x in SELF_LABELS]]
    vocab = F.create_map(*[F.lit(x) for kv in pairs for x in kv])
    label = F.lower(F.col("payer_relation"))
    kind = vocab[label]
    bad_label = label.isNotNull() & kind.isNull()
    other = (
        (kind == "self")
        & F.col("payer_id").isNotNull()
        & F.coalesce(F.col("payer_id") != F.col("person_id"), F.lit(True))
    )
    other = F.coalesce(other, F.lit(False))
    df = add_issues(
        df,
        issue(
            bad_label,
            "payer_relation",
            "unknown_relation",
            quoted(
                "payer_relation ",
                F.col("payer_relation"),
                " is not in the vocabulary (self/本人 or a relation label; docs/input.md)",
            ),
        ),
        issue(
            other,
            "payer_relation",
            "bad_type",
            "payer_relation is self (本人) but payer_id names another person",
        ),
    )
    written = F.when(~bad_label & ~other, kind)
    return df.withColumn(PAYER_KIND, written).withColumn("payer_relation", written)


# ---------------------------------------------------------------------------------
# derived holding ids: the in-memory engine's own hash, run on the executors
# ---------------------------------------------------------------------------------
def _arrow_to_pandas_types(schema: T.StructType) -> dict[str, str]:
    """The pandas dtype the in-memory engine has for each content column of holdings."""
    out: dict[str, str] = {}
    for f in schema.fields:
        t = f.dataType
        if isinstance(t, T.StringType):
            out[f.name] = "str"
        elif isinstance(t, (T.TimestampType, T.TimestampNTZType)):
            out[f.name] = "datetime64[us]"
        elif isinstance(t, (T.DoubleType, T.FloatType)):
            out[f.name] = "float64"
        elif isinstance(t, (T.LongType, T.IntegerType, T.ShortType, T.ByteType)):
            out[f.name] = "int64"
        elif isinstance(t, T.BooleanType):
            out[f.name] = "bool"
        else:
            out[f.name] = "object"
    return out


def _hash_batches(
    batches: Iterator[pa.RecordBatch], columns: list[str], dtypes: dict[str, str]
) -> Iterator[pa.RecordBatch]:
    """Executor side: the row hash famgraph.build uses, as signed 64-bit bits."""
    import numpy as np
    import pyarrow as pa

    from famgraph.ingest.tables import row_hash as _row_hash

    for batch in batches:
        rows = batch.column(0)
        data: dict[str, pd.Series] = {}
        for i, name in enumerate(columns):
            arr = batch.column(i + 1)
            dtype = dtypes[name]
            if dtype == "str":
                s = pd.Series(arr.to_pandas(), dtype="str")
            elif dtype == "datetime64[us]":
                s = pd.Series(arr.cast(pa.timestamp("us")).to_pandas()).astype("datetime64[us]")
            elif dtype in ("float64", "int64", "bool"):
                s = pd.Series(arr.to_pandas()).astype(dtype)  # type: ignore[call-overload]
            else:
                s = pd.Series(arr.to_pandas(), dtype=object)
            data[name] = s.reset_index(drop=True)
        frame = pd.DataFrame(data, columns=columns)
        h = _row_hash(frame) if len(frame) else np.zeros(0, dtype=np.uint64)
        yield pa.RecordBatch.from_arrays(
            [rows, pa.array(h.view(np.int64), type=pa.int64())], names=[ROW, prefix("h")]
        )


def _occurrence_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Executor side: the hash of (row hash, k) for the k-th (k >= 1) repeat of a row."""
    import numpy as np
    import pyarrow as pa

    from famgraph.ingest.tables import row_hash as _row_hash

    for batch in batches:
        h = np.asarray(batch.column(1).to_numpy(), dtype=np.int64).view(np.uint64)
        k = np.asarray(batch.column(2).to_numpy(), dtype=np.int64).astype(np.uint64)
        again = _row_hash(pd.DataFrame({"row": h, "occurrence": k})) if len(h) else h
        yield pa.RecordBatch.from_arrays(
            [batch.column(0), pa.array(again.view(np.int64), type=pa.int64())],
            names=[ROW, prefix("h")],
        )


def _derive_holding_ids(df: DataFrame) -> DataFrame:
    """Fill an empty ``holding_id`` from the row's values, as :func:`famgraph.build` does.

    The id is ``"h:"`` + 16 hex digits of the in-memory engine's row hash (pandas'
    ``hash_pandas_object`` over every column but ``holding_id``), computed on the
    executors by ``mapInArrow`` with the same column dtypes, so both engines give a
    row the same id; the k-th identical row (k >= 1, in input order) is hashed again
    with k, so identical purchases stay distinct holdings. Integer extra columns with
    empty cells are hashed as floats, as pandas reads them.
    """
    need = df.filter(F.col("holding_id").isNull())
    content = [n for n in _data_columns(df) if n != "holding_id"]
    types = {f.name: f.dataType for f in df.schema.fields}
    ints = [
        n
        for n in content
        if isinstance(types[n], (T.LongType, T.IntegerType, T.ShortType, T.ByteType))
    ]
    sel: list[Column] = [F.col(ROW)]
    as_float: set[str] = set()
    if ints:
        nulls = [F.max(c(n).isNull().cast("int")).alias(f"n{i}") for i, n in enumerate(ints)]
        row = need.agg(*nulls).collect()[0]
        as_float = {n for i, n in enumerate(ints) if row[f"n{i}"]}
    for n in content:
        sel.append(c(n).cast("double").alias(n) if n in as_float else c(n))
    need = need.select(*sel)
    dtypes = _arrow_to_pandas_types(T.StructType([need.schema[n] for n in content]))
    out_schema = T.StructType(
        [T.StructField(ROW, T.LongType()), T.StructField(prefix("h"), T.LongType())]
    )

    def first(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return _hash_batches(batches, content, dtypes)

    with arrow_udfs():
        hashed = materialize(need.mapInArrow(first, out_schema))
    k = F.row_number().over(Window.partitionBy(prefix("h")).orderBy(ROW)) - 1
    hashed = hashed.withColumn(prefix("k"), k.cast("long"))
    repeats = hashed.filter(F.col(prefix("k")) > 0).select(ROW, prefix("h"), prefix("k"))
    with arrow_udfs():
        again = repeats.mapInArrow(_occurrence_batches, out_schema)
    derived = hashed.filter(F.col(prefix("k")) == 0).select(ROW, prefix("h")).unionByName(again)
    hexed = F.concat(F.lit("h:"), F.lpad(F.lower(F.hex(F.col(prefix("h")))), 16, "0"))
    r = prefix("r")
    derived = derived.select(F.col(ROW).alias(r), hexed.alias(prefix("hid")))
    joined = df.join(derived, F.col(ROW) == F.col(r), "left").drop(r)
    return (
        joined.withColumn("holding_id", F.coalesce(F.col("holding_id"), F.col(prefix("hid"))))
        .drop(prefix("hid"))
        .select(*df.columns)
    )


# ---------------------------------------------------------------------------------
# as_of, the kept tables and the public build
# ---------------------------------------------------------------------------------
def _kept(ledger: DataFrame, columns: list[str]) -> DataFrame:
    """The kept rows; ``ORD`` (their input row number) orders them as the input did."""
    return ledger.filter(is_open()).select(F.col(ROW).alias(ORD), *[c(n) for n in columns])


def _infer_as_of(people: DataFrame, referrals: DataFrame, holdings: DataFrame) -> pd.Timestamp:
    dates = (
        holdings.select(F.max("purchased_at").alias("d"))
        .unionByName(referrals.select(F.max("referred_at").alias("d")))
        .unionByName(people.select(F.max("joined_at").alias("d")))
    )
    latest = dates.agg(F.max("d").alias("d")).collect()[0]["d"]
    if latest is None:
        log.warning("No dates in purchased_at, referred_at or joined_at: as_of = today.")
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(latest)


def build(
    spark: SparkSession,
    people: TableInput,
    relations: TableInput = None,
    referrals: TableInput = None,
    holdings: TableInput = None,
    *,
    as_of: Any = None,
    columns: Mapping[str, Any] | None = None,
) -> SparkGraph:
    """Validate and normalise the input tables into one :class:`SparkGraph`, on Spark.

    The rules, reasons, precedence and accounting of :func:`famgraph.build`
    (see ``docs/input.md``): every input row is kept, merged or rejected with a
    reason; an unreadable optional descriptive cell is emptied and listed in
    ``sg.issues`` instead. ``sg.quality_report()``, ``sg.rejects`` and ``sg.issues``
    are Spark DataFrames equal to the in-memory ones.

    Parameters
    ----------
    spark : SparkSession
    people : Spark DataFrame or path
        One row per person. Required column ``person_id``. A path is a ``.csv``
        (UTF-8, header row) or ``.parquet`` file.
    relations, referrals, holdings : Spark DataFrame or path, optional
        As for :func:`famgraph.build`.
    as_of : date-like, optional
        Analysis date; default the latest ``purchased_at`` / ``referred_at`` /
        ``joined_at`` among kept rows.
    columns : mapping, optional
        Renames input columns to canonical names, flat or per table.

    Returns
    -------
    SparkGraph

    Raises
    ------
    DataError
        A required column is missing (the message names the table and column and
        lists the columns present) or a file cannot be read.

    Notes
    -----
    Row numbers (``rejects.row``) follow the order the source yields rows: a file's
    line order. Every step is distributed: parsing is column expressions,
    duplicates and referees are window functions partitioned by their key, unknown
    ids are joins against the kept people, referral cycles are found by pointer
    jumping (O(log depth) joins). The four ledgers and the kept tables are
    checkpointed (:func:`famgraph.spark._frames.materialize`). Derived
    ``holding_id`` values are the in-memory engine's own row hash, computed on the
    executors (``mapInArrow``), so famgraph must be installed there.

    Examples
    --------
    >>> import famgraph.spark as fgs
    >>> spark = fgs.local_session()
    >>> people = spark.createDataFrame([("1",), ("2",), ("3",)], ["person_id"])
    >>> relations = spark.createDataFrame(
    ...     [("1", "2", "wife"), ("2", "1", "husband"), ("1", "9", "son")],
    ...     ["person_id", "relative_id", "relation"])
    >>> sg = fgs.build(spark, people, relations, as_of="2025-01-01")
    >>> sg.quality_report().show()
    +----------------+-------+----+------+--------+-------------+
    |           table|rows_in|kept|merged|rejected|cells_blanked|
    +----------------+-------+----+------+--------+-------------+
    |          people|      3|   3|     0|       0|            0|
    |       relations|      3|   1|     1|       1|            0|
    |       referrals|      0|   0|     0|       0|            0|
    |        holdings|      0|   0|     0|       0|            0|
    |policy_relations|      0|   0|     0|       0|            0|
    +----------------+-------+----+------+--------+-------------+
    <BLANKLINE>
    >>> sg.rejects.select("table", "row", "reason").show()
    +---------+---+--------------+
    |    table|row|        reason|
    +---------+---+--------------+
    |relations|  2|unknown_person|
    +---------+---+--------------+
    <BLANKLINE>
    """
    from famgraph.spark.graph import SparkGraph

    loaded = {
        "people": _load(spark, "people", people),
        "relations": _load(spark, "relations", relations),
        "referrals": _load(spark, "referrals", referrals),
        "holdings": _load(spark, "holdings", holdings),
    }
    maps = {name: mapping_for(name, columns) for name in TABLES}
    if as_of is not None:
        at = pd.Timestamp(as_of)
        if pd.isna(at):
            raise DataError(f"The `as_of` parameter of `build` must be a date; got {as_of!r}.")

    raw_p, csv_p = loaded["people"]
    p_led = _people(raw_p, maps["people"], csv_p)
    ids = _person_ids(p_led)
    r_led = _relations(*loaded["relations"], maps["relations"], ids)
    f_led = _referrals(*loaded["referrals"], maps["referrals"], ids)
    h_led = _holdings(*loaded["holdings"], maps["holdings"], ids)
    r_led, pol_led = _resolve(r_led, _policy_rows(h_led, ids))
    ledgers = {
        "people": p_led,
        "relations": r_led,
        "referrals": f_led,
        "holdings": h_led,
        "policy_relations": pol_led,
    }

    def data(name: str) -> list[str]:
        return _data_columns(ledgers[name])

    def oriented(df: DataFrame) -> DataFrame:
        return (
            df.withColumn("person_id", F.col(prefix("src")))
            .withColumn("relative_id", F.col(prefix("dst")))
            .withColumn("relation", F.col(prefix("kind")))
        )

    rel_cols = data("relations")
    stated = oriented(pol_led).filter(is_open())
    stated = stated.select(
        (F.col(ROW) + F.lit(POLICY_ORD)).alias(ORD),
        *[
            F.lit(SOURCE_POLICY).alias(n)
            if n == "source"
            else c(n)
            if n in ("person_id", "relative_id", "relation")
            else F.lit(None).cast(r_led.schema[n].dataType).alias(n)
            for n in rel_cols
        ],
    )
    kept = {
        "people": _kept(p_led, data("people")),
        "relations": _kept(oriented(r_led), rel_cols).unionByName(stated),
        "referrals": _kept(f_led, data("referrals")),
        "holdings": _kept(h_led, data("holdings")),
    }
    at = (
        pd.Timestamp(as_of)
        if as_of is not None
        else _infer_as_of(kept["people"], kept["referrals"], kept["holdings"])
    )
    return SparkGraph(
        spark,
        kept["people"],
        kept["relations"],
        kept["referrals"],
        kept["holdings"],
        as_of=at,
        ledgers=ledgers,
    )
