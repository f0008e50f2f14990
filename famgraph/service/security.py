"""The service's bearer token and who may listen where.

* The token comes from ``FAMGRAPH_TOKEN`` (never from the command line, where other
  users could read it in the process list) and must have at least
  :data:`MIN_TOKEN_CHARS` characters.
* Without a token, the service listens on a loopback address only, with a random
  per-run token printed once on standard error (as Jupyter does); on any other
  address it refuses to start.
* Tokens are compared in constant time (:func:`hmac.compare_digest` over SHA-256
  digests, so not even the length leaks).
* Ids in the access log are keyed hashes (:class:`IdHasher`), never the ids.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from famgraph.errors import FamgraphError

__all__ = [
    "MIN_TOKEN_CHARS",
    "TOKEN_ENV",
    "IdHasher",
    "ServiceError",
    "TokenCheck",
    "is_loopback",
    "resolve_token",
]

#: Environment variable holding the bearer token.
TOKEN_ENV = "FAMGRAPH_TOKEN"
#: Shortest token accepted (a generated one has 43).
MIN_TOKEN_CHARS = 16


class ServiceError(FamgraphError, ValueError):
    """The service cannot start as asked (unsafe address, weak token, bad option)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ``::1``).

    Any other name or address -- including ``0.0.0.0`` and ``::`` (every
    interface) and host names that are not ``localhost`` -- counts as reachable
    from other machines.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1")
    (True, True, True)
    >>> is_loopback("0.0.0.0"), is_loopback("10.1.2.3"), is_loopback("example.org")
    (False, False, False)
    """
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def resolve_token(host: str, env_token: str | None) -> tuple[str, bool]:
    """The token to require, and whether it was generated for this run.

    Parameters
    ----------
    host : str
        The address the server will listen on.
    env_token : str or None
        The value of ``FAMGRAPH_TOKEN`` (``None`` or empty when unset).

    Returns
    -------
    (str, bool)

    Raises
    ------
    ServiceError
        A token shorter than :data:`MIN_TOKEN_CHARS`, or no token on a
        non-loopback address.

    Examples
    --------
    >>> resolve_token("0.0.0.0", "a-long-enough-secret")
    ('a-long-enough-secret', False)
    >>> token, generated = resolve_token("127.0.0.1", None)
    >>> generated, len(token) >= 16
    (True, True)
    >>> resolve_token("0.0.0.0", None)
    Traceback (most recent call last):
    ...
    famgraph.service.security.ServiceError: refusing to listen on 0.0.0.0 without a token: ...
    """
    if env_token:
        if len(env_token) < MIN_TOKEN_CHARS:
            raise ServiceError(
                f"{TOKEN_ENV} is too short: use at least {MIN_TOKEN_CHARS} characters, "
                'e.g. python -c "import secrets; print(secrets.token_urlsafe(32))".'
            )
        return env_token, False
    if not is_loopback(host):
        raise ServiceError(
            f"refusing to listen on {host} without a token: set {TOKEN_ENV} "
            f"(at least {MIN_TOKEN_CHARS} characters), or listen on 127.0.0.1."
        )
    return secrets.token_urlsafe(32), True


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


class TokenCheck:
    """Checks ``Authorization: Bearer <token>`` in constant time.

    Examples
    --------
    >>> check = TokenCheck("a-long-enough-secret")
    >>> check.ok("Bearer a-long-enough-secret"), check.ok("bearer a-long-enough-secret")
    (True, True)
    >>> check.ok("Bearer wrong"), check.ok(None), check.ok("a-long-enough-secret")
    (False, False, False)
    """

    def __init__(self, token: str) -> None:
        if len(token) < MIN_TOKEN_CHARS:
            raise ServiceError(f"The token must have at least {MIN_TOKEN_CHARS} characters.")
        self._want = _digest(token)

    def ok(self, authorization: str | None) -> bool:
        """True when the header value is ``Bearer`` and the right token."""
        if not authorization:
            return False
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(_digest(given.strip()), self._want)


class IdHasher:
    """Short keyed hashes of ids for the access log, with a random key per run.

    Requests for the same id can be told apart from others within one run, but the
    log alone does not reveal which id it was, nor link two runs.

    Examples
    --------
    >>> h = IdHasher()
    >>> h("P01") == h("P01"), h("P01") == h("P02"), len(h("P01"))
    (True, False, 12)
    """

    def __init__(self) -> None:
        self._key = secrets.token_bytes(16)

    def __call__(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[
            :12
        ]
