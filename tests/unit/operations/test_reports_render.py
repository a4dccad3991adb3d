"""Report cell formatting and the PDF writer (no database)."""

from __future__ import annotations

import csv
import io
import re
import zlib

import pypdf
import pytest

from operations.reports import render
from operations.reports.services import INT, MONEY, WEIGHT, Column, Report


def _report(rows):
    return Report(
        name="demo",
        title="Liste de préparation – été",
        columns=[
            Column("Client", group=True),
            Column("Produit"),
            Column("Quantité", INT),
            Column("Poids (kg)", WEIGHT),
            Column("Montant", MONEY),
        ],
        rows=rows,
        totals=[("Total", "", 3, None, 123456)],
        notes=["Montants TTC."],
    )


def test_money_and_weight_formats():
    fr, en = render.money_formatter("fr"), render.money_formatter("en")
    assert fr(123456) == "1\u202f234,56\u00a0€"
    assert fr(-5) == "-0,05\u00a0€"
    assert en(123456) == "€1,234.56"
    assert render.weight_formatter("fr")(600) == "0,600"
    assert render.weight_formatter("en")(12345) == "12.345"


def test_display_rows_blank_a_repeated_group(app):
    rows = [
        ("Zoë", "Pain", 1, None, 440),
        ("Zoë", "Oeufs", 2, 600, 700),
        ("Yann", "Pain", 1, None, 0),
    ]
    with app.test_request_context():
        shown = list(render.display_rows(_report(rows), "fr"))
    assert [r[0] for r in shown] == ["Zoë", "", "Yann"]
    assert shown[1][3:] == ("0,600", "7,00\u00a0€")


def test_a_grouped_column_shows_again_when_an_outer_group_changes(app):
    report = Report(
        name="demo",
        title="t",
        columns=[Column("Client", group=True), Column("Retrait", group=True), Column("Produit")],
        rows=[
            ("Zoë", "Samedi", "Pain"),
            ("Zoë", "Samedi", "Oeufs"),
            ("Yann", "Samedi", "Pain"),  # same pickup, another customer: shown again
            ("Yann", "Dimanche", "Lait"),
        ],
    )
    with app.test_request_context():
        shown = render.display_rows(report, "fr")
    assert [r[:2] for r in shown] == [
        ("Zoë", "Samedi"),
        ("", ""),
        ("Yann", "Samedi"),
        ("", "Dimanche"),
    ]


def test_csv_keeps_every_value_with_decimal_commas(app):
    rows = [("Zoë", "Pain", 1, None, 440), ("Zoë", "Oeufs", 2, 600, -700)]
    with app.test_request_context():
        data = render.csv_bytes(_report(rows))
    assert data.startswith("\ufeff".encode())
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert parsed[1] == ["Zoë", "Pain", "1", "", "4,40"]
    assert parsed[2] == ["Zoë", "Oeufs", "2", "0,600", "-7,00"]
    assert parsed[3] == ["Total", "", "3", "", "1234,56"]


@pytest.mark.parametrize("fonts", [True, False])
def test_pdf_with_and_without_the_dejavu_fonts(app, monkeypatch, fonts):
    monkeypatch.setattr(render, "fonts_available", lambda: fonts)
    rows = [(f"Zoë Ξ {i}", "Fromage – à la coupe " * 4, i, 250, 1999) for i in range(200)]
    with app.test_request_context():
        pdf = render.pdf_bytes(_report(rows), "La Grange – semaine 48")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") >= 4  # 200 rows of 5 mm on A4 portrait
    assert (b"DejaVu" in pdf) is fonts


