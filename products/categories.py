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
from flask_babel import lazy_gettext as _l

PT_PREFIX = "dfc-pt:"
FACET_PREFIX = "dfc-f:"

#: our corrections of the DFC taxonomies' labels (typos, missing French, one label for three
#: different claims), by (code, language); the shared taxonomy files stay as published
FIXES: dict[tuple[str, str], str] = {
    # facets: labels and claims
    ("dfc-f:Light", "fr"): "allégé",
    ("dfc-f:Light", "en"): "light",
    ("dfc-f:LightLite", "fr"): "léger",
    ("dfc-f:LightLite", "en"): "low",
    ("dfc-f:Natural", "fr"): "naturellement / naturel",
    ("dfc-f:IGP_EU", "fr"): "Indication géographique protégée (IGP)",
    ("dfc-f:IGP_EU", "en"): "Protected geographical indication (PGI)",
    ("dfc-f:AOP_EU", "fr"): "Appellation d’origine protégée (AOP)",
    ("dfc-f:AOP_EU", "en"): "Protected designation of origin (PDO)",
    ("dfc-f:AOC_FR", "fr"): "Appellation d’origine contrôlée (AOC)",
    ("dfc-f:AOC_FR", "en"): "Controlled designation of origin (AOC)",
    ("dfc-f:FairTradeMaxHaavelar", "fr"): "Fairtrade Max Havelaar",
    ("dfc-f:FairTradeMaxHaavelar", "en"): "Fairtrade Max Havelaar",
    ("dfc-f:HEV", "fr"): "Haute Valeur Environnementale (HVE)",
    ("dfc-f:HEV", "en"): "High Environmental Value (HVE)",
    ("dfc-f:Organic-AB", "fr"): "Agriculture biologique (AB)",
    ("dfc-f:Organic-AB", "en"): "Organic farming (AB)",
    ("dfc-f:Organic-EU", "fr"): "Bio européen (Eurofeuille)",
    ("dfc-f:Organic-BioCoherence", "fr"): "Bio Cohérence",
    ("dfc-f:BleuBlancCoeur_FR", "fr"): "Bleu-Blanc-Cœur",
    ("dfc-f:SugarsFree", "fr"): "sans sucres",
    ("dfc-f:ProductOfTheYear", "fr"): "Élu produit de l’année",
    ("dfc-f:GoatMilk", "fr"): "Lait de chèvre",
    ("dfc-f:BeeVenom", "fr"): "Venin d’abeille",
    ("dfc-f:MultiGeoOrigin", "fr"): "Origine territoriale multiple",
    ("dfc-f:Netherlands", "fr"): "Pays-Bas",
    ("dfc-f:NewZealand", "fr"): "Nouvelle-Zélande",
    ("dfc-f:UnitedKingdom", "fr"): "Royaume-Uni",
    ("dfc-f:Scotland", "fr"): "Écosse",
    ("dfc-f:Funghi", "en"): "Fungi",
    # product types
    ("dfc-pt:hierloom-tomato", "en"): "heirloom tomato",
    ("dfc-pt:hierloom-squash", "en"): "heirloom squash",
    ("dfc-pt:yam", "en"): "sweet potato",
    ("dfc-pt:yam", "fr"): "patate douce",
    ("dfc-pt:apples", "en"): "apple",
    ("dfc-pt:fruit", "fr"): "fruit",
    ("dfc-pt:brussels-sprouts", "fr"): "choux de Bruxelles",
    ("dfc-pt:dried_goods", "fr"): "produits secs",
    ("dfc-pt:cannedGoods", "fr"): "conserves",
    ("dfc-pt:ferment", "fr"): "produit fermenté",
    ("dfc-pt:pulse", "fr"): "légumineuse",
    ("dfc-pt:snack", "fr"): "en-cas",
    ("dfc-pt:deaths-trumpet", "en"): "death trumpet",
    ("dfc-pt:corn-salad", "en"): "lamb's lettuce",
    ("dfc-pt:sheep-fresh-cheese", "fr"): "fromage frais de brebis",
    ("dfc-pt:venison", "fr"): "viande de cerf",
    ("dfc-pt:purslane", "fr"): "pourpier",
    ("dfc-pt:bluefoot-mushroom", "fr"): "pied-bleu",
    ("dfc-pt:sheepfoot-mushroom", "fr"): "pied-de-mouton",
    ("dfc-pt:viennoiserie-", "en"): "pastries (viennoiserie)",
}

