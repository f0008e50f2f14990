"""Reading book files as real systems export them: encodings, delimiters, headers, names."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import famgraph as fg
from famgraph.ingest import read_table

# what Excel on a Chinese Windows saves: GBK, CRLF, Chinese dates, 是/否, Chinese labels
PEOPLE = (
    "person_id,name,birth_date,gender,annual_income,is_customer,joined_at\r\n"
    "P1,王伟,1984年2月11日,男,120000,是,2020年3月1日\r\n"
    "P2,李娜,1986/7/3,女,80000,是,2020-03-01\r\n"
    "P3,王小明,2019年5月20日,男,0,否,\r\n"
    "P4,王建国,1958.1.2,男,,是,20190601\r\n"
)
RELATIONS = (
    "person_id,relative_id,relation,since\r\n"
    "P1,P2,配偶,2015年5月1日\r\n"
    "P1,P3,儿子,\r\n"
    "P3,P4,爷爷,\r\n"
)
HOLDINGS = (
    "person_id,line,purchased_at,amount,payer_id,payer_relation\r\n"
    "P3,medical,2024年5月20日,900,P4,孙子\r\n"
    "P1,life,2020年3月1日,3000,P1,本人\r\n"
)


def write(folder: Path, encoding: str, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode(encoding))
    return folder


def test_a_gbk_book_reads_like_its_utf8_twin(tmp_path: Path) -> None:
    files = {"people.csv": PEOPLE, "relations.csv": RELATIONS, "holdings.csv": HOLDINGS}
    gbk = write(tmp_path / "gbk", "gbk", **files)
    raw = (gbk / "people.csv").read_bytes()
    assert "王伟".encode("gbk") in raw and "王伟".encode() not in raw  # real GBK bytes
    utf8 = write(tmp_path / "utf8", "utf-8", **files)
    a, b = fg.read_dir(gbk), fg.read_dir(utf8)
    c = fg.read_dir(gbk, encoding="gbk")
    for t in ("people", "relations", "holdings"):
        pd.testing.assert_frame_equal(getattr(a, t), getattr(b, t))
        pd.testing.assert_frame_equal(getattr(a, t), getattr(c, t))
    assert a.rejects.empty and a.issues.empty
    assert a.people["name"].tolist() == ["王伟", "李娜", "王小明", "王建国"]
    assert a.people["is_customer"].tolist() == [True, True, False, True]
    assert a.people["birth_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "1984-02-11",
        "1986-07-03",
        "2019-05-20",
        "1958-01-02",
    ]
    assert a.people["joined_at"].iloc[3] == pd.Timestamp("2019-06-01")
    assert a.relations["relation"].tolist()[:3] == ["spouse", "child", "grandchild"]
    # the grandparent's policy for the grandchild repeats the declared fact: merged
    q = a.quality_report().set_index("table").loc["policy_relations"]
    assert (q["rows_in"], q["merged"]) == (1, 1)


def test_bom_and_utf16_and_gb18030_are_detected(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes("person_id,name\nP1,王伟\n".encode("utf-8-sig"))
    assert list(read_table(bom)) == ["person_id", "name"]  # no "\ufeffperson_id"
    u16 = tmp_path / "u16.txt"  # Excel "Unicode text": UTF-16 with BOM, tab-delimited
    u16.write_bytes("person_id\tname\r\nP1\t王伟\r\n".encode("utf-16"))
    assert read_table(u16).to_dict("list") == {"person_id": ["P1"], "name": ["王伟"]}
    rare = tmp_path / "gb18030.csv"  # a character outside GBK
    rare.write_bytes("person_id,name\nP1,王𠀀\n".encode("gb18030"))
    assert read_table(rare)["name"].tolist() == ["王𠀀"]


def test_an_undecodable_file_names_the_file_and_says_encoding(tmp_path: Path) -> None:
    bad = tmp_path / "people.csv"
    bad.write_bytes(b"person_id,name\nP1,ok\nP2,\x80\x80\n")
    with pytest.raises(fg.DataError, match=r"people\.csv.*line 3.*encoding=") as exc:
        fg.read_dir(tmp_path)
    assert exc.value.table == "people"
    gbk = tmp_path / "gbk"
    write(gbk, "gbk", **{"people.csv": PEOPLE})
    with pytest.raises(fg.DataError, match=r"not valid utf-8 \(first undecodable byte on line 2"):
        fg.read_dir(gbk, encoding="utf-8")
    with pytest.raises(fg.DataError, match="The `encoding` parameter of `build` must be"):
        fg.build(gbk / "people.csv", encoding="klingon")
    with pytest.raises(fg.DataError, match="The `encoding` parameter of `build`"):
        fg.build(gbk / "people.csv", encoding=5)  # type: ignore[arg-type]


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_the_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    f = tmp_path / "people.csv"
    rows = [["person_id", "name", "annual_income"], ["P1", "Wang, Wei", "1,5"], ["P2", "Li", ""]]
    text = "\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in r) for r in rows)
    f.write_text(text + "\n", encoding="utf-8")
    df = read_table(f)
    assert list(df) == ["person_id", "name", "annual_income"]
    assert df["name"].tolist() == ["Wang, Wei", "Li"]


def test_a_row_with_more_fields_than_the_header_is_an_error_naming_the_line(
    tmp_path: Path,
) -> None:
    f = tmp_path / "people.csv"
    f.write_text("person_id,name,gender\nP1,Wang,M\nP2,Li,Na,F\n", encoding="utf-8")
    with pytest.raises(fg.DataError) as exc:
        read_table(f, "people")
    msg = str(exc.value)
    assert "line 3 has 4 fields but the header has 3" in msg and "people.csv" in msg
    assert "Li" not in msg and "Na" not in msg  # no cell values in the message
    short = tmp_path / "short.csv"
    short.write_text("person_id,name,gender\nP1,Wang\n", encoding="utf-8")
    with pytest.raises(fg.DataError, match="line 2 has 2 fields but the header has 3"):
        read_table(short)


def test_repeated_and_messy_headers(tmp_path: Path) -> None:
    f = tmp_path / "people.csv"
    f.write_text("person_id,name,person_id\nP1,Wang,P2\n", encoding="utf-8")
    with pytest.raises(fg.DataError, match=r"\['person_id'\] more than once"):
        fg.build(f)
    g = tmp_path / "messy.csv"
    g.write_text(" Person_ID ,Birth Date, Annual-Income , Note \nP1,1980-01-01,5,x\n")
    got = fg.build(g)
    assert got.people["birth_date"].tolist() == [pd.Timestamp("1980-01-01")]
    assert got.people["annual_income"].tolist() == [5.0]
    assert got.people["Note"].tolist() == ["x"]  # extras keep their name, trimmed
    twice = pd.DataFrame({"person_id": ["A"], "Person_ID": ["B"]})
    with pytest.raises(fg.DataError, match="more than once"):
        fg.build(twice)


def test_file_names_are_found_in_any_case_and_compressed(tmp_path: Path) -> None:
    (tmp_path / "People.CSV").write_text("person_id\nP1\nP2\n", encoding="utf-8")
    (tmp_path / "holdings.csv.gz").write_bytes(
        gzip.compress(b"person_id,line,purchased_at\nP1,life,2024-01-01\n")
    )
    g = fg.read_dir(tmp_path)
    assert g.n_people == 2 and len(g.holdings) == 1
    (tmp_path / "people.csv").write_text("person_id\nP3\n", encoding="utf-8")
    if len({p.name.lower() for p in tmp_path.iterdir()}) < len(list(tmp_path.iterdir())):
        with pytest.raises(fg.DataError, match="Several files"):
            fg.read_dir(tmp_path)


def test_quoted_newlines_empty_files_and_trailing_delimiters(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text('person_id,name\nP1,"two\nlines"\nP2,x\n', encoding="utf-8")
    assert read_table(f)["name"].tolist() == ["two\nlines", "x"]
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(fg.DataError, match="empty"):
        read_table(empty, "people")
    header = tmp_path / "header.csv"
    header.write_text("person_id,name\n", encoding="utf-8")
    assert len(read_table(header)) == 0
    trailing = tmp_path / "trailing.csv"  # a delimiter at the end of every line
    trailing.write_text("person_id,name,\nP1,x,\n", encoding="utf-8")
    assert list(read_table(trailing)) == ["person_id", "name"]


def test_parquet_binary_and_undecodable_ids(tmp_path: Path) -> None:
    f = tmp_path / "people.parquet"
    pq.write_table(pa.table({"person_id": pa.array([b"P1", b"P2", b"\xff\xfe"], pa.binary())}), f)
    g = fg.build(f)
    assert g.people["person_id"].tolist() == ["P1", "P2"]
    rej = g.rejects.iloc[0]
    assert (rej["row"], rej["reason"], rej["column"]) == (2, "bad_type", "person_id")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(fg.DataError, match=r"broken\.parquet.*not a readable Parquet"):
        read_table(broken)


def test_read_dir_forwards_every_option(tmp_path: Path) -> None:
    write(tmp_path, "gbk", **{"people.csv": PEOPLE})
    g = fg.read_dir(tmp_path, as_of="2030年1月1日", encoding="gb2312", strict=True)
    assert g.as_of == pd.Timestamp("2030-01-01")
    with pytest.raises(fg.DataError, match="No folder"):
        fg.read_dir(tmp_path / "nope")
