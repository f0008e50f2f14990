"""The FastAPI application: routes, auth, errors, access log, reload.

:func:`create_app` loads the book once, computes the analyses once
(:class:`~famgraph.service.snapshot.Snapshot`) and answers every request from that
snapshot. ``POST /reload`` builds a new snapshot in a background thread and then
replaces the one reference the handlers read; each handler reads that reference
once, so a response never mixes two books.
"""

import contextlib
import ctypes
import gc
import logging
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import pyarrow as pa
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic_core import to_json
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from famgraph._version import __version__
from famgraph.errors import FamgraphError
from famgraph.service import models
from famgraph.service.security import IdHasher, TokenCheck
from famgraph.service.snapshot import Snapshot
from famgraph.service.sources import BookSource, as_source

__all__ = ["DEFAULT_LIMIT", "MAX_BODY_BYTES", "MAX_ID_CHARS", "MAX_LIMIT", "create_app"]

#: Page size of the list endpoints when ``limit`` is not given.
DEFAULT_LIMIT = 100
#: Largest ``limit`` accepted (a larger one is a 422).
MAX_LIMIT = 1000
#: Largest ``offset`` accepted.
MAX_OFFSET = 100_000_000
#: Longest person or household id accepted in a path.
MAX_ID_CHARS = 256
#: Largest request body accepted (no endpoint takes one; POST /reload has none).
MAX_BODY_BYTES = 1024

#: Paths answered without the token.
OPEN_PATHS = frozenset({"/health", "/openapi.json"})

ACCESS_LOG = "famgraph.service.access"
#: Where the request's snapshot is kept in the ASGI scope.
SNAPSHOT_KEY = "famgraph.snapshot"
_log = logging.getLogger("famgraph.service")
_access = logging.getLogger(ACCESS_LOG)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ApiError(Exception):
    """An error answered with :class:`~famgraph.service.models.ErrorBody`."""

    def __init__(
        self, status: int, error: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


def _iso(t: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, or ``None``."""
    return None if t is None else t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class JsonBody(Response):
    """A JSON answer rendered by pydantic-core; NaN or infinity would be sent as ``null``.

    Handlers build plain dicts (numbers, strings, ``None``) and return this, so FastAPI
    does not validate them again on every request; the response models still document
    them in OpenAPI, and the tests check every endpoint's bodies against the models.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return to_json(content, inf_nan_mode="null")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def release_memory() -> None:
    """Collect garbage, hand freed heap pages back to the OS, then freeze the survivors.

    ``gc.freeze`` moves every object alive now (modules, the snapshot) out of the
    collector's reach, so later collections only walk objects made by requests: no
    long pauses on a server that holds a large heap. Objects are still freed by
    reference counting when dropped (a replaced snapshot goes at once).
    """
    gc.unfreeze()
    gc.collect()
    pa.default_memory_pool().release_unused()  # Arrow's own allocator keeps freed pages
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)
    gc.freeze()


@dataclass
class _Reload:
    state: Literal["idle", "running", "done", "failed"] = "idle"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "error": self.error,
        }