#: the labels that matter most to French buyers, first in the form and on the shop filter
MAIN_LABELS = (
    "dfc-f:Organic-AB",
    "dfc-f:Organic-EU",
    "dfc-f:NatureEtProgres",
    "dfc-f:Demeter",
    "dfc-f:Organic-BioCoherence",
    "dfc-f:RedLabel_FR",
    "dfc-f:AOP_EU",
    "dfc-f:AOC_FR",
    "dfc-f:IGP_EU",
    "dfc-f:HEV",
    "dfc-f:BleuBlancCoeur_FR",
    "dfc-f:PaysansDeNature_FR",
    "dfc-f:MSC",
    "dfc-f:FairTradeMaxHaavelar",
)
#: short names for badges (the full name is the badge's title)
SHORT_LABELS = {
    "dfc-f:Organic-AB": "AB",
    "dfc-f:Organic-EU": _l("EU organic"),
    "dfc-f:AOP_EU": "AOP",
    "dfc-f:AOC_FR": "AOC",
    "dfc-f:IGP_EU": "IGP",
    "dfc-f:HEV": "HVE",
    "dfc-f:RedLabel_FR": "Label Rouge",
    "dfc-f:FairTradeMaxHaavelar": "Max Havelaar",
}
#: the groups of the category list, in words a farmer uses (the taxonomy's top concepts)
GROUPS = {
    "dfc-pt:vegetable": _l("Vegetables"),
    "dfc-pt:fruit": _l("Fruit"),
    "dfc-pt:dairy-product": _l("Dairy and cheese"),
    "dfc-pt:meat-product": _l("Meat, eggs, fish"),
    "dfc-pt:bakery": _l("Bread and bakery"),
    "dfc-pt:local-grocery-store": _l("Grocery (jams, flour, oil, ready meals…)"),
    "dfc-pt:drink": _l("Drinks"),
    "dfc-pt:frozen": _l("Frozen"),
    "dfc-pt:inedible": _l("Non-food (plants, flowers, cosmetics)"),
}
#: broader concepts the taxonomy names but does not define
MISSING_PARENTS = {"dfc-pt:aromatic": "dfc-pt:herb"}


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


def _fixed(code: str, lang: str, label: str) -> str:
    return FIXES.get((code, lang), label)


def list_categories(lang: str | None = None) -> list[tuple[str, str]]:
    """Every product type as (code, label), sorted by label in ``lang``."""
    lang = lang or current_lang()
    pairs = [
        (c, _capitalised(_fixed(c, lang, lbl)))
        for c, lbl in _pairs(_vocabulary().list_product_types(lang))
    ]
    return sorted(pairs, key=lambda p: _fold(p[1]))


def category_group(code: str) -> str:
    """The top product type of ``code`` ("dfc-pt:tomato" -> "dfc-pt:vegetable"), or ""."""
    voc = _vocabulary()
    seen = [code]
    current = code
    while True:
        concept = voc.concept(current)
        broader = concept.broader[0] if concept is not None and concept.broader else None
        parent = MISSING_PARENTS.get(broader or "", broader)
        if parent is None or parent in seen:
            return current if current in GROUPS else ""
        seen.append(parent)
        current = parent


