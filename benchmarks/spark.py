"""famgraph.spark on one machine (``local[2]``): build and every analysis, step by step.

    .venv/bin/python benchmarks/spark.py --people 1000000 --out benchmarks/results/spark.md

Writes ``fg.datasets.synthetic(people, seed)`` as Parquet files (not timed), then times
the in-memory engine (``fg.build`` from the same files and each analysis) and the Spark
engine (``famgraph.spark.build`` and each analysis, every result computed to the end by
Spark's ``noop`` writer -- nothing is collected). Per Spark step it also records what
the step shuffled and how many stages it ran (from the Spark UI's REST API). With
``--distributed-pagerank`` it also times influence by the distributed power iteration
(which the engine uses above 5 million distinct edges; at 1M people the graph is solved
in one task) and reports its steps. Prints a Markdown report and, with ``--out``, writes
it there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

TABLES = ("people", "relations", "referrals", "holdings")


def _rest(spark: Any, path: str) -> Any:
    url = spark.sparkContext.uiWebUrl
    app = spark.sparkContext.applicationId
    with urllib.request.urlopen(f"{url}/api/v1/applications/{app}/{path}", timeout=60) as r:
        return json.loads(r.read())


def _stages(spark: Any) -> dict[int, dict[str, int]]:
    """Completed stages: id -> shuffle bytes written and read, input bytes."""
    out = {}
    for s in _rest(spark, "stages?status=complete"):
        key = s["stageId"] * 1000 + s.get("attemptId", 0)
        out[key] = {
            "write": int(s.get("shuffleWriteBytes", 0)),
            "read": int(s.get("shuffleReadBytes", 0)),
            "input": int(s.get("inputBytes", 0)),
        }
    return out


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, CPython {platform.python_version()}"
    )


def _mb(b: int) -> str:
    return f"{b / 2**20:,.1f}"


def main(argv: list[str] | None = None) -> None:
    work = Path(tempfile.mkdtemp(prefix="famgraph-spark-bench-"))
    try:
        _run(work, argv)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(work: Path, argv: list[str] | None) -> None:
    import pandas as pd

    import famgraph as fg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--shuffle-partitions", type=int, default=8)
    ap.add_argument("--driver-memory", default="8g")
    ap.add_argument("--distributed-pagerank", action="store_true")
    ap.add_argument(
        "--memory-only", action="store_true", help="time only the in-memory engine (no Spark)"
    )
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)

    tables = fg.datasets.synthetic(args.people, args.seed)
    paths = {}
    for name in TABLES:
        paths[name] = work / f"{name}.parquet"
        tables[name].to_parquet(paths[name], index=False)
    rows_in = {name: len(tables[name]) for name in TABLES}
    del tables
    files = [paths[t] for t in TABLES]
    print(f"book: {rows_in} as Parquet in {work}", flush=True)

    # --- the in-memory engine, from the same files --------------------------------
    mem: dict[str, float] = {}
    t = time.perf_counter()
    g = fg.build(*files)
    mem["build"] = time.perf_counter() - t
    mem_cases: list[tuple[str, Callable[[Any], Any]]] = [
        ("households", fg.households),
        ("coverage_gaps", fg.coverage_gaps),
        ("household_summary", fg.household_summary),
        ("referral_value", fg.referral_value),
        ("influence", fg.influence),
        ("super_users", fg.super_users),
    ]
    for name, f in mem_cases:
        t = time.perf_counter()
        f(g)
        mem[name] = time.perf_counter() - t
        print(f"memory {name:<18} {mem[name]:8.2f} s", flush=True)
    mem_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del g
    if args.memory_only:
        steps = ["build", *[n for n, _ in mem_cases]]
        report = "\n".join(
            [
                f"In-memory engine only, {args.people:,} people: `.venv/bin/python "
                f"benchmarks/spark.py --people {args.people} --seed {args.seed} --memory-only`"
                f" ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
                f"{os.getloadavg()[0]:.1f} at the end; peak RSS {mem_rss:,.0f} MiB)",
                "",
                "| step | in-memory s |",
                "|---|---:|",
                *[f"| {n} | {mem[n]:.2f} |" for n in steps],
                f"| **all** | **{sum(mem[n] for n in steps):.2f}** |",
            ]
        )
        print(report)
        if args.out:
            args.out.write_text(report + "\n", encoding="utf-8")
        return

    # --- the Spark engine ---------------------------------------------------------------
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    import famgraph.spark as fgs
    from famgraph.spark.influence import influence_frame

    spark = (
        SparkSession.builder.master(f"local[{args.cores}]")
        .appName("famgraph-spark-benchmark")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.range(10).count()  # start the JVM side before timing

    sp: dict[str, dict[str, float]] = {}

    def step(name: str, f: Callable[[], Any]) -> Any:
        before = _stages(spark)
        t = time.perf_counter()
        out = f()
        if out is not None and hasattr(out, "write"):
            out.write.format("noop").mode("overwrite").save()
        secs = time.perf_counter() - t
        after = _stages(spark)
        new = [v for k, v in after.items() if k not in before]
        sp[name] = {
            "seconds": secs,
            "stages": len(new),
            "shuffle_write": sum(v["write"] for v in new),
            "input": sum(v["input"] for v in new),
        }
        print(
            f"spark  {name:<18} {secs:8.2f} s  {len(new):4d} stages, "
            f"{_mb(int(sp[name]['shuffle_write']))} MiB shuffled",
            flush=True,
        )
        return out

    sg = step("build", lambda: fgs.build(spark, *files))
    step("households", lambda: fgs.households(sg))
    step("coverage_gaps", lambda: fgs.coverage_gaps(sg))
    step("household_summary", lambda: fgs.household_summary(sg))
    step("referral_value", lambda: fgs.referral_value(sg))
    step("influence", lambda: fgs.influence(sg))
    step("super_users", lambda: fgs.super_users(sg))
    steps_dist = None
    if args.distributed_pagerank:
        import famgraph.spark._graphs as graphs

        counter = {"n": 0}
        original = graphs.materialize

        def counting(df: Any) -> Any:
            counter["n"] += 1
            return original(df)

        graphs.materialize = counting
        sg._memo.pop(("influence", 0.85, 0.5), None)  # compute it again, distributed
        step("influence (distributed)", lambda: influence_frame(sg, local_edges=0))
        graphs.materialize = original
        steps_dist = counter["n"]
    rss_driver = "n/a"
    try:
        ex = _rest(spark, "executors")
        heap = max(int(e.get("peakMemoryMetrics", {}).get("JVMHeapMemory", 0)) for e in ex)
        rss_driver = f"{heap / 2**20:,.0f} MiB"
    except Exception:  # the REST API is best effort
        pass
    spark.stop()

    # --- report -----------------------------------------------------------------------
    names = ["build", *[n for n, _ in mem_cases]]
    lines = [
        f"# famgraph.spark benchmark: {args.people:,} people, local[{args.cores}]",
        "",
        f"Command: `.venv/bin/python benchmarks/spark.py --people {args.people} "
        f"--seed {args.seed} --cores {args.cores} --shuffle-partitions "
        f"{args.shuffle_partitions} --driver-memory {args.driver_memory}"
        f"{' --distributed-pagerank' if args.distributed_pagerank else ''}`  ",
        f"Machine: {_machine()}  ",
        f"When: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{os.getloadavg()[0]:.1f} at the end; PySpark {spark.version}, pandas {pd.__version__}  ",
        f"Input rows: {', '.join(f'{k} {v:,}' for k, v in rows_in.items())} (Parquet)",
        "",
        "| step | in-memory s | Spark s | Spark / memory | Spark stages | shuffled MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        s = sp[n]
        lines.append(
            f"| {n} | {mem[n]:.2f} | {s['seconds']:.1f} | {s['seconds'] / max(mem[n], 1e-9):,.0f}x"
            f" | {int(s['stages'])} | {_mb(int(s['shuffle_write']))} |"
        )
    tot_m = sum(mem[n] for n in names)
    tot_s = sum(sp[n]["seconds"] for n in names)
    lines.append(
        f"| **all** | **{tot_m:.2f}** | **{tot_s:.1f}** | **{tot_s / tot_m:,.0f}x** | "
        f"{sum(int(sp[n]['stages']) for n in names)} | "
        f"{_mb(sum(int(sp[n]['shuffle_write']) for n in names))} |"
    )
    if steps_dist is not None:
        s = sp["influence (distributed)"]
        lines += [
            "",
            f"Influence by the distributed power iteration (forced; the default solves "
            f"up to 5M distinct edges in one task): {s['seconds']:.1f} s, "
            f"{steps_dist} checkpoints, {int(s['stages'])} stages, "
            f"{_mb(int(s['shuffle_write']))} MiB shuffled.",
        ]
    lines += [
        "",
        f"Peak RSS of this process (in-memory engine, Python side): {mem_rss:,.0f} MiB; "
        f"peak JVM heap (Spark driver = executor in local mode): {rss_driver}.",
    ]
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
