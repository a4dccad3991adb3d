"""Food information a buyer must see before a distance purchase (EU INCO 1169/2011, art. 14).

Per product: the list of ingredients, the 14 allergens of Annex II as structured codes (shown
highlighted), the origin (free text, and a DFC territorial facet such as "dfc-f:Brittany"), the
storage instructions, the kind of date on the pack (use-by "DLC" or best-before "DDM") with the
shelf life in days, and the alcohol strength of drinks.

Allergen codes are ours and stored (never rename); each maps to its concept of the DFC measures
taxonomy (``dfc-m:CerealsWithGluten``...), which the DFC export writes as an
``AllergenCharacteristic``. Rules are in :func:`errors` (a field -> message dict, like
``products.services.product_errors``); :func:`clean` normalises valid input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from products.models import Product

MAX_INGREDIENTS = 3000
MAX_ORIGIN = 200
MAX_STORAGE = 300
MAX_SHELF_LIFE_DAYS = 3650
MAX_ALCOHOL = Decimal(100)

USE_BY = "dlc"  #: "à consommer jusqu'au" (perishable: meat, fish, dairy)
BEST_BEFORE = "ddm"  #: "à consommer de préférence avant" (jams, flour, biscuits)
DATE_KINDS = (USE_BY, BEST_BEFORE)


@dataclass(frozen=True)
class Allergen:
    code: str  #: stored, never rename
    dfc: str  #: the concept of the DFC measures taxonomy
    label: object  #: lazy string, the Annex II wording
    #: words that name the allergen in an ingredient list (folded: lower case, no accents),
    #: emphasised on the product page when the allergen is declared
    words: tuple[str, ...] = ()


#: the 14 allergens of Annex II of regulation (EU) 1169/2011, in the Annex's order
ALLERGENS: tuple[Allergen, ...] = (
    Allergen(
        "gluten",
        "dfc-m:CerealsWithGluten",
        _l("Cereals containing gluten"),
        (
            "gluten",
            "ble",
            "froment",
            "seigle",
            "orge",
            "avoine",
            "epeautre",
            "kamut",
            "wheat",
            "rye",
            "barley",
            "oats",
            "spelt",
        ),
    ),
    Allergen(
        "crustaceans",
        "dfc-m:Crustaceans",
        _l("Crustaceans"),
        ("crustace", "crevette", "crabe", "homard", "langoustine", "crustacean", "shrimp"),
    ),
    Allergen("eggs", "dfc-m:Eggs", _l("Eggs"), ("oeuf", "egg")),
    Allergen("fish", "dfc-m:Fishs", _l("Fish"), ("poisson", "fish", "anchois", "thon", "saumon")),
    Allergen("peanuts", "dfc-m:Peanuts", _l("Peanuts"), ("arachide", "cacahuete", "peanut")),
    Allergen("soy", "dfc-m:Soy", _l("Soybeans"), ("soja", "soy", "soya")),
    Allergen(
        "milk",
        "dfc-m:LactoseMilks",
        _l("Milk (including lactose)"),
        (
            "lait",
            "lactose",
            "beurre",
            "creme",
            "fromage",
            "lactoserum",
            "milk",
            "butter",
            "cream",
            "cheese",
        ),
    ),
    Allergen(
        "nuts",
        "dfc-m:Nuts",
        _l("Nuts"),
        (
            "fruits a coque",
            "amande",
            "noisette",
            "noix",
            "pistache",
            "almond",
            "hazelnut",
            "walnut",
            "pecan",
            "cashew",
            "pistachio",
        ),
    ),
    Allergen("celery", "dfc-m:Celeriac", _l("Celery"), ("celeri", "celery", "celeriac")),
    Allergen("mustard", "dfc-m:Mustard", _l("Mustard"), ("moutarde", "mustard")),
    Allergen("sesame", "dfc-m:SesameSeeds", _l("Sesame seeds"), ("sesame",)),
    Allergen(
        "sulphites",
        "dfc-m:Sulphites",
        _l("Sulphur dioxide and sulphites"),
        ("sulfite", "sulphite", "anhydride sulfureux", "sulphur dioxide", "so2"),
    ),
    Allergen("lupin", "dfc-m:Lupine", _l("Lupin"), ("lupin",)),
    Allergen(
        "molluscs",
        "dfc-m:Molluscs",
        _l("Molluscs"),
        ("mollusque", "moule", "huitre", "escargot", "calamar", "mollusc", "mussel", "oyster"),
    ),
)
BY_CODE = {a.code: a for a in ALLERGENS}
BY_DFC = {a.dfc: a for a in ALLERGENS}
ALLERGEN_CODES = tuple(a.code for a in ALLERGENS)


def allergen_choices() -> list[tuple[str, str]]:
    return [(a.code, str(a.label)) for a in ALLERGENS]


def allergen_label(code: str) -> str:
    found = BY_CODE.get(code)
    return str(found.label) if found else code


def date_kind_choices() -> list[tuple[str, str]]:
    return [
        ("", str(_l("Not applicable (fresh produce)"))),
        (USE_BY, str(_l("Use by (DLC): perishable, e.g. meat, fish, fresh cheese"))),
        (BEST_BEFORE, str(_l("Best before (DDM): e.g. jam, flour, dry goods"))),
    ]


def date_kind_label(kind: str) -> str:
    return {
        USE_BY: str(_l("Use by (DLC)")),
        BEST_BEFORE: str(_l("Best before (DDM)")),
    }.get(kind, "")


@dataclass
class FoodInfo:
    """What a producer declares; ``alcohol_percent`` is a percentage by volume (12.5)."""

    ingredients: str = ""
    allergens: list[str] = field(default_factory=list)
    origin: str = ""
    origin_code: str = ""  #: a dfc-f territorial origin ("dfc-f:Brittany"), or ""
    storage: str = ""
    date_kind: str = ""
    shelf_life_days: int | None = None
    alcohol_percent: Decimal | None = None


def parse_allergens(text: str) -> list[str]:
    """Allergen codes from a list typed in a spreadsheet: codes or names, French or English,
    separated by commas or semicolons. Unknown words are kept as they are (refused by
    :func:`errors`)."""
    found: list[str] = []
    for part in re.split(r"[,;|]", text or ""):
        word = part.strip()
        if word:
            found.append(resolve_allergen(word) or word)
    return list(dict.fromkeys(found))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


#: the Annex II names in French and English, as a spreadsheet may spell them (folded)
NAMES: dict[str, tuple[str, ...]] = {
    "gluten": ("cereales contenant du gluten", "cereals containing gluten"),
    "crustaceans": ("crustaces", "crustaceans"),
    "eggs": ("oeufs", "eggs"),
    "fish": ("poissons", "fish"),
    "peanuts": ("arachides", "peanuts"),
    "soy": ("soja", "soybeans"),
    "milk": ("lait", "lait (y compris lactose)", "milk", "milk (including lactose)"),
    "nuts": ("fruits a coque", "nuts"),
    "celery": ("celeri", "celery"),
    "mustard": ("moutarde", "mustard"),
    "sesame": ("graines de sesame", "sesame seeds"),
    "sulphites": (
        "anhydride sulfureux et sulfites",
        "sulphur dioxide and sulphites",
        "sulfites",
        "sulphites",
    ),
    "lupin": ("lupin",),
    "molluscs": ("mollusques", "molluscs"),
}


def resolve_allergen(text: str) -> str | None:
    """Our code for a code, a DFC concept or a name (French or English); None if unknown."""
    folded = _fold(text)
    if folded in BY_CODE:
        return folded
    for allergen in ALLERGENS:
        if text.strip() in (allergen.dfc, allergen.dfc.split(":", 1)[1]):
            return allergen.code
        if folded in NAMES[allergen.code] or folded in allergen.words:
            return allergen.code
    return None


def parse_alcohol(text: str) -> Decimal | None:
    """ "12,5", "12.5 %", "12,5 % vol" -> Decimal("12.5"); "" -> None. ValueError otherwise."""
    cleaned = (text or "").strip().lower().replace("vol", "").replace("%", "").replace(",", ".")
    cleaned = cleaned.replace("\u00a0", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def errors(info: FoodInfo) -> dict[str, str]:
    """Field -> message for every broken rule (empty when valid)."""
    from products import categories

    found: dict[str, str] = {}
    if len(info.ingredients or "") > MAX_INGREDIENTS:
        found["ingredients"] = str(_l("The ingredients are too long (3,000 characters at most)."))
    unknown = [code for code in info.allergens if code not in BY_CODE]
    if unknown:
        found["allergens"] = str(
            _l(
                "Unknown allergen: %(names)s. The 14 allergens are: %(known)s.",
                names=", ".join(unknown),
                known=", ".join(str(a.label) for a in ALLERGENS),
            )
        )
    if len(info.origin or "") > MAX_ORIGIN:
        found["origin"] = str(_l("The origin is too long (200 characters at most)."))
    if info.origin_code and not categories.is_origin(info.origin_code):
        found["origin_code"] = str(_l("Unknown region or country."))
    if len(info.storage or "") > MAX_STORAGE:
        found["storage"] = str(
            _l("The storage instructions are too long (300 characters at most).")
        )
    if info.date_kind not in ("", *DATE_KINDS):
        found["date_kind"] = str(_l("Choose use by (DLC), best before (DDM) or neither."))
    days = info.shelf_life_days
    if days is not None and (not isinstance(days, int) or not 1 <= days <= MAX_SHELF_LIFE_DAYS):
        found["shelf_life_days"] = str(_l("The shelf life is a number of days from 1 to 3650."))
    alcohol = info.alcohol_percent
    if alcohol is not None and (
        not isinstance(alcohol, Decimal)
        or not alcohol.is_finite()
        or not Decimal(0) <= alcohol <= MAX_ALCOHOL
        or alcohol != alcohol.quantize(Decimal("0.1"))
    ):
        found["alcohol_percent"] = str(
            _l("The alcohol content is a percentage from 0 to 100, e.g. 12,5.")
        )
    return found


def clean(info: FoodInfo) -> FoodInfo:
    """The same information, trimmed and normalised (call after :func:`errors` found none)."""
    from products import categories

    wanted = set(info.allergens)
    return FoodInfo(
        ingredients=(info.ingredients or "").strip(),
        allergens=[code for code in ALLERGEN_CODES if code in wanted],
        origin=(info.origin or "").strip(),
        origin_code=categories.normalize(info.origin_code or ""),
        storage=(info.storage or "").strip(),
        date_kind=info.date_kind or "",
        shelf_life_days=info.shelf_life_days,
        alcohol_percent=info.alcohol_percent,
    )


def of(product: Product) -> FoodInfo:
    return FoodInfo(
        ingredients=product.ingredients,
        allergens=product.allergen_codes,
        origin=product.origin,
        origin_code=product.origin_code,
        storage=product.storage,
        date_kind=product.date_kind,
        shelf_life_days=product.shelf_life_days,
        alcohol_percent=product.alcohol_percent,
    )


def apply(product: Product, info: FoodInfo) -> None:
    product.ingredients = info.ingredients
    product.allergen_codes = info.allergens
    product.origin = info.origin
    product.origin_code = info.origin_code
    product.storage = info.storage
    product.date_kind = info.date_kind
    product.shelf_life_days = info.shelf_life_days
    product.alcohol_percent = info.alcohol_percent


def has_any(product: Product) -> bool:
    """Whether the product page (and the shop card) has food information to show."""
    return bool(
        product.ingredients
        or product.allergens
        or product.origin
        or product.origin_code
        or product.storage
        or product.date_kind
        or product.alcohol_percent is not None
    )


# -- display -------------------------------------------------------------------------------------


def _pattern(word: str) -> str:
    """A regex matching ``word`` with or without accents, in the singular or the plural."""
    accents = {
        "a": "[aàâä]",
        "e": "[eéèêë]",
        "i": "[iîï]",
        "o": "[oôö]",
        "u": "[uùûü]",
        "c": "[cç]",
    }
    parts: list[str] = []
    for char in word:
        if word.startswith("oe") and not parts and char == "o":
            parts.append("(?:œ|oe)")
            continue
        if word.startswith("oe") and len(parts) == 1 and char == "e":
            continue
        parts.append(accents.get(char, re.escape(char)))
    return "".join(parts) + "(?:s|x)?"


def highlight(ingredients: str, allergen_codes: list[str]) -> Markup:
    """The ingredient list, escaped, with the declared allergens' words in ``<strong>``."""
    text = str(escape(ingredients or ""))
    words = [w for code in allergen_codes if code in BY_CODE for w in BY_CODE[code].words]
    if not words:
        return Markup(text)  # noqa: S704 - escaped above
    words.sort(key=len, reverse=True)
    regex = re.compile(
        r"(?<![\w&])(" + "|".join(_pattern(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )
    marked = regex.sub(lambda m: f'<strong class="allergen">{m[1]}</strong>', text)
    return Markup(marked)  # noqa: S704 - escaped above; only our tags added
