"""Neo4j store benchmark: save / re-save / load the synthetic book, batch-size sweep, push-down.

Needs a running Neo4j (the tests' dev server is fine)::

    eval "$(NEO4J_DEV_HEAP=3g NEO4J_DEV_PAGECACHE=3g scripts/neo4j-dev start)"
    export NEO4J_URI NEO4J_USER NEO4J_PASSWORD
    .venv/bin/python benchmarks/neo4j_save.py --people 1000000 --sweep-people 100000 \\
        --out benchmarks/results/neo4j.md

The database's famgraph data is DELETED first (``store.clear()``). Prints a Markdown
report (and writes it to ``--out``).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

import famgraph as fg
from famgraph.store import DEFAULT_BATCH_SIZE, Neo4jConfig, Neo4jStore, SaveReport


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; load average at start {load:.1f}"
    )


def server_version(store: Neo4jStore) -> str:
    recs, _, _ = store.driver.execute_query(
        "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition AS e",
        database_=store.database,
    )
    return f"Neo4j {recs[0]['v']} {recs[0]['e']}"


def table(report: SaveReport) -> list[str]:
    out = ["| table | rows | batches | seconds | rows/s |", "|---|---:|---:|---:|---:|"]
    for t in report.tables.values():
        out.append(
            f"| {t.table} | {t.rows:,} | {t.batches:,} | {t.seconds:.1f} | "
            f"{t.rows_per_second:,.0f} |"
        )
    out.append(
        f"| **all** (wall, incl. schema + metadata) | {report.rows:,} | | {report.seconds:.1f} | "
        f"**{report.rows_per_second:,.0f}** |"
    )
    return out


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def book(n: int, seed: int) -> tuple[fg.CustomerGraph, float]:
    return timed(lambda: fg.build(**fg.datasets.synthetic(n_people=n, seed=seed)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    ap.add_argument("--sweep-people", type=int, default=100_000)
    ap.add_argument("--sweep", default="1000,5000,10000,20000")
    ap.add_argument("--sweep-workers", default="1,2,3")
    ap.add_argument(
        "--warmup-people",
        type=int,
        default=50_000,
        help="save (and clear) a book this size first, so the server's JIT is warm",
    )
    ap.add_argument("--pushdown-people", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-big", action="store_true", help="only the sweep and push-down")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    cfg = Neo4jConfig.from_env()
    if not os.environ.get("NEO4J_URI"):
        print("Set NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (see the docstring).", file=sys.stderr)
        return 2
    lines: list[str] = []

    def say(s: str = "") -> None:
        print(s, flush=True)
        lines.append(s)

    def say_save(title: str, report: SaveReport, counts: str) -> None:
        say(f"### {title}: {report.rows_per_second:,.0f} rows/s")
        say()
        for row in table(report):
            say(row)
        say()
        say(counts)
        say()

    with Neo4jStore.from_config(cfg) as store:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
            ).stdout.strip()
            or "uncommitted tree"
        )
        say("# Neo4j store benchmark")
        say()
        say(f"- machine: {machine()}")
        say(
            f"- server: {server_version(store)} on the same machine, via `scripts/neo4j-dev` "
            f"(heap {os.environ.get('NEO4J_DEV_HEAP', '?')}, page cache "
            f"{os.environ.get('NEO4J_DEV_PAGECACHE', '?')}); client neo4j driver + neo4j-rust-ext"
        )
        say(f"- famgraph {fg.__version__} ({commit}); command: `{' '.join(sys.argv)}`")
        say(f"- date: {pd.Timestamp.now(tz='UTC'):%Y-%m-%d %H:%M} UTC")
        if args.warmup_people:
            warm, _ = book(args.warmup_people, args.seed + 3)
            store.clear()
            r = store.save(warm, batch_size=args.batch_size, progress=False)
            store.clear()
            say(
                f"- warm-up: saved and cleared a {args.warmup_people:,}-person book first "
                f"({r.rows_per_second:,.0f} rows/s on the just-started JVM), so the figures "
                "below are the server's sustained rate"
            )
            del warm
        say()

        if not args.skip_big:
            g, t_build = book(args.people, args.seed)
            say(
                f"## Full book: {args.people:,} persons (synthetic seed {args.seed}), "
                f"batch_size {args.batch_size:,}"
            )
            say()
            say(f"{g!r}; generated + built in {t_build:.1f} s.")
            say()
            store.clear()
            first = store.save(g, batch_size=args.batch_size, progress=False)
            say_save(
                f"First save (empty database, {first.workers} workers, fresh={first.fresh})",
                first,
                f"Created {first.nodes_created:,} nodes and {first.relationships_created:,} "
                f"relationships; set {first.properties_set:,} properties.",
            )
            second = store.save(g, batch_size=args.batch_size, progress=False)
            say_save(
                "Second save of the same book (idempotent)",
                second,
                f"Created **{second.nodes_created:,} nodes** and "
                f"**{second.relationships_created:,} relationships** (must be 0 and 0).",
            )
            g2, t_load = timed(store.load)
            same = all(
                getattr(g, t).equals(getattr(g2, t))
                for t in ("people", "relations", "referrals", "holdings")
            )
            say(
                f"### Load: {t_load:.1f} s ({first.rows / t_load:,.0f} rows/s); "
                f"tables equal to the saved ones: {same}"
            )
            say()
            del g, g2

        sizes = [int(x) for x in args.sweep.split(",") if x]
        g, _ = book(args.sweep_people, args.seed + 1)
        say(f"## Batch size and workers: {args.sweep_people:,} persons ({g!r})")
        say()
        say("| batch_size | workers | seconds | rows/s (first save, empty db) |")
        say("|---:|---:|---:|---:|")
        runs = [(bs, 2) for bs in sizes] + [
            (args.batch_size, int(w)) for w in args.sweep_workers.split(",") if w and int(w) != 2
        ]
        for bs, w in runs:
            store.clear()
            r = store.save(g, batch_size=bs, progress=False, workers=w)
            say(f"| {bs:,} | {w} | {r.seconds:.1f} | {r.rows_per_second:,.0f} |")
        say()

        if args.pushdown_people != args.sweep_people:
            g, _ = book(args.pushdown_people, args.seed + 2)
        store.save(g, batch_size=args.batch_size, progress=False, replace=True)
        say(f"## Push-down vs in-memory: {len(g.people):,} persons")
        say()
        say("| analysis | in Neo4j (s) | in memory (s) | same result |")
        say("|---|---:|---:|---|")
        for name, push, mem in (
            ("coverage_gaps", store.coverage_gaps, lambda: fg.coverage_gaps(g)),
            ("referral_value", store.referral_value, lambda: fg.referral_value(g)),
            ("super_users", store.super_users, lambda: fg.super_users(g)),
        ):
            a, t_push = timed(push)
            b, t_mem = timed(mem)
            try:
                pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
                ok = "yes"
            except AssertionError:
                ok = "**no**"
            say(f"| {name} | {t_push:.1f} | {t_mem:.2f} | {ok} |")
        say()

    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
