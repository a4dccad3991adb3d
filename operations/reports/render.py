"""Write a Report as an HTML table, a CSV file or a PDF (A4, header repeated, page numbers).

Cells are formatted here with small fast functions (a 5,000-order packing list has 40,000 rows:
Babel's currency formatter per cell would cost more than the SQL).

CSV (docs/reports.md): UTF-8 with a BOM, ``;`` separator, amounts in euros with a decimal comma
and no currency sign ("12,34"), weights in kg with a decimal comma ("1,250"): what a French
spreadsheet (LibreOffice, Excel) opens as numbers with a double click.
"""

from __future__ import annotations

import io
import logging
import operator
import os
from collections.abc import Callable, Iterable, Sequence
from html import escape
from itertools import chain, repeat
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import PDFResourceType, TextMode
from fpdf.fonts import CoreFont, TTFFont
from fpdf.util import escape_parens
from markupsafe import Markup

from core import csvexport
from operations.reports.services import INT, MONEY, WEIGHT, Column, Report

log = logging.getLogger(__name__)

NNBSP, NBSP = "\u202f", "\u00a0"
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
#: one font file: each embedded TrueType font costs ~70 ms a document to parse (fontTools),
#: so bold text is drawn with the regular font filled and stroked (``_bold``)
FONT_FILES = {"": "DejaVuSansCondensed.ttf"}


# --------------------------------------------------------------------------- cell formatting


