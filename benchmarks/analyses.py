"""Time every in-memory analysis on one synthetic book, in one process.

    .venv/bin/python benchmarks/analyses.py --people 1000000

Builds ``fg.datasets.synthetic(people, seed)`` with ``fg.build`` (timed apart),
then times, in this order and each once: households, coverage_gaps,
household_summary, referral_value, viral_coefficient, influence, super_users.
``super_users`` reuses the influence vector memoised by ``influence`` for the
same graph (as any session would); ``--cold-super-users`` also times it on a
fresh graph without that memo. Prints a Markdown table and the peak resident
memory of the process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import time
from collections.abc import Callable
from typing import Any


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _timed(f: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def main(argv: list[str] | None = None) -> None:
    import famgraph as fg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cold-super-users", action="store_true")
    args = ap.parse_args(argv)

    t_gen, tables = _timed(lambda: fg.datasets.synthetic(args.people, args.seed))
    t = time.perf_counter()
    g = fg.build(**tables)
    t_build = time.perf_counter() - t
    del tables
    print(f"book: {g!r}")
    print(f"synthetic {t_gen:.2f} s, build {t_build:.2f} s", flush=True)
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("households", lambda: fg.households(g)),
        ("coverage_gaps", lambda: fg.coverage_gaps(g)),
        ("household_summary", lambda: fg.household_summary(g)),
        ("referral_value", lambda: fg.referral_value(g)),
        ("viral_coefficient", lambda: fg.viral_coefficient(g)),
        ("influence", lambda: fg.influence(g)),
        ("super_users", lambda: fg.super_users(g)),
    ]
    rows = []
    for name, f in cases:
        t, out = _timed(f)
        rows.append((name, t, len(out)))
        print(f"{name:<18} {t:7.2f} s  ({len(out):,} rows)", flush=True)
        del out
    total = sum(r[1] for r in rows)
    cold = None
    if args.cold_super_users:
        g2 = fg.build(**fg.datasets.synthetic(args.people, args.seed))
        _ = g2.rel_src, g2.referrer, g2.is_customer, g2.rel_is_social, g2.hold_person
        cold, _ = _timed(lambda: fg.super_users(g2))
        print(f"super_users on a fresh graph (PageRank included): {cold:.2f} s")

    print()
    print(
        f"Command: `.venv/bin/python benchmarks/analyses.py --people {args.people}"
        f"{' --cold-super-users' if args.cold_super_users else ''}`  "
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average at the end {os.getloadavg()[0]:.1f}  "
    )
    print(f"Book: {g!r}; build {t_build:.2f} s (not in the total)")
    print()
    print("| analysis | seconds | rows |")
    print("|---|---:|---:|")
    for name, t, n in rows:
        print(f"| {name} | {t:.2f} | {n:,} |")
    print(f"| **all seven** | **{total:.2f}** | |")
    if cold is not None:
        print(f"| super_users, fresh graph (own PageRank) | {cold:.2f} | |")
    print()
    print(f"Peak RSS of the process: {_peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
