"""Time ``fg.fit_value_model`` and ``fg.predict_value`` on a synthetic book.

Run::

    .venv/bin/python benchmarks/value_model.py --people 1000000 --seed 0 --runs 5 \\
        --out benchmarks/results/value_model.md

Generates ``fg.datasets.synthetic(people, seed)`` and builds it (timed, for context),
then times ``fit_value_model(g)`` and ``predict_value(g, model)`` separately, ``--runs``
times each, and reports min and median. Each timing runs on a fresh ``CustomerGraph`` over
the same tables and index arrays (fits and transaction summaries are memoised per graph),
so both include the transaction summary: cold timings. Memory: the peak RSS of the whole process
(``ru_maxrss``, generation and build included) and the peak reached while the value
model runs (Linux ``VmHWM`` after resetting it through ``/proc/self/clear_refs`` once
the book is built). Prints Markdown and, with ``--out``, writes it to that file.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

TARGET_FIT_S = 5.0
TARGET_PREDICT_S = 2.0
TARGET_RSS_GB = 2.5


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _fresh(g: Any) -> Any:
    """The same book as a new CustomerGraph: same tables and index arrays, empty memo."""
    import famgraph as fg

    codes = {
        "rel_src": g.rel_src,
        "rel_dst": g.rel_dst,
        "ref_src": g.ref_src,
        "ref_dst": g.ref_dst,
        "hold_person": g.hold_person,
    }
    return fg.CustomerGraph(
        g.people, g.relations, g.referrals, g.holdings, as_of=g.as_of, codes=codes
    )


def _timed(f: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def _machine() -> str:
    import numpy as np
    import pandas as pd
    import scipy

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return (
        f"- CPU: {cpu}, {os.cpu_count()} cores; RAM: {mem}\n"
        f"- Python {platform.python_version()}, pandas {pd.__version__}, numpy "
        f"{np.__version__}, scipy {scipy.__version__}, {platform.system()} {platform.release()}"
    )


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    import famgraph as fg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    load_start = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    started = time.strftime("%d %b %Y, %H:%M UTC", time.gmtime())
    t_gen, tables = _timed(lambda: fg.datasets.synthetic(args.people, args.seed))
    t_build, g = _timed(partial(fg.build, **tables))
    del tables
    _ = g.hold_person  # index arrays are part of building, not of the model
    gc.collect()
    print(f"book: {g!r}; synthetic {t_gen:.2f} s, build {t_build:.2f} s", flush=True)
    rss_built = _status_mb("VmRSS")
    peak_built = _peak_rss_mb()
    can_reset = _reset_peak()

    fits: list[float] = []
    preds: list[float] = []
    model = None
    pred = None
    for i in range(args.runs):
        # a fresh graph on the same tables and index arrays for every timing: the model
        # and the transaction summary are memoised per graph, and each timing is cold
        t, model = _timed(partial(fg.fit_value_model, _fresh(g)))
        fits.append(t)
        t, pred = _timed(partial(fg.predict_value, _fresh(g), model))
        preds.append(t)
        print(f"run {i + 1}: fit {fits[-1]:.2f} s, predict {preds[-1]:.2f} s", flush=True)
    assert model is not None and pred is not None
    peak_model = _status_mb("VmHWM") if can_reset else None
    # clearing VmHWM also resets ru_maxrss on recent kernels: keep the build's peak
    peak_all = max(peak_built, _peak_rss_mb())
    load_end = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    buyers = int(pred["x"].notna().sum())

    def ok(flag: bool) -> str:
        return "met" if flag else "NOT met"

    cmd = (
        f".venv/bin/python benchmarks/value_model.py --people {args.people} --seed {args.seed} "
        f"--runs {args.runs}" + (f" --out {args.out}" if args.out else "")
    )
    gb = 1024**3 / 2**20  # MiB per GiB
    lines = [
        f"# `fg.fit_value_model` and `fg.predict_value` at {args.people:,} people",
        "",
        "## Command",
        "",
        "```",
        cmd,
        "```",
        "",
        f"## Run of {started} (commit {_commit()})",
        "",
        _machine(),
        f"- load average at start: {load_start}; at the end: {load_end}",
        "",
        f"Book: `synthetic({args.people:,}, seed={args.seed})` -> {g!r}; "
        f"{buyers:,} persons with a purchase ({model.n_repeat:,} repeat buyers). "
        f"Generation {t_gen:.2f} s and build {t_build:.2f} s are not part of the timings.",
        "",
        f"Model: {model!r}",
        "",
        "| step | runs | min s | median s | max s | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| `fit_value_model(g)` | {len(fits)} | {min(fits):.2f} | "
        f"{statistics.median(fits):.2f} | {max(fits):.2f} | <= {TARGET_FIT_S:g} s: "
        f"{ok(statistics.median(fits) <= TARGET_FIT_S)} |",
        f"| `predict_value(g, model)` | {len(preds)} | {min(preds):.2f} | "
        f"{statistics.median(preds):.2f} | {max(preds):.2f} | <= {TARGET_PREDICT_S:g} s: "
        f"{ok(statistics.median(preds) <= TARGET_PREDICT_S)} |",
        "",
        "| memory | MiB |",
        "|---|---:|",
        f"| RSS with the built book, before the model | {rss_built or float('nan'):,.0f} |",
        f"| peak RSS of generation + build | {peak_built:,.0f} |",
        (
            f"| peak RSS while fitting and predicting (VmHWM reset after build) | "
            f"{peak_model:,.0f} |"
            if peak_model is not None
            else "| peak RSS while fitting and predicting | (VmHWM reset not available) |"
        ),
        f"| peak RSS of the whole process | {peak_all:,.0f} |",
        "",
        f"Peak target <= {TARGET_RSS_GB:g} GB ({TARGET_RSS_GB * 1e9 / 2**20:,.0f} MiB) for the "
        f"whole process: {ok(peak_all <= TARGET_RSS_GB * 1e9 / 2**20)} "
        f"({peak_all / gb:.2f} GiB).",
        "",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if args.out is not None:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
