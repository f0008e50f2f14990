"""One book's analysis results, laid out for O(1) lookups by person or household id.

A :class:`Snapshot` is what the service answers from. It is computed once from a
:class:`~famgraph.CustomerGraph` (:meth:`Snapshot.from_graph`), never changed
afterwards, and holds no reference to the graph: only flat numpy arrays in person
order, Arrow arrays for long texts, and CSR-style offsets that give the coverage
gaps of a person or a household, or the members of a household, as one contiguous
slice. Nothing here imports the web framework, so it can be tested on its own.

Layout, for ``n`` persons, ``h`` households and ``k`` gap rows:

* person ``i`` is position ``i`` of every per-person array (people order of the
  graph); :attr:`Snapshot.persons` (an :class:`IdIndex`) maps an id to ``i``;
* household ``j`` is row ``j`` of :func:`famgraph.household_summary`;
  :attr:`Snapshot.households` maps an id to ``j``;
* the gaps of person ``i`` are gap rows ``person_gaps[person_gap_start[i]:
  person_gap_start[i + 1]]`` (in priority, then line order), those of household
  ``j`` are ``household_gaps[hh_gap_start[j]:hh_gap_start[j + 1]]`` (in
  :func:`famgraph.coverage_gaps` order: priority, person_id, line), and its members
  ``members[member_start[j]:member_start[j + 1]]`` (in person_id order);
* ``lead_row[i]`` is person ``i``'s row of :func:`famgraph.warm_leads` or ``-1``;
* ``ranking`` lists persons by super-user score (highest first, then person_id),
  and ``tier_ranking[tier_start[t]:tier_start[t + 1]]`` the same within tier ``t``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from famgraph._arrays import lookup_ids
from famgraph._version import __version__
from famgraph.analysis.coverage import coverage_gaps, household_summary
from famgraph.analysis.households import households
from famgraph.analysis.leads import warm_leads
from famgraph.analysis.referrals import referral_value
from famgraph.analysis.segments import value_segments
from famgraph.analysis.superusers import super_users
from famgraph.analysis.valuemodel import fit_value_model, predict_value
from famgraph.errors import DataError
from famgraph.graph import CustomerGraph
from famgraph.schema import SEGMENTS, SUPER_USER_COLUMNS, TIERS, WARM_LEAD_COLUMNS

__all__ = ["IdIndex", "Snapshot"]

_SUPER = TIERS.index("super")


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Small-vocabulary texts as int16 codes and their vocabulary (``-1`` = missing)."""
    code, vocab = pd.factorize(values.reset_index(drop=True), use_na_sentinel=True)
    return code.astype(np.int16), [str(v) for v in vocab]


def _arrow(values: pd.Series) -> pa.Array:
    """A "str" column as one contiguous Arrow array (nulls kept)."""
    arr = pa.array(values.reset_index(drop=True), type=pa.large_string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _csr(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable order of ``keys`` (0..size-1) and the start offsets of each key's run."""
    order = np.argsort(keys, kind="stable")
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=size), out=start[1:])
    return order.astype(np.int32 if len(keys) < 2**31 else np.int64), start


def _num(x: Any) -> float | None:
    """A float for JSON: ``None`` instead of NaN or infinity."""
    f = float(x)
    return f if math.isfinite(f) else None


def _nums(a: np.ndarray) -> list[float | None]:
    """Floats for JSON, column-wise: ``None`` where NaN or infinite."""
    a = np.asarray(a, dtype=float)
    ok = np.isfinite(a)
    if ok.all():
        return list(a.tolist())
    out = a.astype(object)
    out[~ok] = None
    return list(out.tolist())


def _whole(a: np.ndarray) -> list[int | None]:
    """Whole numbers stored as floats (NaN = none), column-wise."""
    return [None if x != x else int(x) for x in np.asarray(a, dtype=float).tolist()]


def _vocab(words: list[str], codes: np.ndarray) -> list[str | None]:
    """``words[code]`` column-wise; ``-1`` gives ``None``."""
    return [None if c < 0 else words[c] for c in np.asarray(codes).tolist()]


def _take(arr: pa.Array, rows: np.ndarray) -> list[str | None]:
    """Texts at ``rows`` of an Arrow string array, in one take."""
    if len(rows) == 0:
        return []
    return list(arr.take(pa.array(np.asarray(rows, dtype=np.int64))).to_pylist())


