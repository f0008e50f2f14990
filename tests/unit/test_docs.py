"""Every code block of the README and docs/ runs as written (those needing Neo4j: integration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docblocks import REPO, blocks, documents, needs_neo4j, run_document

WITH_CODE = [p for p in documents() if blocks(p)]


@pytest.mark.parametrize("path", WITH_CODE, ids=lambda p: str(p.relative_to(REPO)))
def test_code_blocks_run(path: Path, tmp_path: Path) -> None:
    """Every block not marked as needing Neo4j (tests/integration runs those too)."""
    without_server = [b for b in blocks(path) if not b[2]]
    assert run_document(path, tmp_path) == len(without_server)


def test_docs_have_code_and_the_server_examples_are_marked() -> None:
    assert len(WITH_CODE) >= 7
    for path in WITH_CODE:
        for line, code, marked in blocks(path):
            uses_server = "Neo4jStore(" in code or "GraphDatabase.driver(" in code
            assert uses_server == marked or marked, f"{path.name}:{line}: mark it for Neo4j"
    assert [p.name for p in WITH_CODE if needs_neo4j(p)]  # some run against the real server


def test_docs_reference_nothing_outside_the_repository() -> None:
    pages = [*documents(), REPO / "CHANGELOG.md"]
    for path in [*pages, *(REPO / "famgraph").rglob("*.py"), *(REPO / "cypher").rglob("*")]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for ref in ("METRICS.md", "PRODUCT.md", "API.md", "STYLE.md", "shared/docs"):
                assert ref not in text, f"{path.relative_to(REPO)} refers to {ref}"
