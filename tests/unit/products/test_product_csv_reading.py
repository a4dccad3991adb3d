"""Reading CSV files as spreadsheets produce them: encodings, separators, French numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from products.csv_io import _parse_stock, _parse_vat, decode, sniff_delimiter
from products.errors import ImportFileInvalid
from products.models import Unit
from products.units import parse_decimal, parse_unit


def test_utf8_with_and_without_bom():
    assert decode(b"sku;prix\nA;4,50\n") == ("sku;prix\nA;4,50\n", "UTF-8")
    text, enc = decode("\ufeffproduit\nPâté".encode())
    assert (text, enc) == ("produit\nPâté", "UTF-8")


def test_windows_1252_from_french_excel():
    text, enc = decode("produit;prix\nCrème fraîche;3,20 €\n".encode("cp1252"))
    assert enc == "Windows-1252"
    assert "Crème fraîche" in text
    assert "€" in text


def test_bytes_no_encoding_explains_are_refused_with_the_line():
    data = b"sku;produit\nA;ok\nB;\x81\x8d bad\n"
    with pytest.raises(ImportFileInvalid, match="Line 3"):
        decode(data)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", b"PK\x03\x04xlsx...", "sku,name".encode("utf-16")],
)
def test_not_csv_files_are_refused(data):
    with pytest.raises(ImportFileInvalid):
        decode(data)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sku;product_name;price_eur", ";"),
        ("sku,product_name,price_eur", ","),
        ("sku\tname", "\t"),
        ("sku", ","),
    ],
)
def test_delimiter_is_sniffed_on_the_header(header, expected):
    assert sniff_delimiter(header) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,50", Decimal("4.50")),
        ("0.75", Decimal("0.75")),
        ("1 000,5", Decimal("1000.5")),
        ("12", Decimal(12)),
    ],
)
def test_decimal_comma_or_point(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,2345", "1.234,50", "NaN", "inf"])
def test_bad_decimals(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is not the contract
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("kg", Unit.kg),
        ("Kilo", Unit.kg),
        ("g", Unit.g),
        ("L", Unit.l),
        ("litre", Unit.l),
        ("cl", Unit.cl),
        ("pièce", Unit.piece),
        ("pièces", Unit.piece),
        ("u", Unit.piece),
        ("douzaine", Unit.dozen),
    ],
)
def test_units_in_french_and_english(text, unit):
    assert parse_unit(text) is unit


def test_unknown_unit():
    assert parse_unit("botte") is None


@pytest.mark.parametrize(
    ("text", "bp"), [("5,5", 550), ("5.5 %", 550), ("20", 2000), ("0", 0), ("10%", 1000)]
)
def test_vat_rates(text, bp):
    assert _parse_vat(text) == bp


@pytest.mark.parametrize("text", ["7", "19,6", "abc"])
def test_bad_vat_rates(text):
    with pytest.raises((ValueError, ArithmeticError)):
        _parse_vat(text)


@pytest.mark.parametrize(
    ("text", "stock"),
    [
        ("", None),
        ("sur demande", None),
        ("On demand", None),
        ("12", 12),
        ("1 200", 1200),
        ("3,0", 3),
    ],
)
def test_stock_cells(text, stock):
    assert _parse_stock(text) == stock


def test_fractional_stock_is_refused():
    with pytest.raises(ValueError, match="whole"):
        _parse_stock("1,5")
