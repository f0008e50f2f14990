"""The query catalogue: every Cypher statement famgraph runs, loaded by name from ``cypher/``.

Each ``.cypher`` file holds one statement. Its header is a block of ``//`` comment
lines: the first says what the statement does, a ``// params:`` line (continued on
the following comment lines) lists the ``$parameters`` it takes. A query is named
by its path without the suffix, e.g. ``load/people``. Load statements are written as
``MERGE`` (idempotent upserts); :meth:`Query.as_create` gives the same statement with
``CREATE``, which the store runs only on a database without famgraph data, where
nothing can exist yet and the existence checks are wasted work. A load statement may end in an
optional part that starts at a line beginning with :data:`EXTRAS_MARKER`: it sets the
``extra_<column>`` properties and runs only for tables that have extra columns
(:meth:`Query.without_extras` drops it, so a book without extras never pays for the
dynamic property writes, which make the planner add an ``Eager``). :meth:`Query.bind` checks
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

__all__ = ["EXTRAS_MARKER", "Catalogue", "Query", "cypher_dir", "parameters_of"]

#: A comment line starting with this opens a statement's optional extra-columns part.
EXTRAS_MARKER = "// --- with extra columns only"

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_COMMENT = re.compile(r"//[^\n]*")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_MERGE = re.compile(r"\bMERGE\b")


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

    @property
    def has_extras_part(self) -> bool:
        """Whether the statement ends in an optional extra-columns part."""
        return _extras_at(self.text) is not None

    def as_create(self) -> Query:
        """The statement with every ``MERGE`` clause turned into ``CREATE``.

        Only valid where none of the merged nodes and relationships can exist yet
        (an empty database; the rows' keys unique), which the caller must ensure.

        Examples
        --------
        >>> q = Catalogue.default()["load/member_of"].as_create()
        >>> "MERGE" in q.text, "CREATE (p)-[:MEMBER_OF]->(h)" in q.text
        (False, True)
        """
        body = _MERGE.sub("CREATE", self.text[len(self.header) :])
        return Query(self.name, self.header + body, self.purpose, self.params, self.declared)

    @property
    def header(self) -> str:
        """The leading ``//`` comment lines."""
        end = 0
        for line in self.text.splitlines(keepends=True):
            if not line.lstrip().startswith("//"):
                break
            end += len(line)
        return self.text[:end]

    def without_extras(self) -> Query:
        """The statement without its optional extra-columns part (itself if it has none).

        Examples
        --------
        >>> q = Catalogue.default()["load/referrals"]
        >>> sorted(q.params - q.without_extras().params)
        ['extra_keys', 'extra_values']
        """
        at = _extras_at(self.text)
        if at is None:
            return self
        head = self.text[:at]
        params = parameters_of(head)
        return Query(self.name, head, self.purpose, params, self.declared & params)

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


def _extras_at(text: str) -> int | None:
    """Offset of the line that opens the optional extra-columns part, if any."""
    at = 0
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(EXTRAS_MARKER):
            return at
        at += len(line)
    return None


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