class Live:
    """The one mutable part of the service: the snapshot served, swapped whole."""

    def __init__(self, source: BookSource, snapshot: Snapshot) -> None:
        self.source = source
        self.snapshot = snapshot
        self.reload = _Reload()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start_reload(self) -> bool:
        """Start a background reload; ``False`` when one is already running."""
        with self._lock:
            if self.reload.state == "running":
                return False
            self.reload = _Reload(state="running", started_at=_now())
            self._thread = threading.Thread(
                target=self._run_reload, name="famgraph-reload", daemon=True
            )
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a running reload to finish (tests, shutdown)."""
        t = self._thread
        if t is not None:
            t.join(timeout)

    def _run_reload(self) -> None:
        t0 = time.perf_counter()
        error: str | None = None
        try:
            g = self.source.load()
            snap = Snapshot.from_graph(g)
            del g
            self.snapshot = snap  # the swap: one reference assignment
        except FamgraphError as exc:  # messages carry no personal data (house rule)
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # anything else: the type only, details stay private
            error = f"{type(exc).__name__} while reloading; see the server log"
            _log.error("reload failed: %s", type(exc).__name__)
        finally:
            release_memory()
        with self._lock:
            self.reload = _Reload(
                state="failed" if error else "done",
                started_at=self.reload.started_at,
                finished_at=_now(),
                error=error,
            )
        if error:
            _log.warning("reload failed after %.1f s: %s", time.perf_counter() - t0, error)
        else:
            _log.info(
                "reload done in %.1f s: as_of %s, %d people",
                time.perf_counter() - t0,
                self.snapshot.as_of,
                self.snapshot.n_people,
            )


def _error_response(
    snap: Snapshot,
    status: int,
    error: str,
    message: str,
    *,
    details: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "error": error,
        "message": message,
        "as_of": snap.as_of.isoformat(),
        "version": __version__,
    }
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


class _Guard:
    """The ASGI layer around the routes: token, body limit, catch-all 500, headers, access log.

    Every path but :data:`OPEN_PATHS` needs the bearer token, checked here once per
    request (cheaper than a FastAPI dependency, and before any parameter is parsed,
    so an unauthorised client learns nothing about routes or parameters).

    The access log line names the route *template* (``/persons/{person_id}``), never
    the path, and the id as a keyed hash; no query string, no header, no body.
    """

    def __init__(
        self, app: ASGIApp, live: Live, hasher: IdHasher, check: TokenCheck, routes: list[Any]
    ) -> None:
        self.app, self.live, self.hasher, self.check = app, live, hasher, check
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 0
        # the one read of the swapped reference: headers and body come from this book
        snap = scope[SNAPSHOT_KEY] = self.live.snapshot
        as_of = snap.as_of.isoformat().encode()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-famgraph-version", __version__.encode()),
                    (b"x-famgraph-as-of", as_of),
                    (b"cache-control", b"no-store"),
                ]
            await send(message)

        try:
            if scope["path"] not in OPEN_PATHS and not self.check.ok(
                _header(scope, b"authorization")
            ):
                resp = _error_response(
                    snap,
                    401,
                    "unauthorized",
                    "Missing or wrong bearer token: send Authorization: Bearer <FAMGRAPH_TOKEN>.",
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await resp(scope, receive, send_with_headers)
            elif _body_too_big(scope):
                resp = _error_response(
                    snap,
                    413,
                    "body_too_large",
                    f"Request bodies are limited to {MAX_BODY_BYTES} bytes; "
                    "no endpoint of this API takes a body.",
                )
                await resp(scope, receive, send_with_headers)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            _log.error("internal error on %s: %s", self._route(scope)[0], type(exc).__name__)
            if status == 0:
                resp = _error_response(
                    snap, 500, "internal_error", "Internal error; the server log has the type."
                )
                await resp(scope, receive, send_with_headers)
        finally:
            if _access.isEnabledFor(logging.INFO):
                route, params = self._route(scope)
                _access.info(
                    '%s "%s %s" %d %.1fms%s',
                    (scope.get("client") or ("-",))[0],
                    scope["method"],
                    route,
                    status,
                    1000 * (time.perf_counter() - t0),
                    "".join(f" id={self.hasher(str(v))}" for v in params.values()),
                )

    def _route(self, scope: Scope) -> tuple[str, dict[str, Any]]:
        """The route template and path parameters (matched here if routing did not run)."""
        route = scope.get("route")
        params = scope.get("path_params")
        if route is None:  # answered before routing (401, 413): match for the log only
            for candidate in self.routes:
                match, child = candidate.matches(scope)
                if match != Match.NONE:
                    route, params = candidate, child.get("path_params")
                    break
        path = getattr(route, "path_format", None)
        return (path if isinstance(path, str) else "(no route)"), dict(params or {})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _body_too_big(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return not value.isdigit() or int(value) > MAX_BODY_BYTES
        if name == b"transfer-encoding":
            return True
    return False


def create_app(
    source: Any,
    *,
    token: str,
    snapshot: Snapshot | None = None,
    cors_origins: Sequence[str] = (),
) -> FastAPI:
    """The famgraph HTTP JSON API over one book.

    Parameters
    ----------
    source : str, os.PathLike, CustomerGraph, callable or book source
        Where the book comes from: a folder (:func:`famgraph.read_dir`), a
        :class:`~famgraph.service.sources.Neo4jSource`, a graph in memory, or a
        function returning one. Read at start (unless ``snapshot`` is given) and on
        every ``POST /reload``.
    token : str
        The bearer token every endpoint but ``/health`` and ``/openapi.json``
        requires (at least 16 characters). See :mod:`famgraph.service.security`.
    snapshot : Snapshot, optional
        Results already computed from ``source`` (the runner computes them before
        it binds the port).
    cors_origins : sequence of str, default ()
        Browser origins allowed to call the API. Empty: no CORS headers at all.

    Returns
    -------
    fastapi.FastAPI

    Notes
    -----
    Start-up costs one load of the book plus the analyses
    (:meth:`Snapshot.from_graph`); every request then costs O(1) plus the size of
    its answer. Memory: the snapshot, not the book (the graph is dropped).

    Examples
    --------
    >>> import famgraph as fg
    >>> app = create_app(fg.datasets.sample(), token="a-long-enough-secret")
    >>> sorted(app.openapi()["paths"])  # doctest: +NORMALIZE_WHITESPACE
    ['/health', '/households/{household_id}', '/leads', '/persons/{person_id}', '/quality',
     '/reload', '/super-users']
    """
    src = as_source(source)
    check = TokenCheck(token)
    if snapshot is None:
        g = src.load()
        snapshot = Snapshot.from_graph(g)
        del g
        release_memory()
    live = Live(src, snapshot)
    hasher = IdHasher()

    app = FastAPI(
        title="famgraph",
        version=__version__,
        summary="Household coverage gaps, super users and referral value of one customer book.",
        description=(
            "Read-only answers from one validated book, computed at start. Every endpoint but "
            "`/health` needs `Authorization: Bearer <token>`. Every body carries `as_of` and "
            "`version`; money and scores are numbers, missing numbers `null`, dates ISO 8601."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.live = live
    # auth is checked in the guard layer (cheaper than a dependency on every request);
    # the OpenAPI schema declares it (see _openapi below)
    auth: dict[str, Any] = {"openapi_extra": {"security": [{"bearer": []}]}}
    errors: dict[int | str, dict[str, Any]] = {
        401: {"model": models.ErrorBody, "description": "Missing or wrong token."},
        422: {"model": models.ErrorBody, "description": "Invalid parameter."},
    }

    def meta(snap: Snapshot) -> dict[str, Any]:
        return {"as_of": snap.as_of.isoformat(), "version": snap.version}

    def snapshot_of(request: Request) -> Snapshot:
        """The snapshot the request started with (set by the guard layer)."""
        snap = request.scope.get(SNAPSHOT_KEY)
        return snap if isinstance(snap, Snapshot) else live.snapshot

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(
            snapshot_of(request), exc.status, exc.error, exc.message, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "loc": [str(x) if not isinstance(x, int) else x for x in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
            }
            for e in exc.errors()
        ]
        return _error_response(
            snapshot_of(request),
            422,
            "invalid_request",
            "Invalid request parameters.",
            details=details,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = "No such endpoint." if exc.status_code == 404 else str(exc.detail)
        return _error_response(
            snapshot_of(request), exc.status_code, code, message, headers=exc.headers
        )

    @app.get(
        "/health",
        response_model=models.Health,
        summary="Liveness and readiness (no token needed)",
        description="Open to probes. With the valid token the body also has `counts` and "
        "the state of the latest `reload`.",
    )
    async def health(request: Request) -> Response:
        snap = snapshot_of(request)
        authorised = check.ok(request.headers.get("authorization"))
        return JsonBody(
            {
                **meta(snap),
                "status": "ok",
                "ready": True,
                "loaded_at": _iso(snap.loaded_at),
                "source": live.source.kind,
                "counts": snap.counts if authorised else None,
                "reload": live.reload.as_dict() if authorised else None,
                "value_model": snap.value_model if authorised else None,
            }
        )

    @app.get(
        "/persons/{person_id:path}",
        response_model=models.Person,
        **auth,
        summary="One person: household, role, tier, score, reasons, gaps, referrals, lead",
        responses={**errors, 404: {"model": models.ErrorBody, "description": "Unknown id."}},
    )
    async def person(
        request: Request,
        person_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)],
    ) -> Response:
        snap = snapshot_of(request)
        row = snap.person(person_id)
        if row is None:
            raise ApiError(404, "not_found", "No person with this id in the book.")
        return JsonBody({**meta(snap), **row})

    @app.get(
        "/households/{household_id:path}",
        response_model=models.Household,
        **auth,
        summary="One household: summary with protection gap, members, gaps by priority",
        responses={**errors, 404: {"model": models.ErrorBody, "description": "Unknown id."}},
    )
    async def household(
        request: Request,
        household_id: Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS)],
    ) -> Response:
        snap = snapshot_of(request)
        row = snap.household(household_id)
        if row is None:
            raise ApiError(404, "not_found", "No household with this id in the book.")
        return JsonBody({**meta(snap), **row})

    Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")]
    Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]

    @app.get(
        "/leads",
        response_model=models.LeadPage,
        **auth,
        summary="Warm leads, best first",
        responses=errors,
    )
    async def leads(request: Request, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> Response:
        snap = snapshot_of(request)
        total, items = snap.leads(offset=offset, limit=limit)
        return JsonBody(
            {**meta(snap), "total": total, "offset": offset, "limit": limit, "items": items}
        )

    @app.get(
        "/super-users",
        response_model=models.SuperUserPage,
        **auth,
        summary="Persons by super-user score, optionally of one tier",
        responses=errors,
    )
    async def super_users(
        request: Request,
        tier: models.Tier | None = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Response:
        snap = snapshot_of(request)
        total, items = snap.super_users(tier=tier, offset=offset, limit=limit)
        return JsonBody(
            {
                **meta(snap),
                "tier": tier,
                "total": total,
                "offset": offset,
                "limit": limit,
                "items": items,
            }
        )

    @app.get(
        "/quality",
        response_model=models.Quality,
        **auth,
        summary="Row accounting per table and rejects by reason",
        responses=errors,
    )
    async def quality(request: Request) -> Response:
        snap = snapshot_of(request)
        fields = set(models.QualityRow.model_fields)
        tables = [{k: v for k, v in row.items() if k in fields} for row in snap.quality]
        return JsonBody(
            {**meta(snap), "tables": tables, "rejects_by_reason": snap.rejects_by_reason}
        )

    @app.post(
        "/reload",
        response_model=models.ReloadAccepted,
        status_code=202,
        **auth,
        summary="Rebuild the book in the background, then swap it in",
        description="Answers 202 at once; `GET /health` (with the token) shows the reload "
        "state. A reload while one runs is refused with 409 (not queued).",
        responses={
            **errors,
            409: {"model": models.ErrorBody, "description": "A reload is already running."},
        },
    )
    async def reload(request: Request) -> Response:
        if not live.start_reload():
            raise ApiError(
                409,
                "reload_running",
                "A reload is already running; GET /health shows when it is done.",
            )
        return JsonBody(
            {**meta(snapshot_of(request)), "reload": live.reload.as_dict()}, status_code=202
        )

    app.add_middleware(_Guard, live=live, hasher=hasher, check=check, routes=app.router.routes)
    if cors_origins:  # outside the guard: preflights carry no token
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization"],
        )

    def _openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "FAMGRAPH_TOKEN of the server.",
                }
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = _openapi  # type: ignore[method-assign]
    return app
