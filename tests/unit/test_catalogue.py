"""The Cypher catalogue: parameters, the label/type whitelist, no Cypher in Python, the wheel."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from famgraph.schema import NODE_LABELS, REL_TYPES
from famgraph.store.catalogue import Catalogue, cypher_dir, parameters_of

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "cypher"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(SOURCE)


def test_every_folder_has_queries(catalogue: Catalogue) -> None:
    for folder in ("schema/", "load/", "read/", "analysis/"):
        assert catalogue.names(folder), folder
    assert len(catalogue) == len(list(SOURCE.rglob("*.cypher")))


def test_header_documents_purpose_and_exact_parameters(catalogue: Catalogue) -> None:
    for name, q in catalogue.items():
        assert q.purpose, f"{name}: first header line must say what the statement does"
        assert "// params:" in q.text, f"{name}: header needs a '// params:' line"
        assert q.declared == q.params, (
            f"{name}: header declares {sorted(q.declared)}, statement uses {sorted(q.params)}"
        )


def test_one_statement_per_file(catalogue: Catalogue) -> None:
    for name, q in catalogue.items():
        body = re.sub(r"//[^\n]*", "", q.text).strip()
        assert ";" not in body, f"{name}: one statement per file, no ';'"


def test_create_variant_and_extras_part_of_load_statements(catalogue: Catalogue) -> None:
    with_extras = set()
    for name in catalogue.names("load/"):
        q = catalogue[name]
        created = q.as_create()
        assert "MERGE" not in created.text[len(created.header) :], name
        assert created.params == q.params and created.header == q.header
        core = q.without_extras()
        if q.has_extras_part:
            with_extras.add(name)
            assert q.params - core.params == {"extra_keys", "extra_values"}, name
            assert "FOREACH" not in core.text, name
        else:
            assert core is q
    # every statement that writes a table row can carry its extra columns
    assert with_extras == {
        n for n in catalogue.names("load/") if n.split("/")[1].startswith(("rel_", "people"))
    } | {"load/referrals", "load/holdings"}


def test_parameters_of_ignores_strings_and_comments() -> None:
    text = "MATCH (n {a: $a}) // $b\nWHERE n.x = '$c' AND n.y = \"it's $d\" RETURN $e, `$f`"
    assert parameters_of(text) == {"a", "e"}


def test_bind_requires_exactly_the_statement_parameters(catalogue: Catalogue) -> None:
    q = catalogue["load/referrals"]
    full = {p: [] for p in q.params}
    assert q.bind(full) == full
    with pytest.raises(TypeError, match=r"missing \['referee_id'\]"):
        q.bind({k: v for k, v in full.items() if k != "referee_id"})
    with pytest.raises(TypeError, match=r"unexpected \['rows'\]"):
        q.bind({**full, "rows": []})
    with pytest.raises(KeyError, match="No Cypher query named 'load/nope'"):
        catalogue["load/nope"]


_NAME = r"[A-Z][A-Za-z_]*"
_AFTER_COLON = re.compile(rf"(?<!:):\s*({_NAME}(?:\s*\|\s*{_NAME})*)")
_STRING = re.compile(r"'([^'\\]*)'")


def _labels_and_types(text: str) -> tuple[set[str], set[str]]:
    body = re.sub(r"//[^\n]*", "", text)
    names: set[str] = set()
    for m in _AFTER_COLON.finditer(_STRING.sub("''", body)):
        names.update(x.strip() for x in m.group(1).split("|"))
    quoted = set(_STRING.findall(body))
    labels = {x for x in names | quoted if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z]+)*", x)}
    types = {x for x in names | quoted if re.fullmatch(r"[A-Z][A-Z_]+", x)}
    return labels, types


def test_labels_and_relationship_types_are_whitelisted(catalogue: Catalogue) -> None:
    seen_labels: set[str] = set()
    seen_types: set[str] = set()
    for name, q in catalogue.items():
        labels, types = _labels_and_types(q.text)
        # value types in type predicates (IS :: DATE) are not graph names
        types -= {"DATE", "NOT", "NULL"}
        assert labels <= set(NODE_LABELS), f"{name}: labels {sorted(labels - set(NODE_LABELS))}"
        assert types <= set(REL_TYPES), f"{name}: rel types {sorted(types - set(REL_TYPES))}"
        seen_labels |= labels
        seen_types |= types
    # the scan is not vacuous: it finds the model's names
    assert {"Person", "Household", "Holding"} <= seen_labels
    assert {"SPOUSE", "CHILD", "KNOWS", "REFERRED", "MEMBER_OF", "HOLDS"} <= seen_types


def test_whitelist_scan_catches_an_unknown_label() -> None:
    labels, types = _labels_and_types("MATCH (a:Secret)-[:OWNS|HOLDS]->(b) RETURN 'X'")
    assert labels == {"Secret"} and types == {"OWNS", "HOLDS"}


_CYPHER_WORDS = re.compile(r"\b(MATCH|MERGE|UNWIND|DETACH|CREATE (?:CONSTRAINT|INDEX)|RETURN)\b")


def _docstring_nodes(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def test_no_cypher_text_or_f_strings_in_the_store_code() -> None:
    """Cypher lives only in cypher/; Python never formats values into a statement."""
    store_dir = REPO / "famgraph" / "store"
    files = sorted(store_dir.glob("*.py"))
    assert files
    for f in files:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        docs = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docs:
                    continue
                assert not _CYPHER_WORDS.search(node.value), (
                    f"{f.name}:{node.lineno}: Cypher text in Python: {node.value[:60]!r}"
                )
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
                if name in ("run", "execute_query", "execute_read", "execute_write"):
                    for arg in node.args[:1]:
                        assert not isinstance(arg, (ast.JoinedStr, ast.BinOp)), (
                            f"{f.name}:{node.lineno}: statement built by formatting"
                        )


def test_catalogue_finds_the_source_tree() -> None:
    assert cypher_dir().resolve() in (SOURCE.resolve(), (REPO / "famgraph" / "_cypher").resolve())
    assert set(Catalogue.default()) == set(Catalogue(SOURCE))


@pytest.mark.slow
def test_cypher_files_are_in_the_wheel_and_found_when_installed(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next(out.glob("famgraph-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        expected = {
            "famgraph/_cypher/" + p.relative_to(SOURCE).as_posix() for p in SOURCE.rglob("*.cypher")
        }
        assert expected <= names, sorted(expected - names)[:5]
        z.extractall(tmp_path / "site")
    # the installed layout: the catalogue loads famgraph/_cypher
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    code = (
        "from famgraph.store.catalogue import Catalogue, cypher_dir; "
        "print(cypher_dir()); print(len(Catalogue.default()))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    where, count = run.stdout.split()
    assert Path(where) == tmp_path / "site" / "famgraph" / "_cypher"
    assert int(count) == len(expected)


def test_no_business_number_is_written_into_cypher() -> None:
    """Business rules (ages, windows, multiples, decay ...) reach Cypher only as $parameters.

    Outside comments, strings and parameter names, a statement may use 0 and 1 (empty,
    one step, "minus one") and nothing else: any other number would be a rule restated
    in Cypher instead of taken from famgraph.rules.
    """
    from famgraph.store.catalogue import _strip

    number = re.compile(r"(?<![\w$.])(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(?![\w.])", re.IGNORECASE)
    found = {}
    for path in sorted(cypher_dir().rglob("*.cypher")):
        code = _strip(path.read_text(encoding="utf-8"))
        bad = sorted({m for m in number.findall(code) if float(m) not in (0.0, 1.0)})
        if bad:
            found[path.name] = bad
    assert found == {}, f"numeric literals in Cypher (pass them as $parameters): {found}"
