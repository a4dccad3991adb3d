"""Write a Report as an HTML table, a CSV file or a PDF (A4, header repeated, page numbers).

Cells are formatted here with small fast functions (a 5,000-order packing list has 40,000 rows:
Babel's currency formatter per cell would cost more than the SQL).

CSV (docs/reports.md): UTF-8 with a BOM, ``;`` separator, amounts in euros with a decimal comma
and no currency sign ("12,34"), weights in kg with a decimal comma ("1,250"): what a French
spreadsheet (LibreOffice, Excel) opens as numbers with a double click.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Callable, Iterable
from html import escape
from itertools import chain
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import TextMode
from markupsafe import Markup

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


def _memo(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    """``format_value`` once per distinct value (amounts, weights and names repeat over
    thousands of rows); None and "" are blank."""
    cache: dict[Any, str] = {None: "", "": ""}

    def cached(value: Any) -> str:
        text = cache.get(value)
        if text is None:
            text = cache[value] = format_value(value)
        return text

    return cached


def _formatters(columns: list[Column], lang: str) -> list[Callable[[Any], str]]:
    money, kg = money_formatter(lang), weight_formatter(lang)
    out: list[Callable[[Any], str]] = []
    for column in columns:
        if column.kind == MONEY:
            out.append(_memo(money))
        elif column.kind == WEIGHT:
            out.append(_memo(kg))
        else:
            out.append(_memo(str))
    return out


def _lang() -> str:
    locale = get_locale()
    return str(locale) if locale else "fr"


def display_rows(report: Report, lang: str) -> Iterable[list[str]]:
    """Rows as displayed (HTML, PDF): formatted, grouped columns blank when repeated."""
    fmts = _formatters(report.columns, lang)
    groups = [i for i, c in enumerate(report.columns) if c.group]
    previous: tuple[Any, ...] | None = None
    for row in report.rows:
        cells = [f(v) for f, v in zip(fmts, row, strict=True)]
        if previous is not None:
            # a grouped column is blank while it and every grouped column before it repeat
            for i in groups:
                if row[i] != previous[i]:
                    break
                cells[i] = ""
        previous = row
        yield cells


# --------------------------------------------------------------------------- HTML


def html_table(report: Report) -> Markup:
    """The table body and totals as HTML (built here: 40,000 rows through Jinja are slow)."""
    lang = _lang()
    classes = [' class="num"' if c.kind in (MONEY, WEIGHT, INT) else "" for c in report.columns]
    # each distinct (column, text) is escaped and wrapped once
    known: list[dict[str, str]] = [{} for _ in classes]
    parts: list[str] = []
    append = parts.append
    for cells in display_rows(report, lang):
        append("<tr>")
        for i, cell in enumerate(cells):
            td = known[i].get(cell)
            if td is None:
                td = known[i][cell] = f"<td{classes[i]}>{escape(cell, quote=False)}</td>"
            append(td)
        append("</tr>\n")
    body = "".join(parts)
    fmts = _formatters(report.columns, lang)
    foot = "".join(
        "<tr>"
        + "".join(
            f'<th{css} scope="row">{escape(f(v), quote=False)}</th>'
            if i == 0
            else f"<td{css}>{escape(f(v), quote=False)}</td>"
            for i, (css, f, v) in enumerate(zip(classes, fmts, row, strict=True))
        )
        + "</tr>\n"
        for row in report.totals
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
    return f"{sign}{euros},{rest:02d}"


def _csv_weight(grams: int) -> str:
    sign = "-" if grams < 0 else ""
    whole, rest = divmod(abs(grams), 1000)
    return f"{sign}{whole},{rest:03d}"


def csv_bytes(report: Report) -> bytes:
    """UTF-8 with BOM, ``;``-separated; every row complete (no grouping blanks), then totals."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in report.columns])
    fmts: list[Callable[[Any], str]] = []
    for column in report.columns:
        if column.kind == MONEY:
            fmts.append(_memo(_csv_money))
        elif column.kind == WEIGHT:
            fmts.append(_memo(_csv_weight))
        else:
            fmts.append(_memo(str))
    writer.writerows([f(v) for f, v in zip(fmts, row, strict=True)] for row in report.rows)
    writer.writerows([f(v) for f, v in zip(fmts, row, strict=True)] for row in report.totals)
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
        self.clean: Callable[[str], str] = (lambda t: t) if unicode_font else _win_ansi
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

    def _encode(self, text: str) -> str:
        """``current_font.encode_text`` with the glyph codes of a TrueType font looked up once
        per character (fpdf2 looks each character up on every call)."""
        font = self.current_font
        if getattr(font, "type", "") != "TTF" or getattr(font, "is_symbol", True):
            return font.encode_text(text)
        table = self._glyph_codes
        for char in set(text).difference(self._glyph_seen):
            code = font.subset.pick(ord(char))
            table[ord(char)] = chr(code) if code is not None else None
            self._glyph_seen.add(char)
        return f"({font.escape_text(text.translate(table))}) Tj"

    def _width(self, text: str) -> float:
        """The width of ``text`` in the current font (get_string_width without its overhead)."""
        return self.current_font.get_text_width(text, self.font_size_pt, None)[1] / self.k

    def header(self) -> None:
        """Title and table header; drawn once, then its content bytes are copied on every
        page (a thousand-page packing list spent most of its time in these cells)."""
        if self._header_ops is not None:
            self._out(self._header_ops)
            self.set_xy(self.l_margin, self._header_end_y)
            return
        contents = self.pages[self.page].contents
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
            label = self._fit(self.clean(column.label), width)
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
            self.pages[number].contents.extend(ops.encode("latin-1"))

    def _fit(self, text: str, width: float) -> str:
        """Cut a text that does not fit its column (an ellipsis shows it was cut)."""
        if not text or len(text) * 1.1 < width:  # cheap test first: short texts fit
            return text
        room = width - 1.5
        if self._width(text) <= room:
            return text
        ellipsis = self.clean("…")
        while text and self._width(text + ellipsis) > room:
            text = text[:-1]
        return text + ellipsis

    def rows(self, rows: Iterable[list[str]], bold: bool = False) -> None:
        """Write table rows straight into the page content (one text object per row).

        ``cell()`` costs about 30 µs a call: 40,000 rows of 8 cells took 7 s. Here each distinct
        text is fitted, measured and encoded once (names and amounts repeat), and each row is
        one ``BT … ET`` block with absolute positions plus one rule under it.
        """
        limit = self.h - 14
        widths, aligns, h = self.widths, self.aligns, self.row_h
        lefts = [self.l_margin + sum(widths[:i]) for i in range(len(widths))]
        right = self.l_margin + sum(widths)
        grid = self.report.name == "pickup"
        k, page_h, pad = self.k, self.h, self.c_margin
        #: per column, text -> ("1 0 0 1 x", "(encoded) Tj"), computed once per distinct text
        known_texts: list[dict[str, tuple[str, str]]] = [{} for _ in widths]
        # bold rows: fill and stroke the glyphs (0.3 pt), then back to fill and the rule width
        opening = "BT 2 Tr 0.30 w" if bold else "BT"
        closing = f"0 Tr ET {self.line_width * k:.2f} w" if bold else "ET"
        rule = f"{lefts[0] * k:.2f} {{0:.2f}} m {right * k:.2f} {{0:.2f}} l S"
        groups = [i for i, c in enumerate(self.report.columns) if c.group]
        shown = {i: "" for i in groups}  # the group a blank grouped cell continues
        page: list[str] = []  # a page's rows, written in one go

        for cells in rows:
            for i in groups:
                if cells[i]:
                    shown[i] = cells[i]
            if self.y + h > limit:
                self._out("\n".join(page))
                page.clear()
                self.add_page()
                # a page starts with its group's values, not with blanks
                cells = [
                    shown.get(i, "") if i in shown and not text else text
                    for i, text in enumerate(cells)
                ]
            y = self.y
            tm = f" {(page_h - (y + 0.5 * h + 0.3 * self.font_size)) * k:.2f} Tm "
            parts = [opening]
            for i, text in enumerate(cells):
                if not text:
                    continue
                known = known_texts[i].get(text)
                if known is None:
                    fitted = self._fit(self.clean(text), widths[i])
                    if aligns[i] == "R":
                        x = lefts[i] + widths[i] - pad - self._width(fitted)
                    else:
                        x = lefts[i] + pad
                    known = known_texts[i][text] = (f"1 0 0 1 {x * k:.2f}", self._encode(fitted))
                parts.append(known[0] + tm + known[1])
            parts.append(closing)
            bottom = (page_h - (y + h)) * k
            parts.append(rule.format(bottom))
            if grid:
                top = (page_h - y) * k
                parts.append(rule.format(top))
                for x in [*lefts, right]:
                    parts.append(f"{x * k:.2f} {top:.2f} m {x * k:.2f} {bottom:.2f} l S")
            page.append(" ".join(parts))
            self.y = y + h
        if page:
            self._out("\n".join(page))


