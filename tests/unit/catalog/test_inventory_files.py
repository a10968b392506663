"""Inventory files: refusals name the row and the column and quote at most the offending
cell, cut short; the DAG's inbox refuses every path that leads out of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jet.catalog.inbox import OutsideInbox, resolve
from jet.catalog.load_csv import CELL_SHOWN, CatalogFileError, parse, read_file
from jet.failures import PermanentError

pytestmark = pytest.mark.unit
HEADER = "sku,title,unit_cost,replenishable,archived,fulfillment_node,on_hand,safety_stock\n"


def refusal(text: str | bytes, tmp_path: Path) -> str:
    file = tmp_path / "stock.csv"
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(CatalogFileError) as refused:
        read_file(file)
    assert isinstance(refused.value, PermanentError), "a refused file fails the task without retries"
    return str(refused.value)


def test_a_file_that_is_not_a_catalog_is_not_echoed(tmp_path: Path) -> None:
    passwd = Path("/etc/passwd").read_text()
    with pytest.raises(CatalogFileError) as refused:
        read_file("/etc/passwd")
    message = str(refused.value)
    assert "header: unknown column" in message
    lines = passwd.splitlines()
    assert lines[0][:20] in message, "the offending cell is named..."
    assert not any(line in message for line in lines[1:3]), "...and nothing beyond it"
    long_header = "x" * 5000 + "\n" + "y\n"
    assert "x" * (CELL_SHOWN + 1) not in refusal(long_header, tmp_path), "cut to a few dozen characters"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "A,Socks,3.20,false,false,n1,1000000000000,",
            "row 2, column on_hand: '1000000000000' is more than 1,000,000,000",
        ),
        ("A,Soc\x00ks,3.20,false,false,n1,1,", "row 2, column title: control character '\\x00' at position 4"),
        ("A,Socks,1e15,false,false,n1,1,", "row 2, column unit_cost: '1e15' is not below 1,000,000 USD"),
        ("A,Socks,3.20,false,false,n1,1,-3", "row 2, column safety_stock: -3 is negative"),
        ("A,Socks,3.20,false,false,n1,,", "row 2, column on_hand: required when fulfillment_node is given"),
    ],
)
def test_bad_cells_name_their_row_and_column(row: str, expected: str, tmp_path: Path) -> None:
    assert expected in refusal(HEADER + row + "\n", tmp_path)


def test_a_long_cell_is_quoted_cut_short(tmp_path: Path) -> None:
    message = refusal(HEADER + "A," + "t" * 10_000 + ",3.20,false,false,n1,1,\n", tmp_path)
    assert "row 2, column title: 10000 characters, at most 500" in message
    assert "t" * CELL_SHOWN not in message


def test_a_latin1_file_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    data = (HEADER + "A,Socks,3.20,false,false,n1,1,\nB,Café crème,4,false,false,n1,2,\n").encode("latin-1")
    message = refusal(data, tmp_path)
    assert "row 3, column title: byte 0xe9 is not UTF-8" in message
    assert "UTF-8" in message


def test_counted_at_must_carry_a_utc_offset_and_not_be_in_the_future() -> None:
    from datetime import UTC, datetime

    header = HEADER.strip() + ",counted_at\n"
    good = parse(header + "A,Socks,3.20,false,false,n1,4,,2026-03-02T06:00:00+01:00\n")
    assert good.stock[0].counted_at == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    with pytest.raises(CatalogFileError, match="row 2, column counted_at: '2026-03-02T06:00:00' has no UTC offset"):
        parse(header + "A,Socks,3.20,false,false,n1,4,,2026-03-02T06:00:00\n")
    with pytest.raises(CatalogFileError, match=r"row 2, column counted_at: .* is later than now"):
        parse(header + "A,Socks,3.20,false,false,n1,4,,2026-03-03T00:00:00Z\n", now=datetime(2026, 3, 2, tzinfo=UTC))


def test_without_counted_at_the_count_is_as_of_the_file(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    file = tmp_path / "stock.csv"
    file.write_text(HEADER + "A,Socks,3.20,false,false,n1,4,\n")
    os.utime(file, (1_772_000_000, 1_772_000_000))
    assert read_file(file).stock[0].counted_at == datetime.fromtimestamp(1_772_000_000, UTC)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    (box / "sub").mkdir(parents=True)
    (box / "stock.csv").write_text(HEADER)
    (box / "sub" / "more.csv").write_text(HEADER)
    (box / "passwd.csv").symlink_to("/etc/passwd")
    (box / "out").symlink_to(tmp_path)
    (tmp_path / "secret.csv").write_text("not yours\n")
    return box


@pytest.mark.parametrize("name", ["stock.csv", "sub/more.csv", "./sub/../stock.csv"])
def test_files_in_the_inbox_are_read(inbox: Path, name: str) -> None:
    assert resolve(name, inbox).is_relative_to(inbox.resolve())
    assert resolve(str(inbox / "stock.csv"), inbox) == (inbox / "stock.csv").resolve()


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("/etc/passwd", "outside the inventory inbox"),
        ("../secret.csv", "outside the inventory inbox"),
        ("sub/../../secret.csv", "outside the inventory inbox"),
        ("passwd.csv", "outside the inventory inbox"),  # a link out
        ("out/secret.csv", "outside the inventory inbox"),  # a directory link out
        ("missing.csv", "no file 'missing.csv' in the inventory inbox"),
        ("sub", "no file 'sub'"),
        ("", "no file named"),
        ("stock\x00.csv", "control character"),
    ],
)
def test_paths_out_of_the_inbox_are_refused(inbox: Path, name: str, why: str) -> None:
    with pytest.raises(OutsideInbox, match=why) as refused:
        resolve(name, inbox)
    assert "root:" not in str(refused.value)


def test_the_inbox_is_configurable_and_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jet.catalog.inbox import inbox_dir

    monkeypatch.setenv("JET_INVENTORY_INBOX", str(tmp_path / "drop"))
    assert inbox_dir() == tmp_path / "drop"
    assert (tmp_path / "drop").is_dir()
    monkeypatch.delenv("JET_INVENTORY_INBOX")
    monkeypatch.setenv("JET_PROJECT_ROOT", str(tmp_path))
    assert inbox_dir() == tmp_path / ".local" / "inbox"
