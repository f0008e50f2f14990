"""The query catalogue: every Cypher statement famgraph runs, loaded by name from ``cypher/``.

Each ``.cypher`` file holds one statement. Its header is a block of ``//`` comment
lines: the first says what the statement does, a ``// params:`` line (continued on
the following comment lines) lists the ``$parameters`` it takes. A query is named
by its path without the suffix, e.g. ``load/people``. :meth:`Query.bind` checks
that a call passes *exactly* the parameters the statement uses, so a typo or a
forgotten parameter fails before anything reaches the server.

The files live in ``cypher/`` in the source tree and are packaged into the wheel
as ``famgraph/_cypher``; :func:`cypher_dir` finds either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["Catalogue", "Query", "cypher_dir", "parameters_of"]

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_COMMENT = re.compile(r"//[^\n]*")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _strip(text: str) -> str:
    """The statement without string literals, quoted names and ``//`` comments."""
    out: list[str] = []
    pos = 0
    # Walk literals and comments in order, so a // inside a string is not a comment.
    pattern = re.compile(_STRING.pattern + "|" + _COMMENT.pattern)
    for m in pattern.finditer(text):
        out.append(text[pos : m.start()])
        out.append(" ")
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def parameters_of(text: str) -> frozenset[str]:
    """The ``$parameters`` a Cypher statement uses (outside strings and comments).

    Examples
    --------
    >>> sorted(parameters_of("MATCH (p {id: $id}) // $not_this\\nRETURN '$nor_this', $k"))
    ['id', 'k']
    """
    return frozenset(_PARAM.findall(_strip(text)))


@dataclass(frozen=True)
class Query:
    """One named Cypher statement.

    Attributes
    ----------
    name : str
        Path below ``cypher/`` without ``.cypher``, e.g. ``"load/people"``.
    text : str
        The file's full text (header comments included; Neo4j ignores them).
    purpose : str
        The first header line.
    params : frozenset of str
        The parameters the statement uses.
    declared : frozenset of str
        The parameters named on the header's ``// params:`` line.
    """

    name: str
    text: str
    purpose: str
    params: frozenset[str]
    declared: frozenset[str]

    def bind(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Check that ``params`` are exactly this statement's parameters; return them.

        Raises
        ------
        TypeError
            When a parameter is missing or unexpected (names only; never values).

        Examples
        --------
        >>> q = Catalogue.default()["read/book"]
        >>> q.bind({"key": "famgraph"})
        {'key': 'famgraph'}
        >>> q.bind({})
        Traceback (most recent call last):
        ...
        TypeError: Query 'read/book' takes parameters ['key']; missing ['key'].
        """
        given = dict(params or {})
        missing = sorted(self.params - given.keys())
        extra = sorted(given.keys() - self.params)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {missing}")
            if extra:
                parts.append(f"unexpected {extra}")
            raise TypeError(
                f"Query {self.name!r} takes parameters {sorted(self.params)}; "
                + ", ".join(parts)
                + "."
            )
        return given


def _parse(name: str, text: str) -> Query:
    header = []
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("//"):
            break
        header.append(s[2:].strip())
    purpose = header[0] if header else ""
    declared: set[str] = set()
    in_params = False
    for h in header:
        in_params = in_params or h.lower().startswith("params:")
        if in_params:
            declared.update(_PARAM.findall(h))
    return Query(name, text, purpose, parameters_of(text), frozenset(declared))


def cypher_dir() -> Path:
    """Where the ``.cypher`` files are: ``famgraph/_cypher`` when installed, else ``cypher/``.

    Examples
    --------
    >>> (cypher_dir() / "load" / "people.cypher").is_file()
    True
    """
    packaged = Path(str(resources.files("famgraph"))) / "_cypher"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parents[2] / "cypher"
    if source.is_dir():
        return source
    raise FileNotFoundError(
        "famgraph's Cypher files are missing: neither famgraph/_cypher (installed) nor "
        "cypher/ (source tree) exists. Reinstall famgraph."
    )


class Catalogue(Mapping[str, Query]):
    """All named queries of one ``cypher/`` folder.

    Parameters
    ----------
    root : path-like
        The folder holding ``schema/``, ``load/``, ``read/``, ``analysis/``.

    Examples
    --------
    >>> cat = Catalogue.default()
    >>> "load/people" in cat and "schema/person_id" in cat.names("schema/")
    True
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self._queries: dict[str, Query] = {}
        for f in sorted(self.root.rglob("*.cypher")):
            name = f.relative_to(self.root).with_suffix("").as_posix()
            self._queries[name] = _parse(name, f.read_text(encoding="utf-8"))

    @staticmethod
    @cache
    def default() -> Catalogue:
        """The catalogue of famgraph's own ``cypher/`` folder (read once)."""
        return Catalogue(cypher_dir())

    def __getitem__(self, name: str) -> Query:
        try:
            return self._queries[name]
        except KeyError:
            raise KeyError(f"No Cypher query named {name!r} in {self.root}.") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def names(self, prefix: str = "") -> list[str]:
        """Query names starting with ``prefix``, sorted."""
        return [n for n in self._queries if n.startswith(prefix)]