def _grouped(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def money_formatter(lang: str) -> Callable[[int], str]:
    """12345 -> "123,45 €" (fr) or "€123.45" (en); negative amounts keep their sign."""
    if lang.startswith("fr"):

        def fr(cents: int) -> str:
            sign = "-" if cents < 0 else ""
            euros, rest = divmod(abs(cents), 100)
            return f"{sign}{_grouped(euros, NNBSP)},{rest:02d}{NBSP}€"

        return fr

    def en(cents: int) -> str:
        sign = "-" if cents < 0 else ""
        euros, rest = divmod(abs(cents), 100)
        return f"{sign}€{euros:,}.{rest:02d}"

    return en


def weight_formatter(lang: str) -> Callable[[int], str]:
    """1250 g -> "1,250" (fr) or "1.250" (en), in kg."""
    point = "," if lang.startswith("fr") else "."

    def kg(grams: int) -> str:
        sign = "-" if grams < 0 else ""
        whole, rest = divmod(abs(grams), 1000)
        return f"{sign}{whole}{point}{rest:03d}"

    return kg


def _texts(values: Sequence[Any], format_value: Callable[[Any], str]) -> list[str]:
    """The text of each value of a column, ``format_value`` called once per distinct value
    (amounts, weights and names repeat over thousands of rows); None and "" are blank."""
    distinct = {v: "" if v is None or v == "" else format_value(v) for v in set(values)}
    return list(map(distinct.__getitem__, values))


def _formatters(columns: list[Column], lang: str) -> list[Callable[[Any], str]]:
    money, kg = money_formatter(lang), weight_formatter(lang)
    kinds = {MONEY: money, WEIGHT: kg}
    return [kinds.get(column.kind, str) for column in columns]


def _lang() -> str:
    locale = get_locale()
    return str(locale) if locale else "fr"


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """The rows as columns (each table is written column by column: one formatter, one cache
    and one C-level ``map`` per column instead of a Python call per cell)."""
    return [list(map(operator.itemgetter(i), rows)) for i in range(width)]


def display_columns(report: Report, lang: str) -> list[list[str]]:
    """The columns as displayed (HTML, PDF): formatted, a grouped column blank where it and
    every grouped column before it repeat the row above."""
    values = _columns(report.rows, len(report.columns))
    texts = [
        _texts(column, fmt)
        for column, fmt in zip(values, _formatters(report.columns, lang), strict=True)
    ]
    repeated: list[bool] | None = None  # row n repeats row n-1 in every grouped column so far
    for i, column in enumerate(report.columns):
        if not column.group or len(values[i]) < 2:
            continue
        same = list(map(operator.eq, values[i][1:], values[i][:-1]))
        repeated = same if repeated is None else list(map(operator.and_, repeated, same))
        texts[i][1:] = ["" if r else t for r, t in zip(repeated, texts[i][1:], strict=True)]
    return texts


def display_rows(report: Report, lang: str) -> list[tuple[str, ...]]:
    """Rows as displayed (HTML, PDF): see ``display_columns``."""
    return list(zip(*display_columns(report, lang), strict=True))


def _total_rows(report: Report, lang: str) -> list[tuple[str, ...]]:
    fmts = _formatters(report.columns, lang)
    return [
        tuple("" if v is None or v == "" else f(v) for f, v in zip(fmts, row, strict=True))
        for row in report.totals
    ]


# --------------------------------------------------------------------------- HTML


def html_table(report: Report) -> Markup:
    """The table body and totals as HTML (built here: 40,000 rows through Jinja are slow)."""
    lang = _lang()
    classes = [' class="num"' if c.kind in (MONEY, WEIGHT, INT) else "" for c in report.columns]
    last = len(classes) - 1
    cells: list[Iterable[str]] = []
    for i, (css, texts) in enumerate(zip(classes, display_columns(report, lang), strict=True)):
        # each distinct text of a column is escaped and wrapped once; the row's <tr> and </tr>
        # are part of its first and last cells
        before, after = ("<tr>" if i == 0 else ""), ("</tr>\n" if i == last else "")
        td = {t: f"{before}<td{css}>{escape(t, quote=False)}</td>{after}" for t in set(texts)}
        cells.append(map(td.__getitem__, texts))
    body = "".join(chain.from_iterable(zip(*cells, strict=True)))
    foot = "".join(
        "<tr>"
        + "".join(
            f'<th{css} scope="row">{escape(text, quote=False)}</th>'
            if i == 0
            else f"<td{css}>{escape(text, quote=False)}</td>"
            for i, (css, text) in enumerate(zip(classes, row, strict=True))
        )
        + "</tr>\n"
        for row in _total_rows(report, lang)
    )
    head = "".join(
        f'<th scope="col"{css}>{escape(c.label)}</th>'
        for css, c in zip(classes, report.columns, strict=True)
    )
    return Markup(  # noqa: S704 - every label and cell is escaped above
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n<tfoot>\n{foot}</tfoot>"
    )


# --------------------------------------------------------------------------- CSV


def _csv_money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return csvexport.Number(f"{sign}{euros},{rest:02d}")


def _csv_weight(grams: int) -> str:
    sign = "-" if grams < 0 else ""
    whole, rest = divmod(abs(grams), 1000)
    return csvexport.Number(f"{sign}{whole},{rest:03d}")


def csv_bytes(report: Report) -> bytes:
    """UTF-8 with BOM, ``;``-separated; every row complete (no grouping blanks), then totals."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csvexport.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in report.columns])
    # amounts, weights and quantities are numbers we format (a sign is no formula); the rest
    # is text, neutralised by the writer (a guest's name, phone or note)
    kinds: dict[str, Callable[[Any], str]] = {
        MONEY: _csv_money,
        WEIGHT: _csv_weight,
        INT: csvexport.Number,
    }
    fmts = [kinds.get(column.kind, str) for column in report.columns]
    for rows in (report.rows, report.totals):
        columns = _columns(rows, len(fmts))
        writer.writecolumns([_texts(c, f) for c, f in zip(columns, fmts, strict=True)])
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- PDF


def fonts_available() -> bool:
    return all(os.path.exists(os.path.join(FONT_DIR, f)) for f in FONT_FILES.values())


class _ReportPDF(FPDF):
    def __init__(self, report: Report, subtitle: str, unicode_font: bool) -> None:
        super().__init__(orientation="L" if report.landscape else "P", unit="mm", format="A4")
        self.report = report
        self.subtitle = subtitle
        self.family = "DejaVu" if unicode_font else "Helvetica"
        #: core fonts write WinAnsi: titles and labels are converted like the cells
        self.clean: Callable[[str], str] = _identity if unicode_font else _win_ansi
        if unicode_font:
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, os.path.join(FONT_DIR, name))
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(auto=False)
        total = sum(c.width for c in report.columns)
        usable = self.w - 20
        self.widths = [usable * c.width / total for c in report.columns]
        self.aligns = ["R" if c.kind in (MONEY, WEIGHT, INT) else "L" for c in report.columns]
        self.row_h = 5.0 if report.name != "pickup" else 9.0
        self.page_label = _("Page")
        self._header_ops: bytes | None = None
        self._glyph_codes: dict[int, str | None] = {}
        self._glyph_seen: set[str] = set()
        self._header_end_y = 0.0
        self._shift_cache: dict[tuple[float, int, str], list[str]] = {}

    def _font(self) -> CoreFont | TTFFont:
        """The current font (always set before any text is written)."""
        if self.current_font is None:
            raise RuntimeError("no font set")
        return self.current_font

    def _contents(self, page: int) -> bytearray:
        """A page's content bytes while the document is written (a stream once output)."""
        contents = self.pages[page].contents
        if not isinstance(contents, bytearray):
            raise RuntimeError("the document has been output")
        return contents

    def _encode(self, text: str) -> str:
        """``current_font.encode_text`` with the glyph codes of a TrueType font looked up once
        per character (fpdf2 looks each character up on every call)."""
        font = self._font()
        if not isinstance(font, TTFFont) or font.is_symbol:
            return font.encode_text(text)
        table = self._glyph_codes
        for char in set(text).difference(self._glyph_seen):
            code = font.subset.pick(ord(char))
            table[ord(char)] = chr(code) if code is not None else None
            self._glyph_seen.add(char)
        return f"({font.escape_text(text.translate(table))}) Tj"

    def _measure(self) -> tuple[Callable[[str], float], float]:
        """A function giving the width of a text in the current font and size, in mm
        (get_string_width without its per-call overhead), and the advance of the font's widest
        character."""
        font, scale = self._font(), self.font_size_pt * 0.001 / self.k
        if isinstance(font, CoreFont):  # text is already WinAnsi, one character a byte
            advance = font.cw.__getitem__

            def measure(text: str) -> float:
                return sum(map(advance, text)) * scale
        else:
            size_pt, k = self.font_size_pt, self.k

            def measure(text: str) -> float:
                return font.get_text_width(text, size_pt, None)[1] / k

        return measure, max(font.cw.values()) * scale

    def _width(self, text: str) -> float:
        return self._measure()[0](text)

    def header(self) -> None:
        """Title and table header; drawn once, then its content bytes are copied on every
        page (a thousand-page packing list spent most of its time in these cells)."""
        if self._header_ops is not None:
            self._out(self._header_ops)
            # the copied bytes name the font: the page's resources must list it (fpdf2 lists a
            # font on a page only when its own text methods use it there)
            self._resource_catalog.add(PDFResourceType.FONT, self._font().i, self.page)
            self.set_xy(self.l_margin, self._header_end_y)
            return
        contents = self._contents(self.page)
        start = len(contents)
        self.set_font(self.family, "", 11)
        self._bold(True)
        self.cell(0, 6, self.clean(self.report.title), new_x="LMARGIN", new_y="NEXT")
        self._bold(False)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, self.clean(self.subtitle), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)
        # the table header, repeated on every page
        self.set_font(self.family, "", 7.5)
        self.set_fill_color(230, 230, 230)
        self._bold(True)
        for width, align, column in zip(self.widths, self.aligns, self.report.columns, strict=True):
            label = self._fit(self.clean(column.label), width, self._measure())
            self.cell(width, 6, label, border=1, align=align, fill=True)
        self._bold(False)
        self.ln(6)
        self.set_fill_color(0)  # text is painted with the fill colour: back to black
        self.set_font(self.family, "", 7.5)
        self._header_ops = bytes(contents[start:]).rstrip(b"\n")
        self._header_end_y = self.y

    def _bold(self, on: bool) -> None:
        """Faux bold: the glyphs are filled and stroked with a thin line."""
        self.text_mode = TextMode.FILL_STROKE if on else TextMode.FILL
        self.set_line_width(0.1 if on else 0.2)

    def footer(self) -> None:
        """Nothing while writing: ``number_pages`` adds "Page n/N" once N is known."""

    def number_pages(self) -> None:
        """ "Page n/N", centred at the foot of every page, written straight into each page
        (``cell()`` with fpdf2's page-count alias cost a fifth of a thousand-page PDF); the
        font is the table's, which the copied header sets on every page."""
        total, k = self.pages_count, self.k
        baseline = (self.h - (self.h - 10 + 2.5 + 0.3 * self.font_size)) * k
        for number in range(1, total + 1):
            text = self.clean(f"{self.page_label} {number}/{total}")
            x = (self.w - self._width(text)) / 2 * k
            ops = f"BT 1 0 0 1 {x:.2f} {baseline:.2f} Tm {self._encode(text)} ET\n"
            self._contents(number).extend(ops.encode("latin-1"))

    def _fit(self, text: str, width: float, measure: tuple[Callable[[str], float], float]) -> str:
        """Cut a text that does not fit its column (an ellipsis shows it was cut). ``measure``:
        ``_measure()`` of the font the text is written in."""
        width_of, widest = measure
        room = width - 1.5
        if len(text) * widest <= room or width_of(text) <= room:  # the first test measures nothing
            return text
        ellipsis = self.clean("…")
        while text and width_of(text + ellipsis) > room:
            text = text[:-1]
        return text + ellipsis

    def _clean_all(self, texts: list[str]) -> list[str]:
        """``clean`` of many texts in one call (a NUL cannot be in a name or a number)."""
        if not texts or self.clean is _identity:
            return texts
        return self.clean("\0".join(texts)).split("\0")

    def _encode_all(self, texts: list[str]) -> list[str]:
        """``_encode`` of many texts; a core font's parentheses escaped in one call."""
        if not isinstance(self._font(), CoreFont) or not texts:
            return [self._encode(text) for text in texts]
        return [f"({text}) Tj" for text in escape_parens("\0".join(texts)).split("\0")]

    def write_rows(self, columns: list[list[str]], bold: bool = False) -> None:
        """Write table rows, given as columns of display texts, straight into the page content.

        ``cell()`` costs about 30 µs a call: 40,000 rows of 8 cells took 7 s. Here each distinct
        text of a column is fitted, measured and encoded once, as the text operator that draws
        it on a page's first row; a row is its cells' operators and its rule under a
        translation (``cm``) down to its place, so rows are joined at C speed, a page at a time.
        """
        count = len(columns[0]) if columns else 0
        if not count:
            return
        widths, aligns, h = self.widths, self.aligns, self.row_h
        lefts = [self.l_margin + sum(widths[:i]) for i in range(len(widths))]
        right = self.l_margin + sum(widths)
        k, page_h, pad = self.k, self.h, self.c_margin
        # every row is drawn at the place of a page's first row, then moved down
        first = self._header_end_y
        baseline = f"{(page_h - (first + 0.5 * h + 0.3 * self.font_size)) * k:.2f}"
        top, bottom = (page_h - first) * k, (page_h - (first + h)) * k
        lines = [f"{lefts[0] * k:.2f} {bottom:.2f} m {right * k:.2f} {bottom:.2f} l S"]
        if self.report.name == "pickup":  # a grid to sign in
            lines.append(f"{lefts[0] * k:.2f} {top:.2f} m {right * k:.2f} {top:.2f} l S")
            for x in [*lefts, right]:
                lines.append(f"{x * k:.2f} {top:.2f} m {x * k:.2f} {bottom:.2f} l S")
        # bold rows: glyphs filled and stroked (0.3 pt); the Q ending each row restores both
        opening = "BT 2 Tr 0.30 w " if bold else "BT "
        closing = f"ET {' '.join(lines)} Q"
        measure = self._measure()
        width_of = measure[0]

        def operators(i: int, texts: Iterable[str]) -> dict[str, str]:
            distinct = [text for text in set(texts) if text]
            fitted = [self._fit(text, widths[i], measure) for text in self._clean_all(distinct)]
            encoded = self._encode_all(fitted)
            if aligns[i] == "R":  # each text placed by its width
                right_edge = lefts[i] + widths[i] - pad
                ops = [
                    f"1 0 0 1 {(right_edge - width_of(cut)) * k:.2f} {baseline} Tm {code} "
                    for cut, code in zip(fitted, encoded, strict=True)
                ]
            else:  # every text of the column starts at the same place
                place = f"1 0 0 1 {(lefts[i] + pad) * k:.2f} {baseline} Tm "
                ops = [f"{place}{code} " for code in encoded]
            out = dict(zip(distinct, ops, strict=True))
            out[""] = ""
            return out

        known = [operators(i, texts) for i, texts in enumerate(columns)]
        cells = [map(ops.__getitem__, texts) for ops, texts in zip(known, columns, strict=True)]
        bodies = list(map("".join, zip(*cells, repeat(closing, count), strict=True)))
        groups = [i for i, c in enumerate(self.report.columns) if c.group]
        limit = self.h - 14
        done = 0
        while done < count:
            if self.y + h > limit:
                self.add_page()
                # a page starts with its group's values, not with blanks
                texts = [
                    self._shown(columns[i], done) if i in groups else columns[i][done]
                    for i in range(len(columns))
                ]
                for i in groups:
                    known[i].update(operators(i, [texts[i]]))
                bodies[done] = "".join([*(known[i][t] for i, t in enumerate(texts)), closing])
            fitting = max(1, int((limit - self.y) / h + 1e-6))
            page = bodies[done : done + fitting]
            shifts = self._shifts(self.y - first, len(page), opening)
            self._out("\n".join(map(operator.add, shifts, page)))
            self.y += len(page) * h
            done += len(page)

    @staticmethod
    def _shown(texts: list[str], index: int) -> str:
        """The value a blank grouped cell continues: the last one shown above it."""
        for j in range(index, -1, -1):
            if texts[j]:
                return texts[j]
        return ""

    def _shifts(self, offset: float, count: int, opening: str) -> list[str]:
        """ "q 1 0 0 1 0 -dy cm BT " for ``count`` rows from ``offset`` mm below a page's first
        row (the same list for every full page)."""
        key = (round(offset, 3), count, opening)
        shifts = self._shift_cache.get(key)
        if shifts is None:
            k, h = self.k, self.row_h
            shifts = self._shift_cache[key] = [
                f"q 1 0 0 1 0 {-(offset + j * h) * k:.2f} cm {opening}" for j in range(count)
            ]
        return shifts