def pdf_bytes(report: Report, subtitle: str) -> bytes:
    """The report as an A4 PDF.

    Text that Windows-1252 can write (French and English names, €, «», œ, …: nearly every
    report) uses the PDF core font Helvetica: nothing to embed, so a small report takes a tenth
    of the time (an embedded TrueType font is parsed, then subset and compressed, for every
    document). Other text (a producer named "Łukasz") switches the document to DejaVu Sans,
    embedded; without DejaVu installed, such characters become "?".
    """
    lang = _lang()
    fmts = _formatters(report.columns, lang)
    rows = list(display_rows(report, lang))
    totals = [[f(v) for f, v in zip(fmts, row, strict=True)] for row in report.totals]
    fixed = [report.title, subtitle, _("Page"), _("No order in this cycle."), *report.notes]
    fixed += [c.label for c in report.columns]
    fits = _win_ansi_fits(fixed, rows, totals)
    unicode_font = not fits and fonts_available()
    if not fits and not unicode_font:
        log.warning(
            "DejaVu fonts not found in %s (Debian package fonts-dejavu-core): characters "
            "outside Windows-1252 are replaced by '?' in the PDF",
            FONT_DIR,
        )
    pdf = _ReportPDF(report, subtitle, unicode_font)
    pdf.core_fonts_encoding = "latin-1"  # the text is already WinAnsi bytes, as characters
    pdf.alias_nb_pages(None)  # the count is written by number_pages
    pdf.add_page()
    pdf.rows(rows)
    pdf.rows(totals, bold=True)
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


def _win_ansi_fits(fixed: list[str], rows: list[list[str]], totals: list[list[str]]) -> bool:
    """Whether every text of the document can be written in Windows-1252 (one C-level pass)."""
    text = "\x1f".join(chain(fixed, chain.from_iterable(rows), chain.from_iterable(totals)))
    try:
        _win_ansi_substitutes(text).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _win_ansi_substitutes(text: str) -> str:
    """The few typographic characters WinAnsi lacks, as their plain equivalents: the narrow
    no-break space (amounts) as a no-break space, the minus sign (notes) as a hyphen-minus."""
    return text.replace(NNBSP, NBSP).replace("\u2212", "-")


def _win_ansi(text: str) -> str:
    """The text as the core fonts' WinAnsi bytes, each byte a character (what fpdf2 writes
    and measures)."""
    return _win_ansi_substitutes(text).encode("cp1252", "replace").decode("latin-1")
