"""The naive networkx / pandas reference for every analysis, and fast-vs-naive timings.

Importable (the parity tests use it) and runnable::

    .venv/bin/python benchmarks/naive_networkx.py --people 200000

builds a synthetic book (``fg.datasets.synthetic``), times each analysis the fast
way (``famgraph``) and the naive way (this module), checks that both agree and
prints a table with the speed-up.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pandas as pd
from _naive_coverage import naive_coverage_gaps, naive_household_summary
from _naive_referrals import (
    naive_influence,
    naive_referral_value,
    naive_super_users,
    naive_value_metrics,
    naive_viral_coefficient,
)

__all__ = [
    "naive_coverage_gaps",
    "naive_household_summary",
    "naive_influence",
    "naive_referral_value",
    "naive_super_users",
    "naive_value_metrics",
    "naive_viral_coefficient",
]


def _timed(f: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def _fresh_influence_memo() -> None:
    # fast influence memoises per graph; clear it so each fast timing is cold
    import importlib

    importlib.import_module("famgraph.analysis.influence")._MEMO.clear()


def main(argv: list[str] | None = None) -> None:
    import famgraph as fg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    g = fg.build(**fg.datasets.synthetic(args.people, args.seed))
    _ = g.rel_src, g.referrer, g.is_customer, g.rel_is_social, g.hold_person, g.id_rank
    print(f"book: {g!r}", flush=True)
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("coverage_gaps", lambda: fg.coverage_gaps(g), lambda: naive_coverage_gaps(g)),
        ("household_summary", lambda: fg.household_summary(g), lambda: naive_household_summary(g)),
        ("referral_value", lambda: fg.referral_value(g), lambda: naive_referral_value(g)),
        ("viral_coefficient", lambda: fg.viral_coefficient(g), lambda: naive_viral_coefficient(g)),
        ("influence", lambda: fg.influence(g), lambda: naive_influence(g)),
        ("super_users", lambda: fg.super_users(g), lambda: naive_super_users(g)),
    ]
    rows = []
    for name, fast, naive in cases:
        _fresh_influence_memo()
        tf, a = _timed(fast)
        _fresh_influence_memo()
        tn, b = _timed(naive)
        if name == "super_users":
            # the naive side ranks its own networkx influence: near-ties may swap
            # places, so compare everything but score / reasons exactly
            cols = [c for c in a.columns if c not in ("score", "reasons", "influence")]
            try:
                pd.testing.assert_frame_equal(a[cols], b[cols], rtol=1e-9)
                agree = bool(
                    np.abs(a.influence.to_numpy() - b.influence.to_numpy()).max(initial=0) <= 1e-6
                )
            except AssertionError:
                agree = False
            print(
                f"  super_users: max |score difference| = "
                f"{float(np.abs(a.score.to_numpy() - b.score.to_numpy()).max(initial=0)):.3g}"
            )
        elif isinstance(a, pd.Series):
            agree = bool(np.abs(a.to_numpy() - b.to_numpy()).max(initial=0) <= 1e-6)
        else:
            try:
                pd.testing.assert_frame_equal(a, b, rtol=1e-9)
                agree = True
            except AssertionError:
                agree = False
        rows.append((name, tf, tn, tn / tf, agree))
        print(
            f"{name:<18} fast {tf:8.2f} s   naive {tn:9.2f} s   x{tn / tf:7.1f}   agree={agree}",
            flush=True,
        )
    tf_all = sum(r[1] for r in rows)
    tn_all = sum(r[2] for r in rows)
    print()
    print("| analysis | fast (s) | naive (s) | speed-up | same result |")
    print("|---|---:|---:|---:|---|")
    for name, tf, tn, x, agree in rows:
        print(f"| {name} | {tf:.2f} | {tn:.2f} | {x:.0f}x | {'yes' if agree else 'NO'} |")
    print(f"| **all** | {tf_all:.2f} | {tn_all:.2f} | {tn_all / tf_all:.0f}x | |")


if __name__ == "__main__":
    main()
