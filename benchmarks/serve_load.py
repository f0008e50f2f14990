"""Load test of `famgraph serve` on a synthetic book: latency per endpoint, errors, memory.

    .venv/bin/python benchmarks/serve_load.py --people 1000000 --requests 20000 --clients 16

Steps, all on loopback:

1. write ``fg.datasets.synthetic(people, seed)`` as four Parquet files into
   ``--book-dir`` (kept and reused when it already holds a book of that size);
2. measure the *book RSS*: a fresh process runs ``fg.read_dir`` on the folder and
   reports its resident memory with the graph loaded (after ``gc`` and
   ``malloc_trim``, as the server does);
3. start ``famgraph serve DIR`` in its own process and time it until ``/health``
   answers (start-up: read, build, analyses, index);
4. warm up with ``--warmup`` person requests (which also collect household ids),
   not measured;
5. send ``--requests`` requests from ``--clients`` concurrent clients (asyncio
   coroutines in this process -- not the server's -- each with one keep-alive
   HTTP/1.1 connection; a minimal client on asyncio streams, so that the load
   generator takes little of the CPU it shares with the server and no thread waits
   for the GIL): 60 % ``/persons/{id}``, 20 %
   ``/households/{id}``, 8 % ``/leads`` and 8 % ``/super-users`` (pages of 100 at
   random offsets and tiers), 2 % ``/health``, 2 % ``/quality``; any status but 200,
   a transport error, or a body that is not the book's JSON (every 100th is parsed
   and its ``as_of`` checked) is an error;
6. print p50 / p99 per endpoint, errors, throughput, and the server's RSS before
   and after the load (VmRSS, and VmHWM for the start-up peak).

Bounded: at most ``--requests`` requests and ``--max-seconds`` of load; the server
is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

MIX = [
    ("persons", 0.60),
    ("households", 0.20),
    ("leads", 0.08),
    ("super-users", 0.08),
    ("health", 0.02),
    ("quality", 0.02),
]
TIERS = ["super", "strong", "weak", "micro", "none"]


def _rss_mb(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (peak) of a process, in MB (MiB)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out["VmRSS"], out["VmHWM"]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds used so far by a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_book(path: Path, people: int, seed: int) -> dict[str, int]:
    import pandas as pd

    import famgraph as fg

    marker = path / "book.json"
    if marker.exists():
        meta = json.loads(marker.read_text())
        if meta.get("people") == people and meta.get("seed") == seed:
            print(f"reusing the book in {path}", flush=True)
            return dict(meta["rows"])
    path.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    tables = fg.datasets.synthetic(n_people=people, seed=seed)
    rows = {}
    for name, df in tables.items():
        pd.DataFrame(df).to_parquet(path / f"{name}.parquet", index=False)
        rows[name] = len(df)
    marker.write_text(json.dumps({"people": people, "seed": seed, "rows": rows}))
    print(f"wrote the book to {path} in {time.perf_counter() - t:.1f} s", flush=True)
    return rows


_BOOK_RSS = """
import ctypes, gc, sys, time
import famgraph as fg
t = time.perf_counter()
g = fg.read_dir(sys.argv[1])
took = time.perf_counter() - t
gc.collect(); ctypes.CDLL("libc.so.6").malloc_trim(0)
rss = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS:")][0]
print(rss / 1024, took, g.n_people)
"""


def book_rss(path: Path) -> tuple[float, float]:
    """RSS (MB) of a process holding the graph read from ``path``, and the read time."""
    res = subprocess.run(
        [sys.executable, "-c", _BOOK_RSS, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    rss, took, _ = res.stdout.split()
    return float(rss), float(took)


class Conn:
    """One keep-alive HTTP/1.1 connection on a raw socket, with the bearer token.

    A deliberately small client (send the request bytes, read the head, read
    Content-Length bytes): the load generator shares the machine's cores with the
    server, so it should spend as little CPU per request as it can.
    """

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self.sock: socket.socket | None = None

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def get(self, path: str) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = self._connect()
        req = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + self.auth + b"\r\n"
        try:
            self.sock.sendall(req)
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed")
                buf += chunk
            head, _, body = buf.partition(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(body) < length:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed")
                body += chunk
            return status, body
        except OSError:
            self.sock.close()
            self.sock = None
            raise


async def load(
    port: int,
    token: str,
    work: list[tuple[str, str]],
    clients: int,
    max_seconds: float,
    as_of: str,
    lat: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    """``clients`` concurrent keep-alive connections in one event loop, sharing ``work``."""
    auth = f"Authorization: Bearer {token}\r\n".encode()
    nxt = iter(range(len(work)))
    deadline = time.perf_counter() + max_seconds

    async def client() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while time.perf_counter() < deadline:
                i = next(nxt, None)
                if i is None:
                    break
                kind, path = work[i]
                req = b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + b"\r\n"
                s = time.perf_counter()
                try:
                    writer.write(req)
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head[9:12])
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    body = await reader.readexactly(length)
                    ok = status == 200
                    if ok and i % 100 == 0:  # spot-check: whole, parseable JSON of this book
                        ok = json.loads(body)["as_of"] == as_of
                except (OSError, ValueError, asyncio.IncompleteReadError):
                    ok = False
                lat[kind].append(time.perf_counter() - s)
                if not ok:
                    errors[kind] += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))


def plan(
    n: int, rng: random.Random, person_ids: list[str], hh_ids: list[str], counts: dict[str, int]
) -> list[tuple[str, str]]:
    kinds = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX], k=n)
    out = []
    for kind in kinds:
        if kind == "persons":
            path = f"/persons/{rng.choice(person_ids)}"
        elif kind == "households":
            path = f"/households/{rng.choice(hh_ids)}"
        elif kind == "leads":
            path = f"/leads?limit=100&offset={rng.randrange(max(1, counts['leads']))}"
        elif kind == "super-users":
            path = f"/super-users?tier={rng.choice(TIERS)}&limit=100&offset={rng.randrange(1000)}"
        else:
            path = f"/{kind}"
        out.append((kind, path))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--warmup", type=int, default=2_000)
    ap.add_argument("--max-seconds", type=float, default=600.0)
    ap.add_argument(
        "--book-dir", default=os.path.join(tempfile.gettempdir(), "famgraph-serve-book")
    )
    args = ap.parse_args(argv)

    import uvicorn

    try:
        import httptools  # noqa: F401

        proto = "httptools"
    except ImportError:
        proto = "h11"
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    print(f"uvicorn {uvicorn.__version__}, HTTP parser {proto}, event loop {loop}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}; load average {os.getloadavg()}")  # fmt: skip
    book = Path(args.book_dir)
    rows = write_book(book, args.people, args.seed)
    print(f"book rows: {rows}", flush=True)
    b_rss, b_took = book_rss(book)
    print(f"book RSS (read_dir in a fresh process): {b_rss:,.0f} MB (read in {b_took:.1f} s)")

    port, token = _free_port(), secrets.token_urlsafe(32)
    env = {**os.environ, "FAMGRAPH_TOKEN": token}
    log = open(book / "server.log", "wb")  # noqa: SIM115 - closed in finally
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "famgraph.cli", "serve", str(book), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    try:
        conn = None
        while time.perf_counter() - t0 < 600:
            if server.poll() is not None:
                raise SystemExit(f"server exited {server.returncode}; see {book / 'server.log'}")
            try:
                conn = Conn(port, token)
                if conn.get("/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        startup = time.perf_counter() - t0
        assert conn is not None
        rss0, hwm0 = _rss_mb(server.pid)
        health = json.loads(conn.get("/health")[1])
        counts, as_of = health["counts"], health["as_of"]
        print(f"startup {startup:.1f} s (process start to /health 200); counts {counts}")
        print(f"server RSS after start-up: {rss0:,.0f} MB (peak during start-up {hwm0:,.0f} MB)")

        rng = random.Random(args.seed)
        import pyarrow.parquet as pq

        all_ids = pq.read_table(book / "people.parquet", columns=["person_id"]).column(0)
        person_ids = [str(all_ids[i]) for i in rng.sample(range(len(all_ids)), 50_000)]
        hh_ids: set[str] = set()
        t = time.perf_counter()
        for pid in person_ids[: args.warmup]:
            status, body = conn.get(f"/persons/{pid}")
            if status == 200:
                hh_ids.add(json.loads(body)["household_id"])
        print(f"warm-up: {args.warmup} person requests in {time.perf_counter() - t:.1f} s, "
              f"{len(hh_ids)} household ids")  # fmt: skip
        work = plan(args.requests, rng, person_ids, sorted(hh_ids), counts)

        lat: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        cpu0 = _cpu_s(server.pid)
        t = time.perf_counter()
        asyncio.run(load(port, token, work, args.clients, args.max_seconds, as_of, lat, errors))
        wall = time.perf_counter() - t
        cpu = _cpu_s(server.pid) - cpu0
        rss1, hwm1 = _rss_mb(server.pid)
        done = sum(len(v) for v in lat.values())

        print(f"\n{done:,} requests from {args.clients} clients in {wall:.1f} s "
              f"({done / wall:,.0f} req/s); errors {sum(errors.values())}; server CPU "
              f"{1e3 * cpu / max(done, 1):.2f} ms per request; "
              f"load average {os.getloadavg()}\n")  # fmt: skip
        print("| endpoint | requests | p50 ms | p99 ms | max ms | errors |")
        print("|---|---:|---:|---:|---:|---:|")
        for kind, _ in [*MIX, ("all", 0)]:
            xs = np.array([x for v in lat.values() for x in v] if kind == "all" else lat[kind])
            if len(xs) == 0:
                continue
            err = sum(errors.values()) if kind == "all" else errors[kind]
            p50, p99 = np.percentile(xs, 50) * 1e3, np.percentile(xs, 99) * 1e3
            print(
                f"| {kind} | {len(xs):,} | {p50:.1f} | {p99:.1f} | {xs.max() * 1e3:.1f} | {err} |"
            )
        print(f"\nserver RSS: {rss0:,.0f} MB before the load, {rss1:,.0f} MB after "
              f"(peak {hwm1:,.0f} MB, at start-up); book RSS {b_rss:,.0f} MB; "
              f"serving - book = {rss1 - b_rss:+,.0f} MB (target <= +500)")  # fmt: skip
        p99_person = np.percentile(lat["persons"], 99) * 1e3
        n_err = sum(errors.values())
        print(f"targets: /persons p99 {p99_person:.1f} ms (<= 20): "
              f"{'met' if p99_person <= 20 else 'NOT met'}; errors {n_err} (0): "
              f"{'met' if n_err == 0 else 'NOT met'}; RSS {rss1 - b_rss:+,.0f} MB (<= +500): "
              f"{'met' if rss1 - b_rss <= 500 else 'NOT met'}")  # fmt: skip
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


if __name__ == "__main__":
    main()
