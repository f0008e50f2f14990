"""A real `famgraph serve` process on a free loopback port, for the service tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

import famgraph as fg

TOKEN = "test-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_book(
    path: Path, *, n_people: int = 300, seed: int = 1, dirty: bool = True, as_of: str = "2025-06-30"
) -> Path:
    """A synthetic book as the four CSV files (dirty: some rows are rejected)."""
    path.mkdir(parents=True, exist_ok=True)
    tables = fg.datasets.synthetic(n_people=n_people, seed=seed, dirty=dirty, as_of=as_of)
    for name, df in tables.items():
        df.to_csv(path / f"{name}.csv", index=False)
    return path


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN and Infinity (the API must never send them)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"non-JSON number {name}")

    return json.loads(text, parse_constant=refuse)


class Server:
    """`python -m famgraph.cli serve ...` in a subprocess; stderr captured to a file."""

    def __init__(self, tmp: Path, *args: str, token: str | None = TOKEN) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.err_path = tmp / f"server-{self.port}.err"
        env = {k: v for k, v in os.environ.items() if k != "FAMGRAPH_TOKEN"}
        if token is not None:
            env["FAMGRAPH_TOKEN"] = token
        cmd = [sys.executable, "-m", "famgraph.cli", "serve", *args, "--port", str(self.port)]
        self._err = self.err_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=self._err, stdin=subprocess.DEVNULL, env=env
        )

    def wait_ready(self, timeout: float = 120.0) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not ready after {timeout} s: {self.log()}")

    def client(self, *, token: str | None = None, auth: bool = True) -> httpx.Client:
        headers = {}
        if auth:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def log(self) -> str:
        if not self._err.closed:
            self._err.flush()
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._err.close()