#: Keys of a warm-lead and a super-user row: the result columns of the Python API.
_LEAD_KEYS = WARM_LEAD_COLUMNS
_SUPER_USER_KEYS = SUPER_USER_COLUMNS


def _text(arr: pa.Array, i: int) -> str | None:
    v = arr[i].as_py()
    return None if v is None else str(v)


class IdIndex:
    """Id text -> position in O(1) expected time, without a Python object per id.

    The ids stay in one Arrow string array; their Python ``hash`` values are bucketed
    into ``2**b >= n`` buckets, laid out CSR-style (positions sorted by bucket plus
    bucket offsets). A lookup hashes the key, scans its bucket (about one entry) and
    compares hash, then text. About 20 bytes per id plus the text, against ~130 for
    a ``dict``. Hash values are those of this process (``PYTHONHASHSEED``), which is
    why the index is built where it is used and never saved.

    Examples
    --------
    >>> import pandas as pd
    >>> ix = IdIndex(pd.Series(["b", "a", "c"], dtype="str"))
    >>> ix.get("c"), ix.get("z"), ix.text(0)
    (2, -1, 'b')
    """

    def __init__(self, ids: pd.Series) -> None:
        self.ids = _arrow(ids)
        n = len(ids)
        hashes = np.fromiter(map(hash, ids.to_numpy(dtype=object)), dtype=np.int64, count=n)
        self._mask = (1 << max(1, int(n - 1).bit_length())) - 1
        self._order, self._start = _csr((hashes & self._mask).astype(np.int64), self._mask + 1)
        self._hash = hashes[self._order]

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, key: str) -> int:
        """Position of ``key``, or ``-1``."""
        h = hash(key)
        b = h & self._mask
        for j in range(int(self._start[b]), int(self._start[b + 1])):
            if self._hash[j] == h:
                p = int(self._order[j])
                if self.ids[p].as_py() == key:
                    return p
        return -1

    def text(self, i: int) -> str:
        """The id at position ``i``."""
        return str(self.ids[i].as_py())

    def texts(self, positions: np.ndarray) -> list[str | None]:
        """The ids at ``positions`` (``-1`` gives ``None``), in one Arrow take."""
        pos = np.asarray(positions, dtype=np.int64)
        if len(pos) == 0:
            return []
        valid = pos >= 0
        taken = self.ids.take(pa.array(np.where(valid, pos, 0)))
        out = taken.to_pylist()
        if not valid.all():
            out = [x if ok else None for x, ok in zip(out, valid.tolist(), strict=True)]
        return list(out)


def _future_value(g: CustomerGraph) -> dict[str, Any]:
    """The value model's figures per person, or empty arrays and the reason it did not fit."""
    empty = np.zeros(0)
    try:
        model = fit_value_model(g)
        pred = predict_value(g, model)
        seg = value_segments(g, model=model)
    except DataError as exc:
        reason = str(exc).split(": ", 1)[-1]
        return {
            "value_model": f"not fitted: {reason}",
            **{f: empty for f in _FV_FIELDS},
        }
    codes = pd.Index(list(SEGMENTS)).get_indexer(pd.Index(seg["segment"]))
    return {
        "value_model": "fitted",
        "fv_p_alive": pred["p_alive"].to_numpy(dtype=float),
        "fv_expected_purchases": pred["expected_purchases"].to_numpy(dtype=float),
        "fv_expected_value": pred["expected_value"].to_numpy(dtype=float),
        "fv_clv": pred["clv"].to_numpy(dtype=float),
        "fv_crv": seg["crv"].to_numpy(dtype=float),
        "fv_segment": codes.astype(np.int8),
        "fv_at_risk": seg["at_risk"].to_numpy(dtype=bool),
    }


