"""CustomerGraph: the normalised tables plus the integer index arrays analyses use.

A :class:`CustomerGraph` is what :func:`famgraph.ingest` returns. It holds the four
normalised tables (see ``docs/data-model.md``) and, computed once on first use,
integer arrays that let every analysis work without per-row Python:

* person ``i`` is row ``i`` of :attr:`CustomerGraph.people`;
* :attr:`CustomerGraph.rel_src` / :attr:`CustomerGraph.rel_dst` give the person
  index of both ends of every relation row (``child`` / ``grandchild`` rows point
  from the elder to the younger generation);
* :attr:`CustomerGraph.ref_src` / :attr:`CustomerGraph.ref_dst` do the same for
  kept referrals (referrer -> referee) and :attr:`CustomerGraph.referrer` maps each
  person to their referrer's index (``-1`` for none);
* :attr:`CustomerGraph.hold_person` maps every holding row to its (insured) person
  index, :attr:`CustomerGraph.hold_buyer` to the person who pays for it (its
  ``payer_id`` when given, else the insured person).

networkx views (:meth:`CustomerGraph.family_graph`,
:meth:`CustomerGraph.referral_graph`) are built on demand, for drawing and for
small graphs; they warn before converting a very large graph.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import pandas as pd

from famgraph._arrays import id_rank as _id_rank
from famgraph._arrays import lookup_ids
from famgraph._tables import conform, empty_issues, empty_rejects, infer_as_of
from famgraph._validation import check_date
from famgraph.schema import (
    ACCOUNTED_TABLES,
    FAMILY_KINDS,
    POLICY_RELATION_COLUMNS,
    QUALITY_COLUMNS,
    SOCIAL_KINDS,
    SOURCE_POLICY,
    TABLES,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["CustomerGraph", "LargeGraphWarning", "relations_active"]

T = TypeVar("T")

#: Above this many nodes, the networkx views warn before converting.
LARGE_GRAPH_NODES = 200_000


class LargeGraphWarning(UserWarning):
    """Converting a very large graph to networkx: slow and memory hungry."""


class CustomerGraph:
    """One validated customer book: normalised tables and their index arrays.

    Build it with :func:`famgraph.ingest` or :func:`famgraph.read_dir`; code that
    already holds normalised tables (the Neo4j store's ``load``) uses
    :meth:`from_tables`.

    Attributes
    ----------
    people, relations, referrals, holdings : pandas.DataFrame
        The normalised tables: canonical columns first (every canonical column is
        present, empty when not given), then extra input columns, RangeIndex.
    as_of : pandas.Timestamp
        The analysis date (docs/metrics.md section 3).
    rejects : pandas.DataFrame
        One row per rejected input row: ``table, row, reason, column, detail``.
    issues : pandas.DataFrame
        One row per emptied optional cell: ``table, row, column, reason, detail``.

    Examples
    --------
    >>> import famgraph as fg
    >>> g = fg.datasets.sample()
    >>> g.n_people == len(g.people)
    True
    >>> int((g.referrer >= 0).sum()) == len(g.referrals)
    True
    """

    def __init__(
        self,
        people: pd.DataFrame,
        relations: pd.DataFrame,
        referrals: pd.DataFrame,
        holdings: pd.DataFrame,
        *,
        as_of: pd.Timestamp,
        rejects: pd.DataFrame | None = None,
        issues: pd.DataFrame | None = None,
        quality: pd.DataFrame | None = None,
        codes: dict[str, np.ndarray] | None = None,
        id_rank: np.ndarray | None = None,
    ) -> None:
        self._people = people
        self._relations = relations
        self._referrals = referrals
        self._holdings = holdings
        self._as_of = pd.Timestamp(as_of)
        self._rejects = empty_rejects() if rejects is None else rejects
        self._issues = empty_issues() if issues is None else issues
        self._quality = quality
        self._codes = codes
        self._id_rank = id_rank
        #: results of pure functions of this graph (households by minor_age, PageRank by
        #: parameters, ...), so analyses that share a step compute it once. Safe because
        #: the tables cannot change: callers only ever get copy-on-write views of them.
        self._memo: dict[tuple[object, ...], Any] = {}

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            raise AttributeError(
                f"CustomerGraph is read-only, so its results can never go stale: `{name}` "
                "cannot be set. Build a new graph instead, e.g. "
                "fg.build(g.people.assign(...), g.relations, g.referrals, g.holdings)."
            )
        object.__setattr__(self, name, value)

    # -- the tables (read-only: every access returns a copy-on-write view) ---------
    @property
    def people(self) -> pd.DataFrame:
        """The normalised people table (a copy-on-write view: edits do not reach ``g``)."""
        return self._people.copy(deep=False)

    @property
    def relations(self) -> pd.DataFrame:
        """The normalised relations table (a copy-on-write view)."""
        return self._relations.copy(deep=False)

    @property
    def referrals(self) -> pd.DataFrame:
        """The kept referrals, a forest (a copy-on-write view)."""
        return self._referrals.copy(deep=False)

    @property
    def holdings(self) -> pd.DataFrame:
        """The normalised holdings table (a copy-on-write view)."""
        return self._holdings.copy(deep=False)

    @property
    def rejects(self) -> pd.DataFrame:
        """One row per rejected input row: ``table, row, reason, column, detail``."""
        return self._rejects.copy(deep=False)

    @property
    def issues(self) -> pd.DataFrame:
        """One row per optional descriptive cell emptied instead of rejecting its row.

        Columns ``table, row, column, reason, detail`` (``row`` is the 0-based input
        row). The row itself is kept or merged.

        Examples
        --------
        >>> import pandas as pd, famgraph as fg
        >>> g = fg.build(pd.DataFrame({"person_id": ["A"], "birth_date": ["1984年2月31日"]}))
        >>> g.issues[["table", "row", "column", "reason"]].values.tolist()
        [['people', 0, 'birth_date', 'bad_type']]
        """
        return self._issues.copy(deep=False)

    @property
    def policy_relations(self) -> pd.DataFrame:
        """The holdings that state a relation between payer and insured person.

        One row per kept holding whose ``payer_relation`` is neither empty nor
        ``self``: ``holding_id, payer_id, person_id, payer_relation, line,
        purchased_at, amount`` (``payer_relation`` is the insured's relation to the
        payer, e.g. ``grandchild``: grandparents pay). The facts they state join
        :attr:`relations` with ``source = "policy"`` unless they repeat a declared
        fact; ``quality_report()`` accounts for them as ``policy_relations``.

        Examples
        --------
        >>> import famgraph as fg
        >>> list(fg.datasets.sample().policy_relations.columns)[:4]
        ['holding_id', 'payer_id', 'person_id', 'payer_relation']
        """
        h = self._holdings
        rel = h["payer_relation"]
        states = rel.notna() & (rel != "self") & h["payer_id"].notna()
        return h.loc[states.to_numpy(dtype=bool), list(POLICY_RELATION_COLUMNS)].reset_index(
            drop=True
        )

    @property
    def as_of(self) -> pd.Timestamp:
        """The analysis date."""
        return self._as_of

    def memo(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per graph and ``key``; later calls return the stored result.

        The one memo of famgraph: analyses that share a step (households, PageRank,
        the coverage set-up) call it with a key naming the step and its parameters.
        It cannot go stale, because a graph's tables never change. DataFrames come
        back as copy-on-write views and arrays read-only, so a caller cannot alter
        the stored result either.

        Examples
        --------
        >>> import famgraph as fg
        >>> g = fg.datasets.sample()
        >>> calls = []
        >>> f = lambda: calls.append(1) or pd.DataFrame({"x": [1]})
        >>> _ = g.memo(("demo",), f); _ = g.memo(("demo",), f)
        >>> len(calls)
        1
        """
        if key not in self._memo:
            value = compute()
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            self._memo[key] = value
        out = self._memo[key]
        if isinstance(out, pd.DataFrame | pd.Series):
            return cast("T", out.copy(deep=False))
        return cast("T", out)

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_tables(
        cls,
        people: pd.DataFrame,
        relations: pd.DataFrame | None = None,
        referrals: pd.DataFrame | None = None,
        holdings: pd.DataFrame | None = None,
        *,
        as_of: pd.Timestamp | str | None = None,
    ) -> CustomerGraph:
        """Wrap tables that are already normalised (no validation, no rejects).

        This is the path for trusted tables -- e.g. those read back from Neo4j.
        Untrusted input goes through :func:`famgraph.ingest`, which validates.
        Tables are given the canonical column order; missing canonical columns are
        added empty.
        """
        tabs = {
            "people": people,
            "relations": relations,
            "referrals": referrals,
            "holdings": holdings,
        }
        conformed = {name: conform(name, tabs[name]) for name in TABLES}
        at = infer_as_of(conformed) if as_of is None else pd.Timestamp(as_of)
        return cls(
            conformed["people"],
            conformed["relations"],
            conformed["referrals"],
            conformed["holdings"],
            as_of=at,
        )

    # -- accounting ---------------------------------------------------------------
    def quality_report(self) -> pd.DataFrame:
        """Per table: ``rows_in = kept + merged + rejected``, and the cells emptied.

        Returns
        -------
        pandas.DataFrame
            Columns ``table, rows_in, kept, merged, rejected, cells_blanked``, one row
            per accounted table in the order people, relations, referrals, holdings,
            policy_relations (the facts holdings state through ``payer_relation``).

        Examples
        --------
        >>> import famgraph as fg
        >>> q = fg.datasets.sample().quality_report()
        >>> bool((q.rows_in == q.kept + q.merged + q.rejected).all())
        True
        """
        if self._quality is not None:
            return self._quality.copy()
        policy = int((self._relations["source"] == SOURCE_POLICY).sum())
        kept = [
            len(self._people),
            len(self._relations) - policy,
            len(self._referrals),
            len(self._holdings),
            policy,
        ]
        zeros = [0] * len(ACCOUNTED_TABLES)
        return pd.DataFrame(
            {
                "table": list(ACCOUNTED_TABLES),
                "rows_in": kept,
                "kept": kept,
                "merged": zeros,
                "rejected": zeros,
                "cells_blanked": zeros,
            },
            columns=list(QUALITY_COLUMNS),
        )

    # -- index arrays --------------------------------------------------------------
    @property
    def n_people(self) -> int:
        """Number of kept persons."""
        return len(self._people)

    def idx(self, ids: pd.Series | np.ndarray | list[str]) -> np.ndarray:
        """Integer positions of person ids; ``-1`` for ids not in people."""
        return lookup_ids(self._people["person_id"], pd.Series(ids, dtype="str"))[0]

    @cached_property
    def _edge_codes(self) -> dict[str, np.ndarray]:
        if self._codes is not None:
            codes = dict(self._codes)
            if "hold_buyer" not in codes:
                hb = lookup_ids(self._people["person_id"], self._holdings["payer_id"])[0]
                codes["hold_buyer"] = np.where(hb >= 0, hb, codes["hold_person"])
        else:
            rs, rd, fs, fd, hp, hb = lookup_ids(
                self._people["person_id"],
                self._relations["person_id"],
                self._relations["relative_id"],
                self._referrals["referrer_id"],
                self._referrals["referee_id"],
                self._holdings["person_id"],
                self._holdings["payer_id"],
            )
            codes = {
                "rel_src": rs,
                "rel_dst": rd,
                "ref_src": fs,
                "ref_dst": fd,
                "hold_person": hp,
                "hold_buyer": np.where(hb >= 0, hb, hp),
            }
        return {k: _frozen(v) for k, v in codes.items()}

    @property
    def rel_src(self) -> np.ndarray:
        """Person index of ``person_id`` of every relation row."""
        return self._edge_codes["rel_src"]

    @property
    def rel_dst(self) -> np.ndarray:
        """Person index of ``relative_id`` of every relation row."""
        return self._edge_codes["rel_dst"]

    @cached_property
    def id_rank(self) -> np.ndarray:
        """Rank of each person's id in string order (``min(person_id)`` without strings)."""
        rank = self._id_rank if self._id_rank is not None else _id_rank(self._people["person_id"])
        return _frozen(rank)

    @cached_property
    def rel_active(self) -> np.ndarray:
        """Boolean mask over relation rows: active at ``as_of`` (docs/metrics.md, section 9).

        A relation is active at a date d when (``since`` is empty or ``since <= d``) and
        (``until`` is empty or ``until > d``). Only active relations form household,
        family and social edges.
        """
        return _frozen(relations_active(self._relations, self._as_of))

    @cached_property
    def rel_is_family(self) -> np.ndarray:
        """Boolean mask over relation rows: a family relation active at ``as_of``."""
        kind = np.asarray(self._relations["relation"].isin(FAMILY_KINDS), dtype=bool)
        return _frozen(kind & self.rel_active)

    @cached_property
    def rel_is_social(self) -> np.ndarray:
        """Boolean mask over relation rows: a social relation active at ``as_of``."""
        kind = np.asarray(self._relations["relation"].isin(SOCIAL_KINDS), dtype=bool)
        return _frozen(kind & self.rel_active)

    @property
    def ref_src(self) -> np.ndarray:
        """Person index of the referrer of every kept referral row."""
        return self._edge_codes["ref_src"]

    @property
    def ref_dst(self) -> np.ndarray:
        """Person index of the referee of every kept referral row."""
        return self._edge_codes["ref_dst"]

    @cached_property
    def referrer(self) -> np.ndarray:
        """For every person, the index of their referrer, or ``-1``."""
        out = np.full(self.n_people, -1, dtype=np.int64)
        out[self.ref_dst] = self.ref_src
        return _frozen(out)

    @property
    def hold_person(self) -> np.ndarray:
        """Person index of every holding row: the insured ``person_id`` (coverage)."""
        return self._edge_codes["hold_person"]

    @property
    def hold_buyer(self) -> np.ndarray:
        """Person index of who pays for every holding row: its payer, else the insured.

        The buyer-side figures -- value, frequency, recency, active quarters -- count
        a holding for this person; coverage stays with :attr:`hold_person`.
        """
        return self._edge_codes["hold_buyer"]

    @cached_property
    def is_customer(self) -> np.ndarray:
        """Boolean array over persons."""
        return _frozen(np.asarray(self._people["is_customer"].to_numpy(dtype=bool), dtype=bool))

    # -- time ----------------------------------------------------------------------
    def at(self, date: Any) -> CustomerGraph:
        """The same book seen at an earlier ``date`` (docs/metrics.md, section 9).

        Nothing is re-validated: the rows, rejects and the kept referral forest are
        those of this graph. At ``date``: ``as_of = date``; ages are taken at that
        date; holdings count only when ``purchased_at <= date`` (as every analysis
        already does for ``as_of``); a referral counts only when ``referred_at <=
        date`` (one without a date counts at every date); a person is a customer when
        ``is_customer`` and (``joined_at`` empty or ``joined_at <= date``); relations
        count while active at ``date``. Every analysis of ``g.at(date)`` follows the
        definitions with that ``as_of``.

        Parameters
        ----------
        date : date-like
            Not after ``g.as_of``; a date, a ``pandas.Timestamp`` or ISO text.

        Returns
        -------
        CustomerGraph
            A new graph sharing this one's tables (copy-on-write views): ``people``
            with ``is_customer`` at ``date``, ``referrals`` of ``date``; relations and
            holdings are the same rows, masked by date in the analyses.

        Notes
        -----
        Cheap by design, so a notebook can step through quarters: one pass over
        people (``is_customer``) and referrals (a mask), no id lookups. Cost O(V + R).

        Examples
        --------
        >>> import famgraph as fg
        >>> g = fg.datasets.sample()
        >>> old = g.at("2023-12-31")
        >>> old.as_of.date().isoformat(), len(old.referrals) < len(g.referrals)
        ('2023-12-31', True)
        >>> int(old.is_customer.sum()) < int(g.is_customer.sum())
        True
        """
        at = check_date("at", "date", date)
        if at > self._as_of:
            raise ValueError(
                f"The `date` parameter of `at` must not be after the book's as_of "
                f"({self._as_of.date()}); got {at.date()}. g.at() looks back in time; "
                "build the book with a later as_of to look further."
            )
        people = self._people.copy(deep=False)
        joined = people["joined_at"]
        cust = people["is_customer"].to_numpy(dtype=bool) & (
            joined.isna() | (joined <= at)
        ).to_numpy(dtype=bool, na_value=True)
        people["is_customer"] = cust
        when = self._referrals["referred_at"]
        keep = (when.isna() | (when <= at)).to_numpy(dtype=bool, na_value=True)
        referrals = self._referrals[keep].reset_index(drop=True)
        codes = dict(self._edge_codes)
        codes["ref_src"] = codes["ref_src"][keep]
        codes["ref_dst"] = codes["ref_dst"][keep]
        return CustomerGraph(
            people,
            self._relations,
            referrals,
            self._holdings,
            as_of=at,
            rejects=self._rejects,
            issues=self._issues,
            quality=self._quality,
            codes=codes,
            id_rank=self.id_rank,
        )

    # -- networkx views -------------------------------------------------------------
    def _check_size(self, what: str) -> None:
        if self.n_people > LARGE_GRAPH_NODES:
            warnings.warn(
                f"Building the networkx {what} of {self.n_people:,} persons is slow and "
                "uses a lot of memory; the analyses do not need it. Draw a subgraph, "
                "e.g. one household, instead.",
                LargeGraphWarning,
                stacklevel=3,
            )

    def family_graph(self) -> nx.Graph:
        """The family relations active at ``as_of`` as an undirected :class:`networkx.Graph`.

        Nodes are person ids with the people columns as attributes; edges carry
        ``relation`` (the canonical kind) and, for ``child`` / ``grandchild``
        edges, ``elder`` = the parent or grandparent's id.

        Examples
        --------
        >>> import famgraph as fg
        >>> G = fg.datasets.sample().family_graph()
        >>> G.number_of_nodes() == fg.datasets.sample().n_people
        True
        """
        import networkx as nx

        self._check_size("family graph")
        G = nx.Graph()
        G.add_nodes_from(_node_records(self.people))
        fam = self.relations[self.rel_is_family]
        for a, b, rel in zip(
            fam["person_id"].tolist(),
            fam["relative_id"].tolist(),
            fam["relation"].tolist(),
            strict=True,
        ):
            attrs: dict[str, Any] = {"relation": rel}
            if rel in ("child", "grandchild"):
                attrs["elder"] = a
            G.add_edge(a, b, **attrs)
        return G

    def referral_graph(self) -> nx.DiGraph:
        """The kept referrals as a :class:`networkx.DiGraph`, referrer -> referee.

        Examples
        --------
        >>> import famgraph as fg
        >>> g = fg.datasets.sample()
        >>> g.referral_graph().number_of_edges() == len(g.referrals)
        True
        """
        import networkx as nx

        self._check_size("referral graph")
        G = nx.DiGraph()
        G.add_nodes_from(_node_records(self.people))
        G.add_edges_from(
            (a, b, {"referred_at": t})
            for a, b, t in zip(
                self.referrals["referrer_id"].tolist(),
                self.referrals["referee_id"].tolist(),
                self.referrals["referred_at"].tolist(),
                strict=True,
            )
        )
        return G

    def __repr__(self) -> str:
        return (
            f"CustomerGraph(people={len(self.people):,}, relations={len(self.relations):,}, "
            f"referrals={len(self.referrals):,}, holdings={len(self.holdings):,}, "
            f"as_of={self.as_of.date()}, rejects={len(self.rejects):,})"
        )


def relations_active(relations: pd.DataFrame, at: pd.Timestamp) -> np.ndarray:
    """Mask over relation rows: active at ``at`` (``since <= at < until``, empty = open).

    Examples
    --------
    >>> rel = pd.DataFrame({"since": pd.to_datetime([None, "2020-01-01", "2025-01-01"]),
    ...                     "until": pd.to_datetime(["2024-06-01", None, None])})
    >>> relations_active(rel, pd.Timestamp("2024-06-01")).tolist()
    [False, True, False]
    """
    n = len(relations)
    since = relations["since"] if "since" in relations else pd.Series(pd.NaT, index=range(n))
    until = relations["until"] if "until" in relations else pd.Series(pd.NaT, index=range(n))
    started = (since.isna() | (since <= at)).to_numpy(dtype=bool, na_value=True)
    ongoing = (until.isna() | (until > at)).to_numpy(dtype=bool, na_value=True)
    return np.asarray(started & ongoing, dtype=bool)


def _frozen(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``: the graph's index arrays cannot be edited by callers."""
    v = a.view()
    v.flags.writeable = False
    return v


def _node_records(people: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    ids = people["person_id"].tolist()
    attrs: list[dict[str, Any]] = [
        {str(k): v for k, v in rec.items()}
        for rec in people.drop(columns=["person_id"]).to_dict("records")
    ]
    return list(zip(ids, attrs, strict=True))
