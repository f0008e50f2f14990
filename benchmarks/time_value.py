"""Time the book in time and its value still to come on one synthetic book.

    .venv/bin/python benchmarks/time_value.py --people 1000000 --runs 3

Builds ``fg.datasets.synthetic(people, seed)`` once, then, ``--runs`` times on a fresh
graph over the same tables (so nothing is memoised between runs): ``g.at(since)``,
``fg.tier_transitions(g, since)`` (which computes the tiers at both dates, PageRank
included), ``fg.fit_value_model(g)``, ``fg.predict_value(g, model)`` and
``fg.value_segments(g, model=model)``; ``since`` is six months before ``as_of``.
Prints a Markdown table (min / median / max) and the peak resident memory.
Targets at 1M people: ``g.at`` + ``tier_transitions`` <= 5 s, fit <= 5 s, predict
<= 2 s, peak <= 2.5 GB.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
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
    import pandas as pd

    import famgraph as fg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)

    built = fg.build(**fg.datasets.synthetic(args.people, args.seed))
    since = (built.as_of - pd.DateOffset(months=6)).normalize()
    print(f"book: {built!r}; since {since.date()}", flush=True)
    steps = ("g.at(since)", "tier_transitions", "at + transitions", "fit_value_model")
    steps += ("predict_value", "value_segments")
    times: dict[str, list[float]] = {s: [] for s in steps}
    for run in range(args.runs):
        g = fg.CustomerGraph(  # a fresh graph: no memo, the same tables and index arrays
            built.people,
            built.relations,
            built.referrals,
            built.holdings,
            as_of=built.as_of,
            codes=dict(built._edge_codes),
            id_rank=built.id_rank,
        )
        t_at, _ = _timed(lambda g=g: g.at(since))
        t_tr, moves = _timed(lambda g=g: fg.tier_transitions(g, since))
        t_fit, model = _timed(lambda g=g: fg.fit_value_model(g))
        t_pred, _ = _timed(lambda g=g, model=model: fg.predict_value(g, model))
        t_seg, seg = _timed(lambda g=g, model=model: fg.value_segments(g, model=model))
        for name, t in zip(steps, (t_at, t_tr, t_at + t_tr, t_fit, t_pred, t_seg), strict=True):
            times[name].append(t)
        up = int((moves["change"] == "up").sum())
        print(
            f"run {run + 1}: at {t_at:.2f} s, transitions {t_tr:.2f} s ({up:,} up), "
            f"fit {t_fit:.2f} s, predict {t_pred:.2f} s, segments {t_seg:.2f} s "
            f"({int(seg['at_risk'].sum()):,} at risk)",
            flush=True,
        )
        del g, moves, seg, model
    print()
    print(
        f"Command: `.venv/bin/python benchmarks/time_value.py --people {args.people} "
        f"--seed {args.seed} --runs {args.runs}`  "
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load average at the end {os.getloadavg()[0]:.1f}  "
    )
    print(f"Book: {built!r}; since = {since.date()}")
    print()
    print("| step | min s | median s | max s | target |")
    print("|---|---:|---:|---:|---|")
    targets = {"at + transitions": 5.0, "fit_value_model": 5.0, "predict_value": 2.0}
    for name in steps:
        v = times[name]
        goal = f"<= {targets[name]:g} s" if name in targets else ""
        print(f"| {name} | {min(v):.2f} | {statistics.median(v):.2f} | {max(v):.2f} | {goal} |")
    print()
    print(f"Peak RSS of the process (generation and build included): {_peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
