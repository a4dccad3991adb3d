"""Categories (DFC product types) and labels (DFC facets) as the catalogue uses them.

The taxonomies are loaded by ``core.dfc.vocabulary`` (the one loader of the DFC files); this module
only adapts them: the current language, and resolving what a producer typed in a spreadsheet
("tomate", "Tomato", "tomato", "dfc-pt:tomato") to a code.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from flask import has_request_context
from flask_babel import get_locale

PT_PREFIX = "dfc-pt:"
FACET_PREFIX = "dfc-f:"


def _vocabulary() -> Any:
    from core.dfc import vocabulary

    return vocabulary


def current_lang() -> str:
    if has_request_context():
        locale = get_locale()
        if locale is not None and locale.language in ("fr", "en"):
            return locale.language
    return "fr"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _capitalised(label: str) -> str:
    """DFC labels are lower case ("tomate"); a list or a badge starts with a capital."""
    return label[:1].upper() + label[1:]


def _pairs(items: Any) -> list[tuple[str, str]]:
    """(code, label) pairs from the vocabulary's lists (tuples, dicts or objects)."""
    pairs = []
    for item in items:
        if isinstance(item, tuple | list):
            code, label = item[0], item[1]
        elif isinstance(item, dict):
            code, label = item["code"], item.get("label") or item["code"]
        else:
            code, label = item.code, getattr(item, "label", None) or item.code
        pairs.append((str(code), str(label)))
    return pairs


# -- categories (product types) ---------------------------------------------------------------


def list_categories(lang: str | None = None) -> list[tuple[str, str]]:
    """Every product type as (code, label), sorted by label in ``lang``."""
    lang = lang or current_lang()
    pairs = [(c, _capitalised(lbl)) for c, lbl in _pairs(_vocabulary().list_product_types(lang))]
    return sorted(pairs, key=lambda p: _fold(p[1]))


def normalize(code: str) -> str:
    """The CURIE of a code given as CURIE or full IRI (DFC 1.16 or 2.0.0); other text unchanged."""
    if not code:
        return ""
    return _vocabulary().compact(code) or code


def is_category(code: str) -> bool:
    return bool(code) and bool(_vocabulary().is_product_type(code))


def category_label(code: str, lang: str | None = None) -> str:
    if not code:
        return ""
    label = _vocabulary().product_type_label(code, lang or current_lang())
    return _capitalised(str(label)) if label else code


@lru_cache(maxsize=1)
def _category_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, label in _pairs(_vocabulary().list_product_types(lang)):
            index.setdefault(_fold(label), code)
            index[_fold(code)] = code
            if code.startswith(PT_PREFIX):
                index[_fold(code[len(PT_PREFIX) :])] = code
    return index


def resolve_category(text: str) -> str | None:
    """The product type code for a code, a bare name or a French/English label; None if unknown."""
    if not text.strip():
        return None
    return _category_index().get(_fold(text))


# -- labels and certifications (facets) -------------------------------------------------------


def list_labels(lang: str | None = None) -> list[tuple[str, str]]:
    """Facets a producer can put on a product (certifications, labels, claims), sorted by label."""
    lang = lang or current_lang()
    pairs = _pairs(_vocabulary().list_facets(lang))
    return sorted(pairs, key=lambda p: _fold(p[1]))


def label_name(code: str, lang: str | None = None) -> str:
    label = _vocabulary().facet_label(code, lang or current_lang())
    return str(label) if label else code


@lru_cache(maxsize=1)
def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, label in _pairs(_vocabulary().list_facets(lang)):
            index.setdefault(_fold(label), code)
            index[_fold(code)] = code
            if code.startswith(FACET_PREFIX):
                index[_fold(code[len(FACET_PREFIX) :])] = code
    # what French producers write for the organic label
    organic = index.get(_fold("Organic-AB"))
    if organic:
        for alias in ("AB", "bio", "agriculture biologique", "organic"):
            index.setdefault(_fold(alias), organic)
    return index


def is_label(code: str) -> bool:
    curie = normalize(code)
    return _label_index().get(_fold(curie)) == curie


def resolve_label(text: str) -> str | None:
    if not text.strip():
        return None
    return _label_index().get(_fold(text))