def pdf_bytes(report: Report, subtitle: str) -> bytes:
    """The report as an A4 PDF.

    Text that Windows-1252 can write (French and English names, €, «», œ, …: nearly every
    report) uses the PDF core font Helvetica: nothing to embed, so a small report takes a tenth
    of the time (an embedded TrueType font is parsed, then subset and compressed, for every
    document). Other text (a producer named "Łukasz") switches the document to DejaVu Sans,
    embedded; without DejaVu installed, such characters become "?".
    """
    lang = _lang()
    columns = display_columns(report, lang)
    totals = _total_rows(report, lang)
    fixed = [report.title, subtitle, _("Page"), _("No order in this cycle."), *report.notes]
    fixed += [c.label for c in report.columns]
    fits = _win_ansi_fits(fixed, columns, totals)
    unicode_font = not fits and fonts_available()
    if not fits and not unicode_font:
        log.warning(
            "DejaVu fonts not found in %s (Debian package fonts-dejavu-core): characters "
            "outside Windows-1252 are replaced by '?' in the PDF",
            FONT_DIR,
        )
    pdf = _ReportPDF(report, subtitle, unicode_font)
    pdf.core_fonts_encoding = "latin-1"  # the text is already WinAnsi bytes, as characters
    pdf.alias_nb_pages("")  # no alias (fpdf2 only substitutes a non-empty one): number_pages
    pdf.add_page()
    pdf.write_rows(columns)
    pdf.write_rows([list(column) for column in zip(*totals, strict=True)], bold=True)
    if report.notes:
        pdf.set_font(pdf.family, "", 7.5)
        pdf.ln(2)
        for note in report.notes:
            if pdf.get_y() + 10 > pdf.h - 14:
                pdf.add_page()
            pdf.multi_cell(0, 4, pdf.clean(note), new_x="LMARGIN", new_y="NEXT")
    if report.rows == [] and not report.totals:
        pdf.cell(0, 6, pdf.clean(_("No order in this cycle.")))
    pdf.set_font(pdf.family, "", 7.5)
    pdf.number_pages()
    return bytes(pdf.output())


def _win_ansi_fits(
    fixed: list[str], columns: list[list[str]], totals: list[tuple[str, ...]]
) -> bool:
    """Whether every text of the document can be written in Windows-1252 (one C-level pass)."""
    texts = chain(fixed, chain.from_iterable(map(set, columns)), chain.from_iterable(totals))
    text = "\x1f".join(texts)
    try:
        _win_ansi_substitutes(text).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _identity(text: str) -> str:
    return text


def _win_ansi_substitutes(text: str) -> str:
    """The few typographic characters WinAnsi lacks, as their plain equivalents: the narrow
    no-break space (amounts) as a no-break space, the minus sign (notes) as a hyphen-minus."""
    return text.replace(NNBSP, NBSP).replace("\u2212", "-")


def _win_ansi(text: str) -> str:
    """The text as the core fonts' WinAnsi bytes, each byte a character (what fpdf2 writes
    and measures)."""
    return _win_ansi_substitutes(text).encode("cp1252", "replace").decode("latin-1")
