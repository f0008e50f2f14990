"""Example data: the small bundled sample book, the synthetic book generator, CSV export.

* :func:`sample` / :func:`sample_tables` / :func:`write_sample` -- fifteen hand-made
  people, used by the docs and doctests;
* :func:`synthetic` -- a realistic book of any size (families, referrals, policies
  and who pays for them), optionally with every kind of problem row;
* :func:`write_book` -- tables as the CSV files a customer system exports, in
  UTF-8 or GBK, with ISO or Chinese date and yes/no forms.
"""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from famgraph._validation import check_param
from famgraph.datasets._book import Book
from famgraph.datasets._dirty import make_dirty
from famgraph.datasets._util import day
from famgraph.datasets._write import FORMS, write_book
from famgraph.graph import CustomerGraph

__all__ = ["FORMS", "sample", "sample_tables", "synthetic", "write_book", "write_sample"]

_SAMPLE = ("people", "relations", "referrals", "holdings")


def _sample_dir() -> Path:
    return Path(str(resources.files("famgraph") / "data" / "sample"))


def sample_tables() -> dict[str, pd.DataFrame]:
    """The bundled sample book as raw tables (text columns, as read from CSV).

    Fifteen people in four families, with Chinese and Latin names, a referral
    chain three generations deep, and three deliberately bad rows (a self
    relation, an unknown person, a negative amount) plus a referral cycle.

    Examples
    --------
    >>> sorted(sample_tables())
    ['holdings', 'people', 'referrals', 'relations']
    """
    from famgraph.ingest import read_table

    return {name: read_table(_sample_dir() / f"{name}.csv", name) for name in _SAMPLE}


def sample() -> CustomerGraph:
    """The bundled sample book, built: what the docs and doctests use.

    Examples
    --------
    >>> g = sample()
    >>> g.n_people
    15
    """
    from famgraph.ingest import build

    t = sample_tables()
    return build(t["people"], t["relations"], t["referrals"], t["holdings"])


def write_sample(path: str | os.PathLike[str]) -> None:
    """Copy the sample book's four CSV files into the folder ``path`` (created if needed).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); write_sample(d); sorted(os.listdir(d))
    ['holdings.csv', 'people.csv', 'referrals.csv', 'relations.csv']
    """
    dest = Path(path)
    dest.mkdir(parents=True, exist_ok=True)
    for name in _SAMPLE:
        shutil.copyfile(_sample_dir() / f"{name}.csv", dest / f"{name}.csv")


