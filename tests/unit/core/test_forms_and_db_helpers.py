"""core.forms.filled and core.db.table_of: the typed narrowings of views and bulk statements."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import table_of
from core.forms import filled
from products.models import Variant


def test_filled_returns_a_required_fields_data_and_refuses_none():
    assert filled(date(2026, 12, 5)) == date(2026, 12, 5)
    assert filled(0) == 0  # falsy data is data
    assert filled("") == ""
    with pytest.raises(ValueError, match="validator"):
        filled(None)


def test_table_of_gives_the_models_table():
    table = table_of(Variant)
    assert table.name == "variants"
    assert "price_cents" in table.c
