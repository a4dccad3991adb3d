"""Parsing what a hub types: final weights (kg or g, decimal comma) and line edits."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from operations.backoffice.forms import parse_line_edits, parse_weight_g


@pytest.mark.parametrize(
    ("text", "unit", "grams"),
    [
        ("1,25", "kg", 1250),
        ("1.25 kg", "g", 1250),  # a unit typed in the field wins
        ("1250", "g", 1250),
        ("1250 g", "kg", 1250),
        ("0,4", "kg", 400),
        ("0,0005", "kg", 1),  # half a gram rounds half up
        ("2 KG", "g", 2000),
    ],
)
def test_weights_in_kg_or_grams(text, unit, grams):
    assert parse_weight_g(text, unit) == grams


@pytest.mark.parametrize("text", ["", "lourd", "1,2,3", "-1", "0", "0,0004", "101 kg", "1e3"])
def test_bad_weights_are_refused(text):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is not shown
        parse_weight_g(text, "kg")


def _line(id_, quantity, by_weight=False):
    return SimpleNamespace(id=id_, quantity=quantity, sold_by_weight=by_weight)


def test_line_edits_with_removal_weights_and_errors(app):
    lines = [_line(1, 2), _line(2, 3, by_weight=True), _line(3, 1), _line(4, 1, True)]
    data = MultiDict(
        {
            "qty-1": "5",
            "qty-2": "3",
            "weight-2": "1,5",
            "remove-3": "1",
            "qty-4": "1",
            "weight-4": "beaucoup",
        }
    )
    with app.test_request_context():
        edits, errors = parse_line_edits(data, lines)
    assert [(e.line_id, e.quantity, e.final_weight_g) for e in edits] == [
        (1, 5, None),
        (2, 3, 1500),
        (3, 0, None),
    ]
    assert list(errors) == [4]


def test_quantities_must_be_whole_and_in_range(app):
    lines = [_line(1, 2), _line(2, 2)]
    with app.test_request_context():
        _, errors = parse_line_edits(MultiDict({"qty-1": "1,5", "qty-2": "1000"}), lines)
    assert set(errors) == {1, 2}
