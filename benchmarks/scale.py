"""The scale curve: generate -> build -> every analysis, at several book sizes.

    .venv/bin/python benchmarks/scale.py --sizes 100000,1000000,3000000,10000000

Each size runs in a fresh process (so its peak memory is its own): it generates
``fg.datasets.synthetic(n, seed)``, builds it, then runs households, coverage_gaps,
household_summary, referral_value, viral_coefficient, influence and super_users
(each once, in that order, as a session would: super_users reuses the PageRank that
influence computed). Per step it records seconds and the peak resident memory reached
during the step (the kernel's high-water mark, reset before each step through
``/proc/self/clear_refs``). Prints a Markdown table per size and a summary curve;
``--out FILE`` also writes them. Targets at 10M on the 2-core, 24 GB box: build + all
analyses <= 3 min, peak <= 16 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STEPS = (
    "households",
    "coverage_gaps",
    "household_summary",
    "referral_value",
    "viral_coefficient",
    "influence",
    "super_users",
)


def _status(field: str) -> float:
    """A /proc/self/status memory field (VmRSS, VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # not Linux, or not allowed: peaks stay cumulative
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def _step(name: str, f: Callable[[], Any], rows: list[dict[str, Any]]) -> Any:
    gc.collect()
    _reset_peak()
    t = time.perf_counter()
    out = f()
    sec = time.perf_counter() - t
    rows.append(
        {"step": name, "seconds": sec, "peak_mib": _status("VmHWM"), "rss_mib": _status("VmRSS")}
    )
    print(f"  {name:<18} {sec:8.2f} s  peak {rows[-1]['peak_mib']:9,.0f} MiB", flush=True)
    return out


def one_size(n: int, seed: int) -> list[dict[str, Any]]:
    """Run every step on a book of ``n`` people in this process."""
    import famgraph as fg

    rows: list[dict[str, Any]] = []
    tables = _step("generate", lambda: fg.datasets.synthetic(n, seed), rows)
    g = _step("build", functools.partial(fg.build, **tables), rows)
    del tables
    funcs = {
        "households": fg.households,
        "coverage_gaps": fg.coverage_gaps,
        "household_summary": fg.household_summary,
        "referral_value": fg.referral_value,
        "viral_coefficient": fg.viral_coefficient,
        "influence": fg.influence,
        "super_users": fg.super_users,
    }
    for name in STEPS:
        out = _step(name, lambda f=funcs[name]: f(g), rows)  # type: ignore[misc]
        del out
    return rows


def _table(n: int, rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"### {n:,} people", "", "| step | seconds | peak RSS during the step (MiB) |"]
    lines.append("|---|---:|---:|")
    for r in rows:
        lines.append(f"| {r['step']} | {r['seconds']:.2f} | {r['peak_mib']:,.0f} |")
    build_and = sum(r["seconds"] for r in rows if r["step"] != "generate")
    lines.append(f"| **build + all analyses** | **{build_and:.1f}** | |")
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000,3000000,10000000")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(one_size(args.one, args.seed)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, list[dict[str, Any]]] = {}
    for n in sizes:
        print(f"{n:,} people", flush=True)
        proc = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--seed", str(args.seed)],
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stdout.write("".join(line + "\n" for line in proc.stdout.splitlines()[:-1]))
        if proc.returncode != 0:
            print(f"  failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
            break
        results[n] = json.loads(proc.stdout.splitlines()[-1])
    lines = [
        f"Command: `.venv/bin/python benchmarks/scale.py --sizes {args.sizes} "
        f"--seed {args.seed}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.python_implementation()} {platform.python_version()}; load average "
        f"at the end {os.getloadavg()[0]:.1f}",
        "",
        "| people | generate s | build s | all analyses s | build + analyses s | peak MiB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, rows in results.items():
        by = {r["step"]: r for r in rows}
        analyses = sum(by[s]["seconds"] for s in STEPS)
        peak = max(r["peak_mib"] for r in rows)
        lines.append(
            f"| {n:,} | {by['generate']['seconds']:.1f} | {by['build']['seconds']:.1f} | "
            f"{analyses:.1f} | {by['build']['seconds'] + analyses:.1f} | {peak:,.0f} |"
        )
    lines.append("")
    for n, rows in results.items():
        lines += _table(n, rows)
    text = "\n".join(lines)
    print()
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
