"""Example data: the small bundled sample book and the synthetic book generator."""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd

from famgraph.graph import CustomerGraph

__all__ = ["sample", "sample_tables", "write_sample"]

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
    from famgraph.build import read_table

    return {name: read_table(_sample_dir() / f"{name}.csv", name) for name in _SAMPLE}


def sample() -> CustomerGraph:
    """The bundled sample book, built: what the docs and doctests use.

    Examples
    --------
    >>> g = sample()
    >>> g.n_people
    15
    """
    from famgraph.build import build

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