def synthetic(
    n_people: int = 10_000,
    seed: int = 0,
    *,
    dirty: bool = False,
    chinese_names: bool = True,
    as_of: str = "2025-06-30",
) -> dict[str, pd.DataFrame]:
    """A realistic synthetic customer book: the four raw input tables for :func:`famgraph.ingest`.

    The population follows an ageing age pyramid. Adults form couples of similar
    age; children are attached to a couple 18-45 years older (so some are minors
    and some adults), which gives parents, grandparents and siblings; a few other
    relatives and social ties (friend, colleague, neighbour, acquaintance) are
    added. Relation labels mix English and Chinese synonyms (``wife``, ``丈夫``,
    ``配偶``, ``外婆`` ...), and some facts are given twice, once from each side,
    so that :func:`~famgraph.ingest` merges them. People with relations may be
    prospects (``is_customer`` False, no holdings, no ``joined_at``); people
    without any relation are always customers. Customers join over the 15
    years before ``as_of`` (more recently more often); the latest joiner joins
    on ``as_of``, so ``build`` infers the same ``as_of``. Incomes are
    log-normal with zeros and unknowns (NaN); about 12 % of couples and their
    minor children carry a ``household_id``; 0.3 % of people have a ``role``
    override.

    Referrals form a heavy-tailed forest: about 30 % of adult customers ever
    refer, with Pareto(1.3) weights, and each referee picks a referrer among the
    customers who joined strictly earlier, so a few people refer hundreds,
    chains run several generations deep and there is no cycle. ``referred_at``
    lies after the referrer joined and within 30 days before the referee
    joined; 96 % of referees are customers (their ``channel`` is ``referral``,
    and nobody else's is), the others prospects referred but not converted.

    Holdings cover every plan line (life, critical_illness, medical, accident,
    pension, savings, education, annuity, travel, long_term_care); medical and
    accident policies renew yearly (each renewal a row expiring one year later)
    until they lapse; term products expire, whole-life ones are open-ended
    (``NaT``); ``sum_assured`` is NaN for savings, pension and annuity.

    Every holding names its policyholder (``payer_id``) and the insured's relation
    to them (``payer_relation``, mixed English and Chinese: ``本人`` / ``self``,
    ``女儿``, ``外孙``, ``配偶``, ``父亲`` ...): parents pay for their minor
    children, grandparents for about 30 % of the grandchildren's policies when
    one of them is a customer, spouses for each other (15 %), adult children for
    their elderly parents (30 %); about 15 % of holdings are paid by someone
    other than the insured. Some of those facts are not among the declared
    relations, so policies add family ties. About 8 % of dated social ties and
    1.5 % of dated marriages have ended (``until``).

    Parameters
    ----------
    n_people : int, default 10_000
        Rows of ``people``. Other tables scale linearly: about 1.5 relations,
        0.4 referrals and 3 holdings per person.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same seed gives equal tables.
    dirty : bool, default False
        Add problem rows: for every reject reason of its table, 0.5 % of the
        table's clean rows (rounded, at least one unless the table is empty) --

        * people: ``missing_value`` (empty person_id), ``bad_type`` (unreadable
          is_customer / role), ``duplicate_id`` (a known id with other values),
          plus as many identical copies (merged); cell issues: unreadable
          birth_date / annual_income / joined_at, negative income;
        * relations: ``missing_value``, ``unknown_relation``, ``self_relation``,
          ``unknown_person``, ``conflicting_relation`` (a spouse pair also given as
          parent and child: the original rows of the pair are rejected too), plus
          copies given from the other side (merged); cell issues: unreadable
          ``since``, ``until`` before ``since``;
        * referrals: ``missing_value``, ``bad_type`` rows (unreadable
          referred_at), ``self_referral``, ``unknown_person``,
          ``duplicate_referee`` (a later or undated second referrer),
          ``referral_cycle`` (a referee referring back to the root of their
          chain, latest), plus exact copies (merged);
        * holdings: ``missing_value``, ``bad_type`` (amount / purchased_at /
          expires_at / sum_assured), ``negative_amount``, ``unknown_person``,
          ``duplicate_id`` (a known holding_id with another amount), plus
          identical copies (merged); cell issues: a payer naming nobody, a
          payer_relation outside the vocabulary, ``本人`` with another payer;
        * policy_relations: ``missing_value`` (no payer_id), ``self_relation``,
          ``unknown_person``, ``conflicting_relation`` (a wife "paid by her
          father", her husband: every family row of the couple goes).

        Columns holding unreadable text become ``object`` dtype. Extra columns
        ``city`` (people) and ``agent_id`` (holdings) are added, and relations
        get a ``source`` (``crm``, ``agent_app``, ``web_form``); ``build``
        carries them along. Every row of ``dirty=False`` with the
        same seed is there too (plus the extra columns), in a different order.
    chinese_names : bool, default True
        Chinese names (surname + one or two given characters; about 8 % Latin
        names); when false, Latin names only. Children take their father's surname.
    as_of : str, default "2025-06-30"
        The book's date: nothing happens after it.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``people``, ``relations``, ``referrals``, ``holdings`` with the canonical
        columns of docs/metrics.md section 1: ids and labels as ``str``, dates as
        ``datetime64[us]``, numbers as ``float64``, ``is_customer`` as bool.

    Raises
    ------
    ValueError
        When ``n_people`` is not a positive integer or ``as_of`` is not a date
        in the years 1900-2200.

    See Also
    --------
    sample : the small hand-made book used in the docs.
    write_book : write the tables as CSV files (UTF-8 or GBK, ISO or Chinese forms).

    Notes
    -----
    Fully vectorised (numpy and pyarrow, no per-row Python): O(N log N) time for
    N output rows. One million people (about 6 million rows in all) take 9-11 s
    of CPU on a busy 2-core VM and 1.3 GB peak memory
    (``benchmarks/results/build.md``).

    Examples
    --------
    >>> import famgraph as fg
    >>> tables = fg.datasets.synthetic(2_000, seed=1)
    >>> {name: len(df) > 0 for name, df in tables.items()}
    {'people': True, 'relations': True, 'referrals': True, 'holdings': True}
    >>> g = fg.build(**tables)
    >>> len(g.rejects), g.as_of
    (0, Timestamp('2025-06-30 00:00:00'))
    >>> dirty = fg.build(**fg.datasets.synthetic(2_000, seed=1, dirty=True))
    >>> sorted(set(dirty.rejects["reason"])) == sorted(fg.schema.REASONS)
    True
    """
    ok_n = isinstance(n_people, (int, np.integer)) and not isinstance(n_people, bool)
    check_param("synthetic", "n_people", n_people, ok_n and n_people >= 1, "a positive integer")
    try:
        at = pd.Timestamp(as_of)
        ok_at = not pd.isna(at) and 1900 <= at.year <= 2200
    except (TypeError, ValueError):
        ok_at = False
    check_param("synthetic", "as_of", as_of, ok_at, "a date in the years 1900-2200")
    rng = np.random.default_rng(seed)
    book = Book(rng, int(n_people), day(at), chinese_names)
    tables = book.tables()
    if dirty:
        tables = make_dirty(rng, tables, book.asof)
    return tables