def grouped_categories(lang: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The categories under their group (vegetables, fruit...), groups in a fixed order, each
    sorted by label: what the product form's list shows. A group's own concept comes first."""
    groups: dict[str, list[tuple[str, str]]] = {code: [] for code in GROUPS}
    for code, label in list_categories(lang):
        group = category_group(code) or "dfc-pt:local-grocery-store"
        if code == group:
            groups[group].insert(0, (code, str(_l("%(group)s (other)", group=label))))
        else:
            groups[group].append((code, label))
    return [(str(GROUPS[g]), items) for g, items in groups.items() if items]


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
    lang = lang or current_lang()
    label = _vocabulary().product_type_label(code, lang)
    return _capitalised(_fixed(normalize(code), lang, str(label))) if label else code


@lru_cache(maxsize=1)
def _category_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, label in _pairs(_vocabulary().list_product_types(lang)):
            index.setdefault(_fold(label), code)
            index.setdefault(_fold(_fixed(code, lang, label)), code)
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
    pairs = [
        (c, _capitalised(_fixed(c, lang, lbl)))
        for c, lbl in _pairs(_vocabulary().list_facets(lang))
    ]
    return sorted(pairs, key=lambda p: _fold(p[1]))


#: the claims a farmer may tick beside the certifications (nutrition claims are for processors:
#: they are kept when imported, and listed in the form only on a product that has them)
FORM_CLAIMS = ("dfc-f:Vegan", "dfc-f:Vegetarian", "dfc-f:GlutenFree")


def form_labels(lang: str | None = None, keep: list[str] | None = None) -> list[tuple[str, str]]:
    """The labels a producer can tick: the main French labels first, then the other
    certifications and a few claims by name, then those of ``keep`` (the product's own) not yet
    listed. The groups of the taxonomy ("Label local", "Label éthique") are left out."""
    voc = _vocabulary()
    certifications = set(voc.descendants("dfc-f:Certification"))
    pairs = [
        (c, lbl)
        for c, lbl in list_labels(lang)
        if not voc.descendants(c) and c != "dfc-f:UnknownLabel"
    ]
    main = {c: lbl for c, lbl in pairs if c in MAIN_LABELS}
    first = [(c, main[c]) for c in MAIN_LABELS if c in main]
    wanted = set(keep or [])
    rest = [
        (c, lbl)
        for c, lbl in pairs
        if c not in main and (c in certifications or c in FORM_CLAIMS or c in wanted)
    ]
    return first + rest


def label_name(code: str, lang: str | None = None) -> str:
    lang = lang or current_lang()
    label = _vocabulary().facet_label(code, lang)
    return _capitalised(_fixed(normalize(code), lang, str(label))) if label else code


def label_badge(code: str) -> str:
    """A label's short name for a badge ("AB", "AOP", "Label Rouge"); its full name otherwise."""
    short = SHORT_LABELS.get(normalize(code))
    return str(short) if short else label_name(code)


# -- origins (DFC territorial facets) ----------------------------------------------------------

ORIGIN_ROOT = "dfc-f:TerritorialOrigin"


@lru_cache(maxsize=1)
def _origin_codes() -> frozenset[str]:
    """The territorial facets (the taxonomy is read once: walked once, not per product)."""
    return frozenset(_vocabulary().descendants(ORIGIN_ROOT))


def is_origin(code: str) -> bool:
    curie = normalize(code)
    return bool(curie) and curie in _origin_codes()


def origin_name(code: str, lang: str | None = None) -> str:
    return label_name(code, lang) if is_origin(code) else ""


def list_origins(lang: str | None = None) -> list[tuple[str, str]]:
    """Regions and countries a producer can name as the origin: France and its regions first,
    then the countries and continents with a name in ``lang`` (no English counties in French)."""
    lang = lang or current_lang()
    voc = _vocabulary()
    france = ["dfc-f:France", *voc.descendants("dfc-f:France")]
    others = []
    for code in voc.descendants(ORIGIN_ROOT):
        concept = voc.concept(code)
        if code in france or concept is None or code.startswith("dfc-f:Unknown"):
            continue
        if lang in concept.labels or "dfc-f:UnitedKingdom" not in voc.ancestors(code):
            others.append((code, label_name(code, lang)))
    first = [(c, label_name(c, lang)) for c in france]
    return (
        first[:1]
        + sorted(first[1:], key=lambda p: _fold(p[1]))
        + sorted(others, key=lambda p: _fold(p[1]))
    )


@lru_cache(maxsize=1)
def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, label in _pairs(_vocabulary().list_facets(lang)):
            index.setdefault(_fold(label), code)
            index.setdefault(_fold(_fixed(code, lang, label)), code)
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


@lru_cache(maxsize=1)
def _origin_index() -> dict[str, str]:
    voc = _vocabulary()
    index: dict[str, str] = {}
    for code in voc.descendants(ORIGIN_ROOT):
        concept = voc.concept(code)
        index[_fold(code)] = code
        index[_fold(code[len(FACET_PREFIX) :])] = code
        for lang in ("fr", "en"):
            if concept is not None and lang in concept.labels:
                index.setdefault(_fold(concept.labels[lang]), code)
            if (code, lang) in FIXES:
                index.setdefault(_fold(FIXES[(code, lang)]), code)
    return index


def resolve_origin(text: str) -> str | None:
    """The territorial origin code for a code or a French/English name ("Bretagne"); or None."""
    if not text.strip():
        return None
    return _origin_index().get(_fold(normalize(text.strip())))