_FV_FIELDS = (
    "fv_p_alive",
    "fv_expected_purchases",
    "fv_expected_value",
    "fv_clv",
    "fv_crv",
    "fv_segment",
    "fv_at_risk",
)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The analysis results of one book, read-only, indexed for the service.

    Build it with :meth:`from_graph`; the fields are the flat arrays described in
    the module docstring. Row accessors (:meth:`person`, :meth:`household`,
    :meth:`leads`, :meth:`super_users`) return plain Python dicts and lists with
    ``None`` for missing numbers, ready to be serialised as JSON.

    Examples
    --------
    >>> import famgraph as fg
    >>> snap = Snapshot.from_graph(fg.datasets.sample())
    >>> snap.person("P01")["relationship"]["tier"]
    'strong'
    >>> [g["line"] for g in snap.person("P01")["gaps"]]
    ['critical_illness', 'accident', 'pension']
    >>> snap.person("nobody") is None
    True
    """

    as_of: date
    loaded_at: datetime
    version: str
    counts: dict[str, int]
    quality: list[dict[str, Any]]
    rejects_by_reason: list[dict[str, Any]]
    # persons, in the people order of the graph
    persons: IdIndex
    is_customer: np.ndarray
    hh_row: np.ndarray  # household row, or -1
    family_id: pa.Array
    role_code: np.ndarray
    roles: list[str]
    tier_code: np.ndarray
    score: np.ndarray
    frequency: np.ndarray
    recency_days: np.ndarray  # float, NaN = no purchase
    monetary: np.ndarray
    active_quarters: np.ndarray
    influence: np.ndarray
    reasons: pa.Array
    referred_by: np.ndarray  # person position, or -1
    root: np.ndarray
    generation: np.ndarray
    direct_referrals: np.ndarray
    converted_referrals: np.ndarray
    cascade_size: np.ndarray
    depth: np.ndarray
    chain_value: np.ndarray
    lead_row: np.ndarray  # row of the warm leads, or -1
    # households, in household_summary order
    households: IdIndex
    hh_members: np.ndarray
    hh_customers: np.ndarray
    hh_penetration: np.ndarray
    hh_required: np.ndarray
    hh_covered: np.ndarray
    hh_coverage_ratio: np.ndarray
    hh_coverage_score: np.ndarray
    hh_protection_gap: np.ndarray
    hh_top_person: np.ndarray  # person position, or -1
    hh_top_line: np.ndarray  # line code, or -1
    members: np.ndarray
    member_start: np.ndarray
    # coverage gaps, in coverage_gaps order
    gap_person: np.ndarray
    gap_line: np.ndarray
    gap_priority: np.ndarray
    lines: list[str]
    household_gaps: np.ndarray
    hh_gap_start: np.ndarray
    person_gaps: np.ndarray
    person_gap_start: np.ndarray
    # warm leads, in their ranking order
    lead_person: np.ndarray
    lead_via: np.ndarray
    lead_relation: np.ndarray
    relations: list[str]
    lead_open_gaps: np.ndarray
    lead_top_line: np.ndarray
    lead_protection_gap: np.ndarray
    lead_score: np.ndarray
    lead_reason: pa.Array
    # super-user ranking
    ranking: np.ndarray
    tier_ranking: np.ndarray
    tier_start: np.ndarray
    # future value (docs/metrics.md section 10); empty arrays when the model did not fit
    value_model: str  # "fitted", or why not
    fv_p_alive: np.ndarray
    fv_expected_purchases: np.ndarray
    fv_expected_value: np.ndarray
    fv_clv: np.ndarray
    fv_crv: np.ndarray
    fv_segment: np.ndarray  # code into SEGMENTS
    fv_at_risk: np.ndarray

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_graph(cls, g: CustomerGraph) -> Snapshot:
        """Run the analyses once and lay their results out for lookups.

        Parameters
        ----------
        g : CustomerGraph

        Returns
        -------
        Snapshot
            Holds no reference to ``g``: drop the graph afterwards to free it.

        Notes
        -----
        Runs :func:`famgraph.households`, :func:`famgraph.coverage_gaps`,
        :func:`famgraph.household_summary`, :func:`famgraph.super_users`,
        :func:`famgraph.referral_value`, :func:`famgraph.warm_leads`,
        :func:`famgraph.predict_value` and :func:`famgraph.value_segments` (default
        options; the value figures are left out, with the reason, when the book cannot
        support a fit) and ``g.quality_report()``, then O(V + K) array passes, one Arrow
        hash lookup of every id column and a few stable sorts (V persons, K gap
        rows). Memory: about 150 bytes per person and 16 per gap row in arrays,
        plus the texts (ids, family ids, reasons, lead reasons).
        """
        n = g.n_people
        hh = households(g)
        gaps = coverage_gaps(g)
        summary = household_summary(g)
        su = super_users(g)
        rv = referral_value(g)
        leads = warm_leads(g)
        fv = _future_value(g)
        nh, k, m = len(summary), len(gaps), len(summary)
        ix = np.int32 if max(n, k, nh) < 2**31 - 1 else np.int64

        # every person-id column in one Arrow hash pass; household ids in another
        gp, ref, root, top, lp, lv = (
            a.astype(ix)
            for a in lookup_ids(
                g.people["person_id"],
                gaps["person_id"],
                rv["referred_by"],
                rv["root_id"],
                summary["top_gap_person"],
                leads["person_id"],
                leads["via_person_id"],
            )
        )
        hh_row: np.ndarray = lookup_ids(summary["household_id"], hh["household_id"])[0].astype(ix)

        role_code, roles = _codes(hh["role"])
        tier_code = pd.Categorical(su["tier"], categories=list(TIERS)).codes.astype(np.int8)
        line_code, lines = _codes(
            pd.concat([gaps["line"], summary["top_gap_line"], leads["top_gap_line"]])
        )
        gap_hh = hh_row[gp]
        household_gaps, hh_gap_start = _csr(gap_hh, nh)
        person_gaps, person_gap_start = _csr(gp, n)

        members = np.lexsort((g.id_rank, hh_row)).astype(ix)  # by household, then id
        member_start = np.zeros(nh + 1, dtype=np.int64)
        np.cumsum(np.bincount(hh_row[hh_row >= 0], minlength=nh), out=member_start[1:])
        members = members[int((hh_row < 0).sum()) :]  # persons without a household: none

        lead_row = np.full(n, -1, dtype=ix)
        lead_row[lp] = np.arange(len(leads), dtype=ix)
        rel_code, relations = _codes(leads["relation"])

        score = su["score"].to_numpy(dtype=float)
        ranking = np.lexsort((g.id_rank, -score)).astype(ix)
        by_tier, tier_start = _csr(tier_code[ranking], len(TIERS))
        tier_ranking = ranking[by_tier]

        q = g.quality_report()
        quality = [
            {str(c): (v if isinstance(v, str) else int(v)) for c, v in row.items()}
            for row in q.to_dict("records")
        ]
        rej = g.rejects.groupby(["table", "reason"], sort=True).size()
        rejects_by_reason = [
            {"table": str(t), "reason": str(r), "rows": int(c)}
            for t, r, c in zip(
                rej.index.get_level_values(0), rej.index.get_level_values(1), rej, strict=True
            )
        ]
        customers = int(g.is_customer.sum())
        counts = {
            "people": n,
            "customers": customers,
            "prospects": n - customers,
            "households": nh,
            "relations": len(g.relations),
            "referrals": len(g.referrals),
            "holdings": len(g.holdings),
            "rejects": len(g.rejects),
            "gaps": k,
            "leads": len(leads),
        }

        def ints(col: pd.Series) -> np.ndarray:
            return col.to_numpy(dtype=np.int64).astype(ix)

        def floats(col: pd.Series) -> np.ndarray:
            return col.to_numpy(dtype=float, na_value=np.nan)

        return cls(
            as_of=pd.Timestamp(g.as_of).date(),
            loaded_at=datetime.now(UTC).replace(microsecond=0),
            version=__version__,
            counts=counts,
            quality=quality,
            rejects_by_reason=rejects_by_reason,
            persons=IdIndex(g.people["person_id"]),
            is_customer=np.array(g.is_customer, dtype=bool),
            hh_row=hh_row,
            family_id=_arrow(hh["family_id"]),
            role_code=role_code,
            roles=roles,
            tier_code=tier_code,
            score=score,
            frequency=ints(su["frequency"]),
            recency_days=floats(su["recency_days"]),
            monetary=floats(su["monetary"]),
            active_quarters=ints(su["active_quarters"]).astype(np.int16),
            influence=floats(su["influence"]),
            reasons=_arrow(su["reasons"]),
            referred_by=ref,
            root=root,
            generation=ints(rv["generation"]),
            direct_referrals=ints(rv["direct_referrals"]),
            converted_referrals=ints(rv["converted_referrals"]),
            cascade_size=ints(rv["cascade_size"]),
            depth=ints(rv["depth"]),
            chain_value=floats(rv["chain_value"]),
            lead_row=lead_row,
            households=IdIndex(summary["household_id"]),
            hh_members=ints(summary["members"]),
            hh_customers=ints(summary["customers"]),
            hh_penetration=floats(summary["penetration"]),
            hh_required=ints(summary["required"]),
            hh_covered=ints(summary["covered"]),
            hh_coverage_ratio=floats(summary["coverage_ratio"]),
            hh_coverage_score=floats(summary["coverage_score"]),
            hh_protection_gap=floats(summary["protection_gap"]),
            hh_top_person=top,
            hh_top_line=line_code[k : k + m],
            members=members,
            member_start=member_start,
            gap_person=gp,
            gap_line=line_code[:k],
            gap_priority=gaps["priority"].to_numpy(dtype=np.int64).astype(np.int16),
            lines=lines,
            household_gaps=household_gaps,
            hh_gap_start=hh_gap_start,
            person_gaps=person_gaps,
            person_gap_start=person_gap_start,
            lead_person=lp,
            lead_via=lv,
            lead_relation=rel_code,
            relations=relations,
            lead_open_gaps=ints(leads["open_gaps"]),
            lead_top_line=line_code[k + m :],
            lead_protection_gap=floats(leads["protection_gap"]),
            lead_score=floats(leads["lead_score"]),
            lead_reason=_arrow(leads["reason"]),
            ranking=ranking,
            tier_ranking=tier_ranking,
            tier_start=tier_start,
            **fv,
        )

    # -- small helpers ----------------------------------------------------------------
    @property
    def n_people(self) -> int:
        """Number of persons."""
        return len(self.persons)

    def _pid(self, i: int) -> str | None:
        return None if i < 0 else self.persons.text(i)

    def _hid(self, j: int) -> str | None:
        return None if j < 0 else self.households.text(j)

    def _line(self, code: int) -> str | None:
        return None if code < 0 else self.lines[code]

    def _role(self, i: int) -> str | None:
        c = int(self.role_code[i])
        return None if c < 0 else self.roles[c]

    def _purchases(self, i: int) -> dict[str, Any]:
        rec = float(self.recency_days[i])
        return {
            "frequency": int(self.frequency[i]),
            "recency_days": None if math.isnan(rec) else int(rec),
            "monetary": _num(self.monetary[i]),
            "active_quarters": int(self.active_quarters[i]),
        }

    # -- rows ---------------------------------------------------------------------------
    def person(self, person_id: str) -> dict[str, Any] | None:
        """Everything the service tells about one person, or ``None`` for an unknown id.

        Cost O(1) expected, plus O(k) for the person's k gaps.
        """
        i = self.persons.get(person_id)
        if i < 0:
            return None
        t = int(self.tier_code[i])
        lead = int(self.lead_row[i])
        rows = self.person_gaps[int(self.person_gap_start[i]) : int(self.person_gap_start[i + 1])]
        return {
            "person_id": person_id,
            "is_customer": bool(self.is_customer[i]),
            "household_id": self._hid(int(self.hh_row[i])),
            "family_id": _text(self.family_id, i),
            "role": self._role(i),
            "relationship": {
                "tier": TIERS[t],
                "score": _num(self.score[i]),
                "is_super": t == _SUPER,
                "influence": _num(self.influence[i]),
                "reasons": _text(self.reasons, i),
            },
            "purchases": self._purchases(i),
            "referrals": {
                "referred_by": self._pid(int(self.referred_by[i])),
                "root_id": self._pid(int(self.root[i])),
                "generation": int(self.generation[i]),
                "direct_referrals": int(self.direct_referrals[i]),
                "converted_referrals": int(self.converted_referrals[i]),
                "cascade_size": int(self.cascade_size[i]),
                "depth": int(self.depth[i]),
                "chain_value": _num(self.chain_value[i]),
            },
            "gaps": [
                {"line": self._line(int(self.gap_line[r])), "priority": int(self.gap_priority[r])}
                for r in rows.tolist()
            ],
            "lead": None if lead < 0 else self._lead(lead),
            "future_value": self._future(i),
        }

    def _future(self, i: int) -> dict[str, Any] | None:
        if self.value_model != "fitted":
            return None
        return {
            "p_alive": _num(self.fv_p_alive[i]),
            "expected_purchases": _num(self.fv_expected_purchases[i]),
            "expected_value": _num(self.fv_expected_value[i]),
            "clv": _num(self.fv_clv[i]),
            "crv": _num(self.fv_crv[i]),
            "segment": SEGMENTS[int(self.fv_segment[i])],
            "at_risk": bool(self.fv_at_risk[i]),
        }

    def household(self, household_id: str) -> dict[str, Any] | None:
        """Summary, members and gaps (priority order) of one household, or ``None``.

        Cost O(1) expected, plus O(m + k) for its m members and k gaps.
        """
        j = self.households.get(household_id)
        if j < 0:
            return None
        mem = self.members[int(self.member_start[j]) : int(self.member_start[j + 1])].tolist()
        rows = self.household_gaps[int(self.hh_gap_start[j]) : int(self.hh_gap_start[j + 1])]
        return {
            "household_id": household_id,
            "summary": {
                "members": int(self.hh_members[j]),
                "customers": int(self.hh_customers[j]),
                "penetration": _num(self.hh_penetration[j]),
                "required": int(self.hh_required[j]),
                "covered": int(self.hh_covered[j]),
                "coverage_ratio": _num(self.hh_coverage_ratio[j]),
                "coverage_score": _num(self.hh_coverage_score[j]),
                "protection_gap": _num(self.hh_protection_gap[j]),
                "top_gap_person": self._pid(int(self.hh_top_person[j])),
                "top_gap_line": self._line(int(self.hh_top_line[j])),
            },
            "members": [
                {
                    "person_id": self.persons.text(p),
                    "role": self._role(p),
                    "is_customer": bool(self.is_customer[p]),
                    "tier": TIERS[int(self.tier_code[p])],
                    "score": _num(self.score[p]),
                }
                for p in mem
            ],
            "gaps": [
                {
                    "person_id": self.persons.text(p),
                    "role": self._role(p),
                    "line": self._line(int(self.gap_line[r])),
                    "priority": int(self.gap_priority[r]),
                    "is_customer": bool(self.is_customer[p]),
                }
                for r in rows.tolist()
                for p in (int(self.gap_person[r]),)
            ],
        }

    def _lead(self, r: int) -> dict[str, Any]:
        p, v = int(self.lead_person[r]), int(self.lead_via[r])
        rel = int(self.lead_relation[r])
        return {
            "person_id": self.persons.text(p),
            "via_person_id": self.persons.text(v),
            "via_tier": TIERS[int(self.tier_code[v])],
            "relation": None if rel < 0 else self.relations[rel],
            "household_id": self._hid(int(self.hh_row[p])),
            "open_gaps": int(self.lead_open_gaps[r]),
            "top_gap_line": self._line(int(self.lead_top_line[r])),
            "protection_gap": _num(self.lead_protection_gap[r]),
            "lead_score": _num(self.lead_score[r]),
            "reason": _text(self.lead_reason, r),
        }

    def leads(self, *, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """Number of warm leads and the page ``[offset, offset + limit)``, best first.

        Cost O(limit), column by column.
        """
        total = len(self.lead_person)
        r = np.arange(min(offset, total), min(offset + limit, total))
        p, v = self.lead_person[r], self.lead_via[r]
        h = self.hh_row[p]
        cols = [
            self.persons.texts(p),
            self.persons.texts(v),
            _vocab(list(TIERS), self.tier_code[v]),
            _vocab(self.relations, self.lead_relation[r]),
            self.households.texts(h),
            self.lead_open_gaps[r].tolist(),
            _vocab(self.lines, self.lead_top_line[r]),
            _nums(self.lead_protection_gap[r]),
            _nums(self.lead_score[r]),
            _take(self.lead_reason, r),
        ]
        return total, [dict(zip(_LEAD_KEYS, row, strict=True)) for row in zip(*cols, strict=True)]

    def super_users(
        self, *, tier: str | None, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """Persons by score (highest first, then person_id), all or of one tier: total, page.

        Cost O(limit), column by column: the rankings are precomputed.
        """
        if tier is None:
            order = self.ranking
        else:
            t = TIERS.index(tier)
            order = self.tier_ranking[int(self.tier_start[t]) : int(self.tier_start[t + 1])]
        p = order[offset : offset + limit]
        codes = self.tier_code[p]
        cols = [
            self.persons.texts(p),
            _vocab(list(TIERS), codes),
            _nums(self.score[p]),
            (codes == _SUPER).tolist(),
            self.frequency[p].tolist(),
            _whole(self.recency_days[p]),
            _nums(self.monetary[p]),
            self.active_quarters[p].tolist(),
            self.converted_referrals[p].tolist(),
            _nums(self.chain_value[p]),
            _nums(self.influence[p]),
            _take(self.reasons, p),
        ]
        return len(order), [
            dict(zip(_SUPER_USER_KEYS, row, strict=True)) for row in zip(*cols, strict=True)
        ]
