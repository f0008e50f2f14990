"""The public build: tables (or files) in, one accounted :class:`CustomerGraph` out."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from famgraph._arrays import id_rank, lookup_ids, take_ids
from famgraph._tables import empty_rejects, infer_as_of
from famgraph.errors import DataError
from famgraph.graph import CustomerGraph
from famgraph.ingest.facts import KINDS, SELF, declared_rules, policy_rules, resolve
from famgraph.ingest.ledger import Ledger, PeopleIndex, empty_issues, log_summary, raise_first
from famgraph.ingest.parse import DATE_FORMS, parse_date_value
from famgraph.ingest.read import book_files, check_encoding, read_table
from famgraph.ingest.tables import (
    Prepared,
    holdings_rules,
    mapping_for,
    people_rules,
    prepare,
    referral_rules,
)
from famgraph.rules import EARLIEST_DATE, LATEST_DATE
from famgraph.schema import ACCOUNTED_TABLES, QUALITY_COLUMNS, SOURCE_POLICY, TABLES

__all__ = ["TableInput", "build", "check_as_of", "read_dir"]

TableInput = pd.DataFrame | str | os.PathLike[str] | None


def check_as_of(as_of: Any, func: str = "build") -> pd.Timestamp | None:
    """``as_of`` as a Timestamp (``None`` stays ``None``), or a :class:`DataError`.

    Examples
    --------
    >>> check_as_of("2024/6/30")
    Timestamp('2024-06-30 00:00:00')
    >>> check_as_of("notadate")
    Traceback (most recent call last):
    ...
    famgraph.errors.DataError: The `as_of` parameter of `build` must be a date ...
    """
    if as_of is None:
        return None
    ts = parse_date_value(as_of)
    if ts is None:
        raise DataError(
            f"The `as_of` parameter of `{func}` must be a date between {EARLIEST_DATE} and "
            f"{LATEST_DATE}, written year first ({DATE_FORMS}) or given as a date / "
            f"Timestamp; got {as_of!r}."
        )
    return ts


def _load(name: str, src: TableInput, encoding: str | None) -> pd.DataFrame | None:
    if src is None:
        return None
    if isinstance(src, pd.DataFrame):
        return src
    if isinstance(src, (str, os.PathLike)):
        return read_table(src, name, encoding=encoding)
    raise DataError(
        f"The {name} table must be a pandas DataFrame or a path to a .csv/.parquet file; "
        f"got {type(src).__name__}.",
        table=name,
    )


def read_dir(
    path: str | os.PathLike[str],
    *,
    as_of: Any = None,
    columns: Mapping[str, Any] | None = None,
    strict: bool = False,
    encoding: str | None = None,
) -> CustomerGraph:
    """Build a graph from a folder of ``people``, ``relations``, ``referrals``, ``holdings`` files.

    Each table is a ``.csv`` (UTF-8 or GBK, detected) or ``.parquet`` file named after
    it, in any letter case (``People.CSV`` is found); only ``people`` is required.
    Options are those of :func:`build`.

    Parameters
    ----------
    path : str or path-like
        The folder.
    as_of, columns, strict, encoding
        Passed to :func:`build`.

    Returns
    -------
    CustomerGraph

    Raises
    ------
    DataError
        When the folder or its people file is missing, or a file cannot be read.

    Examples
    --------
    >>> import tempfile, famgraph as fg
    >>> d = tempfile.mkdtemp()
    >>> fg.datasets.write_sample(d)
    >>> g = fg.read_dir(d)
    >>> g.n_people > 0
    True
    """
    found = book_files(path, "famgraph.build")
    return build(
        found["people"],
        found["relations"],
        found["referrals"],
        found["holdings"],
        as_of=as_of,
        columns=columns,
        strict=strict,
        encoding=encoding,
    )


def build(
    people: TableInput,
    relations: TableInput = None,
    referrals: TableInput = None,
    holdings: TableInput = None,
    *,
    as_of: Any = None,
    columns: Mapping[str, Any] | None = None,
    strict: bool = False,
    encoding: str | None = None,
) -> CustomerGraph:
    """Validate and normalise the input tables into one :class:`CustomerGraph`.

    Every input row is kept, merged (a duplicate of a kept row) or rejected with a
    reason; an unreadable *optional descriptive* cell (a birth date, an income, a
    relation's ``since``, a payer naming nobody, ...) is emptied and listed in
    ``g.issues`` instead of costing its row. ``g.quality_report()`` shows the
    accounting, ``g.rejects`` each rejected row.

    Parameters
    ----------
    people : DataFrame or path
        One row per person (customers and prospects). Required column ``person_id``.
    relations : DataFrame or path, optional
        ``(person_id, relative_id, relation)``: *relative_id is person_id's relation*.
    referrals : DataFrame or path, optional
        ``(referrer_id, referee_id, referred_at)``.
    holdings : DataFrame or path, optional
        One row per purchase or policy: ``person_id, line, purchased_at`` required;
        ``payer_id`` / ``payer_relation`` name the policyholder who pays.
    as_of : date-like, optional
        Analysis date (``"2025-06-30"``, ``"2025年6月30日"``, ``20250630``, a
        Timestamp); default the latest ``purchased_at`` / ``referred_at`` /
        ``joined_at`` among kept rows.
    columns : mapping, optional
        Renames input columns to canonical names: ``{"their_name": "canonical"}`` for
        all tables, or ``{"people": {...}, "holdings": {...}}`` per table. Headers that
        differ from a canonical name only by case and spaces are read as it anyway.
    strict : bool, default False
        Raise :class:`DataError` on the first rejected row or emptied cell instead of
        collecting.
    encoding : str, optional
        Text encoding of the CSV files given as paths (e.g. ``"gbk"``); default:
        detected (UTF-8 with or without BOM, else GB18030/GBK).

    Returns
    -------
    CustomerGraph

    Raises
    ------
    DataError
        A required column is missing (the message names the table and column and
        lists the columns present), a file cannot be read, an argument is invalid,
        or -- with ``strict=True`` -- a row is rejected or a cell emptied (the message
        names table, row and column, never the value).

    Notes
    -----
    Cost O(R log R) over all R input rows (sorting for duplicates); columns are
    parsed by Arrow and numpy kernels, with no per-row Python. Identical means the
    same normalised value in every column.

    Examples
    --------
    >>> import pandas as pd, famgraph as fg
    >>> people = pd.DataFrame({"person_id": [1, 2, 3],
    ...                        "birth_date": ["1984年2月11日", "1986/7/3", "31.02.1990"]})
    >>> relations = pd.DataFrame({"person_id": [1, 2, 1], "relative_id": [2, 1, 9],
    ...                           "relation": ["wife", "husband", "son"]})
    >>> g = fg.build(people, relations, as_of="2025-01-01")
    >>> g.quality_report()
                  table  rows_in  kept  merged  rejected  cells_blanked
    0            people        3     3       0         0              1
    1         relations        3     1       1         1              0
    2         referrals        0     0       0         0              0
    3          holdings        0     0       0         0              0
    4  policy_relations        0     0       0         0              0
    >>> g.issues[["table", "row", "column", "reason"]]
        table  row      column    reason
    0  people    2  birth_date  bad_type
    >>> g.rejects[["table", "row", "reason"]]
           table  row          reason
    0  relations    2  unknown_person
    """
    enc = check_encoding(encoding, "build")
    at_given = check_as_of(as_of)
    if not isinstance(strict, (bool, np.bool_)):
        raise DataError(f"The `strict` parameter of `build` must be True or False; got {strict!r}.")
    raws = {
        "people": _load("people", people, enc),
        "relations": _load("relations", relations, enc),
        "referrals": _load("referrals", referrals, enc),
        "holdings": _load("holdings", holdings, enc),
    }
    prep: dict[str, Prepared] = {}
    for name, raw in raws.items():
        if raw is None:
            raw = pd.DataFrame(columns=list(TABLES[name].required))
        prep[name] = prepare(TABLES[name], raw, mapping_for(name, columns))
    pp, rr, ff, hh = (prep[t] for t in TABLES)

    people_rules(pp)
    if strict:
        raise_first([(pp.led, pp.issues)])
    known = pp.df.loc[pp.led.ok, "person_id"].reset_index(drop=True)
    index = PeopleIndex(pp.df["person_id"], pp.led, known)
    # most policies are paid by the insured: only other payers need a lookup of their own
    payer, insured = hh.df["payer_id"], hh.df["person_id"]
    other = np.flatnonzero(
        payer.notna().to_numpy() & (payer != insured).to_numpy(dtype=bool, na_value=True)
    )
    a_i, b_i, r_i, e_i, p_i, other_i = lookup_ids(
        known,
        rr.df["person_id"],
        rr.df["relative_id"],
        ff.df["referrer_id"],
        ff.df["referee_id"],
        insured,
        payer.iloc[other],
    )
    pay_i = np.where(payer.notna().to_numpy(), p_i, -1)
    pay_i[other] = other_i
    rank = id_rank(known)
    declared = declared_rules(rr.df, rr.led, rr.issues, a_i, b_i, rank, index)
    referral_rules(ff, r_i, e_i, rank, index)
    payers = holdings_rules(hh, p_i, pay_i, index)

    # policy_relations: one row per kept holding whose payer_relation states a fact
    cand = np.flatnonzero(hh.led.ok & (payers.kind >= 0) & (payers.kind != SELF))
    pol_led = Ledger("policy_relations", len(cand), row_numbers=cand)
    policy = policy_rules(
        pol_led,
        payers.payer_given.iloc[cand].reset_index(drop=True),
        hh.df["person_id"].iloc[cand].reset_index(drop=True),
        pay_i[cand],
        p_i[cand],
        payers.kind[cand],
        rank,
        index,
    )
    resolve(len(known), [(rr.led, declared), (pol_led, policy)])
    checks = [(p.led, p.issues) for p in prep.values()] + [(pol_led, None)]
    if strict:
        raise_first(checks)

    kept = {  # a clean table is kept as it is: no copy of a million rows
        name: p.df if p.led.ok.all() else p.df.loc[p.led.ok].reset_index(drop=True)
        for name, p in prep.items()
    }
    ok_r, ok_p, ok_f, ok_h = rr.led.ok, pol_led.ok, ff.led.ok, hh.led.ok
    rel_src = np.concatenate([declared.src[ok_r], policy.src[ok_p]]).astype(np.int64)
    rel_dst = np.concatenate([declared.dst[ok_r], policy.dst[ok_p]]).astype(np.int64)
    if ok_p.any():
        stated = pd.DataFrame(
            {
                "relation": pd.Series(np.asarray(KINDS, dtype=object)[policy.kind[ok_p]]),
                "source": SOURCE_POLICY,
            }
        ).astype("str")
        kept["relations"] = pd.concat([kept["relations"], stated], ignore_index=True)
        for c in ("since", "until"):
            kept["relations"][c] = kept["relations"][c].astype("datetime64[us]")
    kept["relations"]["person_id"] = take_ids(known, rel_src)
    kept["relations"]["relative_id"] = take_ids(known, rel_dst)
    hold_person = p_i[ok_h].astype(np.int64)
    payer = payers.payer[ok_h].astype(np.int64)
    codes = {
        "rel_src": rel_src,
        "rel_dst": rel_dst,
        "ref_src": r_i[ok_f].astype(np.int64),
        "ref_dst": e_i[ok_f].astype(np.int64),
        "hold_person": hold_person,
        "hold_buyer": np.where(payer >= 0, payer, hold_person),
    }
    at = at_given if at_given is not None else infer_as_of(kept)

    ledgers = [*(p.led for p in prep.values()), pol_led]
    rejects = pd.concat([led.frame() for led in ledgers], ignore_index=True)
    if rejects.empty:
        rejects = empty_rejects()
    issue_parts = [p.issues.frame(~p.led.rejected) for p in prep.values()]
    issues = pd.concat(issue_parts, ignore_index=True) if issue_parts else empty_issues()
    blanked = issues.groupby("table").size()
    quality = pd.DataFrame(
        [(*led.counts(), int(blanked.get(led.table, 0))) for led in ledgers],
        columns=list(QUALITY_COLUMNS[1:]),
    )
    quality.insert(0, "table", pd.Series(list(ACCOUNTED_TABLES), dtype="str"))
    log_summary(rejects, issues)
    return CustomerGraph(
        kept["people"],
        kept["relations"],
        kept["referrals"],
        kept["holdings"],
        as_of=at,
        rejects=rejects,
        issues=issues,
        quality=quality,
        codes=codes,
        id_rank=rank,
    )
