"""Run the ```python blocks of the README and docs/*.md, in order, as a reader would.

Each Markdown file runs in one namespace (later blocks see earlier names), in a
fresh working directory holding ``book/`` (the bundled sample book written as CSV
files -- the folder the docs' examples read). A block made of ``>>>`` lines runs as a
doctest (its printed output is checked); any other block is executed as it stands.
A block right after the line ``<!-- docs-test: neo4j -->`` needs a Neo4j server
(the ``NEO4J_*`` variables): the unit tests run every other block, and the
integration tests run the whole file, marked blocks included.
"""

from __future__ import annotations

import doctest
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NEO4J_MARKER = "<!-- docs-test: neo4j -->"
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def documents() -> list[Path]:
    """The README and every page of docs/, in a stable order."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def needs_neo4j(path: Path) -> bool:
    """Whether any block of ``path`` needs a Neo4j server."""
    return any(neo4j for _, _, neo4j in blocks(path))


def blocks(path: Path) -> list[tuple[int, str, bool]]:
    """(line number, code, needs Neo4j) of every ```python block of ``path``."""
    text = path.read_text(encoding="utf-8")
    out = []
    for m in _BLOCK.finditer(text):
        before = text[: m.start()].rstrip().rsplit("\n", 1)[-1].strip()
        out.append((text.count("\n", 0, m.start()) + 1, m.group(1), before == NEO4J_MARKER))
    return out


@contextmanager
def _cwd(where: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(where)
    try:
        yield
    finally:
        os.chdir(before)


def run_document(path: Path, workdir: Path, *, neo4j: bool = False) -> int:
    """Run the python blocks of ``path`` in ``workdir``; return how many ran.

    Without ``neo4j`` the blocks marked as needing a server are left to the
    integration tests; with it every block runs.

    Raises AssertionError naming the file and line of the first block that fails.
    """
    import matplotlib

    matplotlib.use("Agg")
    import famgraph as fg

    fg.datasets.write_sample(workdir / "book")
    namespace: dict[str, object] = {"__name__": "__docs__"}
    ran = 0
    with _cwd(workdir):
        for line, code, needs_server in blocks(path):
            if needs_server and not neo4j:
                continue
            where = f"{path.relative_to(REPO)}:{line}"
            if code.lstrip().startswith(">>>"):
                test = doctest.DocTestParser().get_doctest(code, namespace, where, where, line)
                runner = doctest.DocTestRunner(
                    optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
                )
                runner.run(test, clear_globs=False)
                assert runner.failures == 0, f"the doctest block at {where} failed (see above)"
            else:
                try:
                    exec(compile(code, where, "exec"), namespace)
                except Exception as exc:
                    raise AssertionError(f"the code block at {where} fails: {exc!r}") from exc
            ran += 1
            import matplotlib.pyplot as plt

            plt.close("all")
    return ran
