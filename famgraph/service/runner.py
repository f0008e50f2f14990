"""Start the service: check the address and token, load the book, then run uvicorn."""

from __future__ import annotations

import contextlib
import logging
import logging.config
import logging.handlers
import os
import queue
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

from famgraph.service.app import ACCESS_LOG, create_app, release_memory
from famgraph.service.security import TOKEN_ENV, ServiceError, resolve_token
from famgraph.service.snapshot import Snapshot
from famgraph.service.sources import as_source

__all__ = ["check_bind", "log_config", "serve"]


def log_config() -> dict[str, Any]:
    """Logging for the server: one line per event on stderr, our access log only.

    uvicorn's own access log is off (it would print paths, and ids are in paths);
    :data:`~famgraph.service.app.ACCESS_LOG` prints route templates and hashed ids.
    """
    fmt = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": fmt},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "famgraph": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            ACCESS_LOG: {"level": "INFO"},
        },
    }


@contextlib.contextmanager
def _access_log_off_the_loop() -> Iterator[None]:
    """Write access-log lines from a background thread (the event loop only queues them).

    One line per request formatted and written on the event loop would cost every
    request a write to stderr; the listener thread does that instead, and
    flushes what is queued when the server stops.
    """
    access = logging.getLogger(ACCESS_LOG)
    targets = logging.getLogger("famgraph").handlers
    q: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = logging.handlers.QueueListener(q, *targets)
    access.addHandler(logging.handlers.QueueHandler(q))
    access.propagate = False
    listener.start()
    try:
        yield
    finally:
        listener.stop()


def check_bind(host: str, port: int) -> None:
    """Raise :class:`ServiceError` when ``host:port`` cannot be listened on now.

    Examples
    --------
    >>> check_bind("127.0.0.1", 0)
    >>> check_bind("256.0.0.1", 8000)
    Traceback (most recent call last):
    ...
    famgraph.service.security.ServiceError: cannot listen on 256.0.0.1:8000 (...
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, addr = infos[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(addr)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ServiceError(
            f"cannot listen on {host}:{port} ({reason}); choose another --host or --port."
        ) from None


def serve(
    source: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    cors_origins: Sequence[str] = (),
    announce: Any = None,
) -> None:
    """Serve a book over HTTP until interrupted (the ``famgraph serve`` command).

    Parameters
    ----------
    source : folder path, book source, graph or function returning a graph
        See :func:`~famgraph.service.app.create_app`.
    host : str, default "127.0.0.1"
        Address to listen on. Anything but a loopback address needs
        ``FAMGRAPH_TOKEN``.
    port : int, default 8000
    cors_origins : sequence of str, default ()
        Browser origins allowed (CORS is off when empty).
    announce : callable, optional
        ``announce(text)`` prints start-up messages; default: stderr.

    Raises
    ------
    ServiceError
        Unsafe address without a token, or a token that is too short -- before
        anything is loaded.
    FamgraphError
        The book cannot be read (``DataError``, ``StoreError``).

    Notes
    -----
    Order: check address and token, load the book and compute the analyses, then
    bind the port -- so a client that can connect is answered from a full book.
    One process, one worker: the book is in memory once.
    """
    import uvicorn

    say = announce or (lambda text: print(text, file=sys.stderr, flush=True))
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ServiceError(f"The port must be a whole number in [0, 65535]; got {port!r}.")
    token, generated = resolve_token(host, os.environ.get(TOKEN_ENV))
    check_bind(host, port)  # fail before a long load, not after
    src = as_source(source)
    t0 = time.perf_counter()
    logging.config.dictConfig(log_config())
    snap = Snapshot.from_graph(src.load())
    app = create_app(src, token=token, snapshot=snap, cors_origins=cors_origins)
    release_memory()  # the graph is gone: give its pages back, freeze what stays
    say(
        f"famgraph serve: {snap.counts['people']:,} people as of {snap.as_of} "
        f"ready in {time.perf_counter() - t0:.1f} s"
    )
    if generated:
        say(
            f"famgraph serve: no {TOKEN_ENV} set; this run's token (shown once): {token}\n"
            f"famgraph serve: e.g. curl -H 'Authorization: Bearer {token}' "
            f"http://{host}:{port}/health"
        )
    with _access_log_off_the_loop():
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,  # configured above (uvicorn would reset the queue handler)
            access_log=False,
            server_header=False,
            proxy_headers=False,
            timeout_keep_alive=15,
            limit_concurrency=1000,
        )
