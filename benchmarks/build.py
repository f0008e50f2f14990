"""Time ``fg.build`` on a synthetic book: typed DataFrames, dates written as people write them, CSV.

Run::

    .venv/bin/python benchmarks/build.py --people 1000000 --seed 0 --csv-dir /tmp/famgraph-bench

The parent process generates the book once (``fg.datasets.synthetic``, which includes
payers: ``payer_id`` / ``payer_relation`` on every holding) and saves it as pickles
(exact dtypes) and as CSV files in ``--csv-dir``. Every measurement then runs in a
fresh Python subprocess, so that the peak RSS (``resource.getrusage``, ``ru_maxrss``)
belongs to that measurement alone:

* ``generate``: ``synthetic(people, seed)``;
* ``build-df``: unpickle the four DataFrames (dates typed ``datetime64``), then time
  ``fg.build(**tables)``;
* ``build-df-zh``: the same book with every date column as *text*, a fifth of the
  cells (``--zh-share``) in Chinese forms (``2023年1月5日``) and the rest ISO
  (``2023-01-05``) -- what a DataFrame read from a Chinese export holds; the target
  case: <= 10 s and <= 2.5 GB at one million people;
* ``build-csv``: time ``famgraph.ingest.read_table`` per file of the UTF-8 CSV book,
  then ``fg.build`` on the DataFrames read;
* ``build-csv-gbk``: the same for the book written as Excel on a Chinese Windows
  saves it (``fg.datasets.write_book(..., encoding="gbk", forms="zh")``: GBK, every
  date ``2023年1月5日``, ``是`` / ``否``), whose encoding ``read_table`` detects.

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


def _as_text_dates(tables: dict[str, Any], share: float, seed: int) -> dict[str, Any]:
    """Every date column as text: ``share`` of the cells in Chinese form, the rest ISO."""
    import numpy as np
    import pandas as pd

    from famgraph.datasets._write import _zh_dates

    rng = np.random.default_rng(seed)
    out = {}
    for name, df in tables.items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c].dtype):
                iso = df[c].dt.strftime("%Y-%m-%d").astype("str")
                zh = rng.random(len(df)) < share
                text = iso.where(~zh, _zh_dates(df[c]).astype("str"))
                df[c] = text.where(df[c].notna())
        out[name] = df
    return out


def _worker(mode: str, people: int, seed: int, csv_dir: Path) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    import famgraph as fg
    from famgraph.ingest import read_table

    out: dict[str, Any] = {"mode": mode}
    if mode == "generate":
        t, c = time.perf_counter(), time.process_time()
        tables = fg.datasets.synthetic(people, seed)
        out["seconds"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
        out["rows"] = {k: len(v) for k, v in tables.items()}
    elif mode in ("build-df", "build-df-zh"):
        name = "book.pkl" if mode == "build-df" else "book_zh.pkl"
        with open(csv_dir / name, "rb") as f:
            tables = pickle.load(f)
        out["rss_before_mb"] = _rss_now_mb()
        t, c = time.perf_counter(), time.process_time()
        g = fg.build(**tables)
        out["seconds"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
        out["rejected"] = len(g.rejects)
        out["issues"] = len(g.issues)
        out["kept"] = g.quality_report().set_index("table")["kept"].to_dict()
    elif mode in ("build-csv", "build-csv-gbk"):
        folder = csv_dir / ("csv" if mode == "build-csv" else "gbk")
        read: dict[str, float] = {}
        read_cpu: dict[str, float] = {}
        frames = {}
        for name in TABLES:
            t, c = time.perf_counter(), time.process_time()
            frames[name] = read_table(folder / f"{name}.csv", name)
            read[name], read_cpu[name] = time.perf_counter() - t, time.process_time() - c
        out["read_seconds"], out["read_cpu"] = read, read_cpu
        out["rss_before_mb"] = _rss_now_mb()
        t, c = time.perf_counter(), time.process_time()
        g = fg.build(**frames)
        out["seconds"], out["cpu"] = time.perf_counter() - t, time.process_time() - c
        out["rejected"] = len(g.rejects)
        out["issues"] = len(g.issues)
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
    ap.add_argument("--zh-share", type=float, default=0.2, help="Share of Chinese-form dates.")
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
    with open(args.csv_dir / "book_zh.pkl", "wb") as f:
        pickle.dump(_as_text_dates(tables, args.zh_share, args.seed), f, pickle.HIGHEST_PROTOCOL)
    t = time.perf_counter()
    fg.datasets.write_book(tables, args.csv_dir / "csv")
    write_s = time.perf_counter() - t
    t = time.perf_counter()
    fg.datasets.write_book(tables, args.csv_dir / "gbk", encoding="gbk", forms="zh")
    write_gbk_s = time.perf_counter() - t
    rows = {k: len(v) for k, v in tables.items()}
    total_rows = sum(rows.values())
    del tables

    df_run = _measure("build-df", args)
    zh_run = _measure("build-df-zh", args)
    csv_run = _measure("build-csv", args)
    gbk_run = _measure("build-csv-gbk", args)

    def line(step: str, n: int, sec: float, cpu: float | None, rss: float | None = None) -> str:
        cpu_txt = "" if cpu is None else f"{cpu:.2f}"
        rss_txt = "" if rss is None else f"{rss:,.0f}"
        return f"| {step} | {n:,} | {sec:.2f} | {cpu_txt} | {rss_txt} |"

    def csv_lines(run: dict[str, Any], what: str) -> list[str]:
        read_total = sum(run["read_seconds"].values())
        read_cpu = sum(run["read_cpu"].values())
        out = [
            line(f"read_table {name}.csv ({what})", rows[name], run["read_seconds"][name],
                 run["read_cpu"][name])
            for name in TABLES
        ]  # fmt: skip
        out += [
            line(f"read_table, all four ({what})", total_rows, read_total, read_cpu),
            line(f"build from the DataFrames read ({what})", total_rows, run["seconds"],
                 run["cpu"], run["peak_rss_mb"]),
            line(f"{what} total (read + build)", total_rows, read_total + run["seconds"],
                 read_cpu + run["cpu"]),
        ]  # fmt: skip
        return out

    met = zh_run["seconds"] <= TARGET_SECONDS and zh_run["peak_rss_mb"] <= TARGET_RSS_GB * 1024
    out = [
        "",
        f"Book: `synthetic({args.people:,}, seed={args.seed})` -> "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items()),
        "",
        "| step | rows | wall s | CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        line("generate the book (`synthetic`)", total_rows, gen["seconds"], gen["cpu"],
             gen["peak_rss_mb"]),
        line("build from DataFrames (typed dates)", total_rows, df_run["seconds"], df_run["cpu"],
             df_run["peak_rss_mb"]),
        line(f"**build from DataFrames, dates as text, {args.zh_share:.0%} Chinese forms**",
             total_rows, zh_run["seconds"], zh_run["cpu"], zh_run["peak_rss_mb"]),
        f"| (RSS with the text DataFrames loaded, before build) | | | | "
        f"{zh_run['rss_before_mb']:,.0f} |",
        line("write the UTF-8 CSV book (`write_book`, once)", total_rows, write_s, None),
        line("write the GBK book, Chinese forms (once)", total_rows, write_gbk_s, None),
        *csv_lines(csv_run, "UTF-8 CSV"),
        *csv_lines(gbk_run, "GBK CSV, Chinese forms"),
        "",
        f"Rejected rows: {df_run['rejected']} (typed), {zh_run['rejected']} (text dates), "
        f"{csv_run['rejected']} (UTF-8 CSV), {gbk_run['rejected']} (GBK CSV); emptied cells: "
        f"{df_run['issues']}, {zh_run['issues']}, {csv_run['issues']}, {gbk_run['issues']}.",
        f"Target at 1M people, build with {args.zh_share:.0%} Chinese-form dates: <= "
        f"{TARGET_SECONDS:.0f} s and peak RSS <= {TARGET_RSS_GB} GB: "
        f"{'met' if met else 'NOT met'}.",
    ]  # fmt: skip
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
