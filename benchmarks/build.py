"""Time ``fg.build`` on a synthetic book: from DataFrames, and from CSV files.

Run::

    .venv/bin/python benchmarks/build.py --people 1000000 --seed 0 --csv-dir /tmp/famgraph-bench

The parent process generates the book once (``fg.datasets.synthetic``), saves it as a
pickle (exact dtypes) and as four CSV files in ``--csv-dir``. Every measurement then
runs in a fresh Python subprocess, so that the peak RSS (``resource.getrusage``,
``ru_maxrss``) belongs to that measurement alone:

* ``generate``: ``synthetic(people, seed)``;
* ``build-df``: unpickle the four DataFrames, then time ``fg.build(**tables)``;
* ``build-csv``: time ``famgraph.build.read_table`` per file, then ``fg.build`` on the
  DataFrames read (CSV reading reported separately from building).

Prints a markdown table (and the machine) on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TABLES = ("people", "relations", "referrals", "holdings")
TARGET_SECONDS = 10.0
TARGET_RSS_GB = 2.5


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _worker(mode: str, people: int, seed: int, csv_dir: Path) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    import famgraph as fg
    from famgraph.build import read_table

    out: dict[str, Any] = {"mode": mode}
    if mode == "generate":
        t, c = time.perf_counter(), time.process_time()
        tables = fg.datasets.synthetic(people, seed)
        out["seconds"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
        out["rows"] = {k: len(v) for k, v in tables.items()}
    elif mode == "build-df":
        with open(csv_dir / "book.pkl", "rb") as f:
            tables = pickle.load(f)
        out["rss_before_mb"] = _rss_now_mb()
        t, c = time.perf_counter(), time.process_time()
        g = fg.build(**tables)
        out["seconds"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
        out["rejected"] = len(g.rejects)
        out["kept"] = g.quality_report().set_index("table")["kept"].to_dict()
    elif mode == "build-csv":
        read: dict[str, float] = {}
        read_cpu: dict[str, float] = {}
        frames = {}
        for name in TABLES:
            t, c = time.perf_counter(), time.process_time()
            frames[name] = read_table(csv_dir / f"{name}.csv", name)
            read[name], read_cpu[name] = time.perf_counter() - t, time.process_time() - c
        out["read_seconds"], out["read_cpu"] = read, read_cpu
        out["rss_before_mb"] = _rss_now_mb()
        t, c = time.perf_counter(), time.process_time()
        g = fg.build(**frames)
        out["seconds"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
        out["rejected"] = len(g.rejects)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _measure(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable, __file__, "--worker", mode, "--people", str(args.people),
        "--seed", str(args.seed), "--csv-dir", str(args.csv_dir),
    ]  # fmt: skip
    t = time.perf_counter()
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - t
    return result


def _machine() -> str:
    import numpy as np
    import pandas as pd

    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f"{kb / 2**20:.1f} GiB"
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"- CPU: {os.cpu_count()} cores ({platform.processor() or platform.machine()}); "
        f"RAM: {mem}; load average at start: {load}\n"
        f"- Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"{platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv-dir", type=Path, default=Path("/tmp/famgraph-bench"))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.people, args.seed, args.csv_dir)))
        return 0

    import famgraph as fg

    print(_machine(), flush=True)
    args.csv_dir.mkdir(parents=True, exist_ok=True)
    gen = _measure("generate", args)

    tables = fg.datasets.synthetic(args.people, args.seed)
    with open(args.csv_dir / "book.pkl", "wb") as f:
        pickle.dump(tables, f, protocol=pickle.HIGHEST_PROTOCOL)
    t = time.perf_counter()
    for name, df in tables.items():
        df.to_csv(args.csv_dir / f"{name}.csv", index=False)
    write_s = time.perf_counter() - t
    rows = {k: len(v) for k, v in tables.items()}
    total_rows = sum(rows.values())
    del tables

    df_run = _measure("build-df", args)
    csv_run = _measure("build-csv", args)

    def line(step: str, n: int, sec: float, cpu: float | None, rss: float | None = None) -> str:
        cpu_txt = "" if cpu is None else f"{cpu:.2f}"
        rss_txt = "" if rss is None else f"{rss:,.0f}"
        return f"| {step} | {n:,} | {sec:.2f} | {cpu_txt} | {rss_txt} |"

    out = [
        "",
        f"Book: `synthetic({args.people:,}, seed={args.seed})` -> "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items()),
        "",
        "| step | rows | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        line("generate the book (`synthetic`)", total_rows, gen["seconds"], gen["cpu"],
             gen["peak_rss_mb"]),
        line("**build from DataFrames**", total_rows, df_run["seconds"], df_run["cpu"],
             df_run["peak_rss_mb"]),
        f"| (RSS with the input DataFrames loaded, before build) | | | | "
        f"{df_run['rss_before_mb']:,.0f} |",
        line("write the four CSV files (`to_csv`, once)", total_rows, write_s, None),
    ]  # fmt: skip
    for name in TABLES:
        out.append(
            line(f"read_table {name}.csv", rows[name], csv_run["read_seconds"][name],
                 csv_run["read_cpu"][name])
        )  # fmt: skip
    read_total = sum(csv_run["read_seconds"].values())
    read_cpu = sum(csv_run["read_cpu"].values())
    out += [
        line("read_table, all four", total_rows, read_total, read_cpu),
        line(
            "build from the DataFrames read from CSV",
            total_rows,
            csv_run["seconds"],
            csv_run["cpu"],
            csv_run["peak_rss_mb"],
        ),
        line(
            "CSV total (read + build)",
            total_rows,
            read_total + csv_run["seconds"],
            read_cpu + csv_run["cpu"],
        ),
        "",
        f"Rejected rows: {df_run['rejected']} (DataFrames), {csv_run['rejected']} (CSV).",
        f"Targets at 1M people: build from DataFrames <= {TARGET_SECONDS:.0f} s "
        f"({'met' if df_run['seconds'] <= TARGET_SECONDS else 'NOT met'}), "
        f"peak RSS <= {TARGET_RSS_GB} GB "
        f"({'met' if df_run['peak_rss_mb'] <= TARGET_RSS_GB * 1024 else 'NOT met'}).",
    ]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