def _page_text(pdf: bytes) -> bytes:
    """Every content stream of the document, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S)
    out = []
    for data in streams:
        try:
            out.append(zlib.decompress(data))
        except zlib.error:
            out.append(data)
    return b"\n".join(out)


def test_pdf_of_french_text_uses_the_core_font_with_every_character(app, monkeypatch):
    monkeypatch.setattr(render, "fonts_available", lambda: True)
    rows = [("Zoë Lœuvre", "Bœuf « fermier » … – à 12 €", 1, 250, 1999)]
    report = _report(rows)
    report.notes = ["Dû au producteur = ventes \u2212 commission."]  # a minus sign
    with app.test_request_context():
        pdf = render.pdf_bytes(report, "La Grange – semaine 48")
    assert b"/BaseFont /Helvetica" in pdf
    assert b"DejaVu" not in pdf  # nothing embedded
    text = _page_text(pdf)
    # WinAnsi bytes: ë, œ, «, », …, –, € and the no-break space before the euro sign
    assert "Zoë Lœuvre".encode("cp1252") in text
    assert "Bœuf « fermier » … – à 12 €".encode("cp1252") in text
    assert "19,99\u00a0€".encode("cp1252") in text
    assert "Liste de préparation – été".encode("cp1252") in text
    assert b"(Page 1/1) Tj" in text  # the footer, with the page count filled in
    assert "Dû au producteur = ventes - commission.".encode("cp1252") in text


def test_pdf_with_a_name_outside_windows_1252_embeds_dejavu(app, monkeypatch):
    monkeypatch.setattr(render, "fonts_available", lambda: True)
    rows = [("Łukasz", "Pain", 1, None, 440)]
    with app.test_request_context():
        pdf = render.pdf_bytes(_report(rows), "La Grange")
    assert b"DejaVu" in pdf
    assert b"/BaseFont /Helvetica" not in pdf


def _page_lines(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Per page, each line of text as a reader extracts it: (height above the page's foot in
    points, text), top first."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        lines: list[tuple[float, str]] = []

        def seen(text, cm, tm, _font, _size, lines=lines):
            if text.strip():
                lines.append((round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5], 2), text.strip()))

        page.extract_text(visitor_text=seen)
        pages.append(lines)
    return pages


def test_pdf_rows_run_down_every_page_and_each_page_repeats_its_group(app):
    rows = [("Zoë", f"Produit {i}", i, 250, 1999) for i in range(120)]
    with app.test_request_context():
        pdf = render.pdf_bytes(_report(rows), "La Grange – semaine 48")
    pages = _page_lines(pdf)
    assert len(pages) == 3
    drawn: list[str] = []
    row_step = 5 * 72 / 25.4  # 5 mm rows
    for number, lines in enumerate(pages, start=1):
        # every page: title, subtitle, the header, its rows, its number at the foot
        assert lines[0][1] == "Liste de préparation – été"
        assert [t for _, t in lines[2:7]] == [
            "Client",
            "Produit",
            "Quantité",
            "Poids (kg)",
            "Montant",
        ]
        assert lines[-1][1] == f"Page {number}/3"
        body = [(y, t) for y, t in lines[7:-1] if "Produit " in t]
        assert body[0][1].startswith("Zoë Produit ")  # the group's value, not a blank
        heights = [y for y, _ in body]
        assert all(
            b - a == pytest.approx(-row_step, abs=0.02) for a, b in zip(heights, heights[1:])
        )
        assert heights[-1] > 14 * 72 / 25.4  # above the bottom margin and the page number
        assert heights[0] < lines[6][0]  # below the header
        drawn += [t.removeprefix("Zoë ").split(" ")[1] for _, t in body]
    assert drawn == [str(i) for i in range(120)]  # each row once, in order
    assert pages[-1][-3][1] == "Total 3 1\u00a0234,56\u00a0€"
    assert pages[-1][-2][1] == "Montants TTC."


def test_pdf_cuts_a_text_wider_than_its_column(app):
    wide = "W" * 30  # 79 mm in 7.5 pt Helvetica: twice the product column
    rows = [("Zoë", wide, 1, None, 440), ("Yann", "Pain", 1, None, 440)]
    with app.test_request_context():
        pdf = render.pdf_bytes(_report(rows), "La Grange")
    text = _page_text(pdf)
    cut = re.search(rb"\((W+)\x85\) Tj", text)  # WinAnsi ellipsis
    assert cut is not None
    assert 10 < len(cut.group(1)) < 15
    assert wide.encode() not in text
    assert b"(Pain) Tj" in text
