"""Food information before purchase (INCO 1169/2011 art. 14), labels and French categories:
what the producer fills in, what a buyer sees (product page, shop card, shop filters)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from markupsafe import Markup
from sqlalchemy import select

from core.db import db
from products import categories, foodinfo, services
from products.errors import InvalidProduct
from products.models import Product, ProductLabel
from tests.factories_orders import make_shop
from tests.i18n import in_language
from tests.integration.products.test_catalogue_views import new_product_form


def _product(producer) -> Product:
    return db.session.scalar(select(Product).where(Product.producer_id == producer.id))


def test_producer_fills_in_food_information_and_the_buyer_sees_allergens_in_bold(
    client, login_as, producer, manager
):
    login_as(manager)
    form = new_product_form(
        name="Brioche au beurre",
        product_type="dfc-pt:viennoiserie-",
        ingredients="Farine de blé, beurre (22 %), œufs frais, sucre, sel",
        allergens=["gluten", "milk", "eggs"],
        origin="Fournil de la ferme, Vertou",
        origin_code="dfc-f:PaysDeLoire",
        storage="Dans un endroit sec",
        date_kind="ddm",
        shelf_life_days="5",
        alcohol_percent="",
    )
    response = client.post(f"/producers/{producer.id}/products/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    product = _product(producer)
    assert product.allergen_codes == ["gluten", "eggs", "milk"]  # the Annex II order
    assert product.origin_code == "dfc-f:PaysDeLoire"
    assert (product.date_kind, product.shelf_life_days, product.alcohol_percent) == ("ddm", 5, None)

    in_language(client, "fr")
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    allergens = re.search(r'data-testid="allergens">(.*?)</dd>', page, re.S)[1]
    assert "Céréales contenant du gluten, Œufs, Lait" in allergens
    assert allergens.startswith('<strong class="allergen">')
    ingredients = re.search(r'data-testid="ingredients">(.*?)</dd>', page, re.S)[1]
    assert '<strong class="allergen">blé</strong>' in ingredients
    assert '<strong class="allergen">beurre</strong>' in ingredients
    assert '<strong class="allergen">œufs</strong>' in ingredients
    assert "sucre" in ingredients
    assert '<strong class="allergen">sucre' not in ingredients
    assert "Pays de la Loire" in page
    assert "À consommer de préférence avant (DDM)" in page
    assert "environ 5 jours" in page


def test_the_edit_form_shows_what_was_saved(client, login_as, producer, manager):
    login_as(manager)
    client.post(
        f"/producers/{producer.id}/products/new",
        data=new_product_form(
            product_type="dfc-pt:cider", allergens=["sulphites"], alcohol_percent="4,5"
        ),
    )
    product = _product(producer)
    assert product.alcohol_percent == Decimal("4.5")
    in_language(client, "fr")
    page = client.get(f"/products/{product.id}/edit").get_data(as_text=True)
    assert re.search(r'value="sulphites"[^>]*checked|checked[^>]*value="sulphites"', page)
    assert 'value="4,5"' in page
    # the category list is grouped and in French
    assert '<optgroup label="Boissons">' in page
    assert ">Cidre</option>" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"allergens": ["peanut-butter"]}, "allergens", "not a valid choice"),
        ({"alcohol_percent": "150"}, "alcohol_percent", "from 0 to 100"),
        ({"alcohol_percent": "-1"}, "alcohol_percent", "from 0 to 100"),
        ({"alcohol_percent": "douze"}, "alcohol_percent", "Enter a percentage"),
        ({"shelf_life_days": "0"}, "shelf_life_days", "from 1 to 3650"),
        ({"date_kind": "dluo"}, "date_kind", "use by (DLC)"),
        ({"origin_code": "dfc-f:Organic-AB"}, "origin_code", "Unknown region"),
    ],
)
def test_bad_food_information_is_a_form_error(
    client, login_as, producer, manager, overrides, field, message
):
    login_as(manager)
    in_language(client, "en")
    response = client.post(
        f"/producers/{producer.id}/products/new", data=new_product_form(**overrides)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="field-error"[^>]*>([^<]*{re.escape(message)}[^<]*)</p>', page)
    assert error, page[page.find("food-fields") :][:3000]
    assert _product(producer) is None


def test_the_service_refuses_an_unknown_allergen_and_alcohol_out_of_range(producer, manager):
    data = services.ProductInput(
        name="Cidre",
        product_type="dfc-pt:cider",
        food=foodinfo.FoodInfo(allergens=["sulphites", "shellfish"], alcohol_percent=Decimal(101)),
    )
    with pytest.raises(InvalidProduct) as caught:
        services.create_product(producer, data, [])
    assert "shellfish" in caught.value.fields["allergens"]
    assert "alcohol_percent" in caught.value.fields


def test_highlight_escapes_the_text_and_marks_only_declared_allergens():
    marked = foodinfo.highlight("<b>Lait</b> entier, noisettes & sel", ["milk"])
    assert isinstance(marked, Markup)
    assert (
        marked
        == '&lt;b&gt;<strong class="allergen">Lait</strong>&lt;/b&gt; entier, noisettes &amp; sel'
    )
    assert "strong" not in foodinfo.highlight("Lait, noisettes", [])


def test_spreadsheet_allergen_names_resolve_in_french_and_english():
    assert foodinfo.parse_allergens("Lait; oeufs, Fruits à coque, gluten, Soja") == [
        "milk",
        "eggs",
        "nuts",
        "gluten",
        "soy",
    ]
    assert foodinfo.parse_allergens("céleri, dfc-m:Sulphites, licorne") == [
        "celery",
        "sulphites",
        "licorne",
    ]


def test_our_labels_fix_the_taxonomy_typos():
    fr = dict(categories.list_labels("fr"))
    light = [fr["dfc-f:Light"], fr["dfc-f:LightLite"], fr["dfc-f:Natural"]]
    assert len(set(light)) == 3
    assert "Allégé/Light" not in light
    assert fr["dfc-f:IGP_EU"] == "Indication géographique protégée (IGP)"
    assert fr["dfc-f:FairTradeMaxHaavelar"] == "Fairtrade Max Havelaar"
    assert categories.label_name("dfc-f:HEV", "en") == "High Environmental Value (HVE)"
    assert categories.category_label("dfc-pt:hierloom-tomato", "en") == "Heirloom tomato"
    assert categories.category_label("dfc-pt:apples", "fr") == "Pomme"
    assert all("Haavelar" not in name for _c, name in categories.form_labels("en"))
    # the main French labels come first in the form
    assert [c for c, _n in categories.form_labels("fr")[:3]] == [
        "dfc-f:Organic-AB",
        "dfc-f:Organic-EU",
        "dfc-f:NatureEtProgres",
    ]


def test_every_category_has_a_group_and_a_french_name():
    grouped = categories.grouped_categories("fr")
    codes = [code for _g, items in grouped for code, _l in items]
    assert sorted(codes) == sorted(code for code, _l in categories.list_categories("fr"))
    basil = next(g for g, items in grouped if any(c == "dfc-pt:basil" for c, _l in items))
    assert basil == "Vegetables"  # under "herb" ("aromatic" is not defined by the taxonomy)


def _shop_with_apples_and_organic_eggs():
    shop = make_shop(offers=3, producers=1)
    apples, eggs, bread = (offer.variant.product for offer in shop.offers)
    apples.product_type, apples.name = "dfc-pt:apples", "Pommes Reinette"
    eggs.product_type, eggs.name = "dfc-pt:egg", "Œufs plein air"
    eggs.labels.append(ProductLabel(code="dfc-f:Organic-AB"))
    eggs.allergen_codes = ["eggs"]
    eggs.ingredients = ""
    bread.product_type, bread.name = "dfc-pt:bread", "Pain de campagne"
    bread.labels.append(ProductLabel(code="dfc-f:RedLabel_FR"))
    db.session.commit()
    return shop


def test_the_french_shop_filters_by_french_category_and_by_label(client):
    shop = _shop_with_apples_and_organic_eggs()
    in_language(client, "fr")
    page = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    category_select = re.search(r'<select id="category".*?</select>', page, re.S)[0]
    assert ">Pomme (1)</option>" in category_select
    assert ">Œuf (1)</option>" in category_select
    assert "Apples" not in category_select
    assert "Egg" not in category_select
    label_select = re.search(r'<select id="label".*?</select>', page, re.S)[0]
    assert ">AB (1)</option>" in label_select
    assert ">Label Rouge (1)</option>" in label_select
    # badges on the cards, food information one tap away
    assert page.count('class="badge badge-label"') == 2
    assert page.count('data-testid="food-details"') == 3
    assert "Infos produit" in page

    organic = client.get(f"/cycles/{shop.cycle.id}/shop?label=dfc-f:Organic-AB").get_data(
        as_text=True
    )
    assert organic.count('class="card shop-item"') == 1
    assert "Œufs plein air" in organic
    assert "Pommes Reinette" not in organic
    assert '<strong class="allergen">Œufs</strong>' in organic

    english = client.get(
        f"/cycles/{shop.cycle.id}/shop", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert english  # the same cached facets, relabelled per reader
    in_language(client, "en")
    english = client.get(f"/cycles/{shop.cycle.id}/shop").get_data(as_text=True)
    assert (
        ">Apple (1)</option>" in re.search(r'<select id="category".*?</select>', english, re.S)[0]
    )


def test_an_unknown_label_filter_shows_nothing(client):
    shop = _shop_with_apples_and_organic_eggs()
    in_language(client, "fr")
    page = client.get(f"/cycles/{shop.cycle.id}/shop?label=dfc-f:Nope").get_data(as_text=True)
    assert page.count('class="card shop-item"') == 0


# -- CSV -------------------------------------------------------------------------------------

FOOD_HEADER = (
    "sku;product_name;unit;unit_value;price_eur;Ingrédients;Allergènes;Origine;"
    "Région d'origine;Conservation;DLC/DDM;Durée de conservation (jours);Alcool"
)


def _check_csv(producer, manager, text: str):
    from products.csv_io import check_import, run_to_end

    return run_to_end(check_import(producer, manager.id, text.encode("utf-8"), "f.csv"))


def test_csv_food_columns_round_trip(producer, manager):
    from products.csv_io import apply_import, export_csv, run_to_end

    rows = [
        "CID-75;Cidre brut;cl;75;4,80;Jus de pommes;Sulfites;Verger de la ferme;Bretagne;"
        "Au frais après ouverture;DDM;365;4,5",
        'BRI-1;Brioche;piece;1;6,00;"Farine de blé, beurre, œufs";Lait | oeufs, gluten;;;;DLC;4;',
    ]
    preview = _check_csv(producer, manager, "\r\n".join([FOOD_HEADER, *rows]))
    assert preview.errors == []
    run_to_end(apply_import(producer, manager.id, preview.token))
    cider = db.session.scalar(select(Product).where(Product.name == "Cidre brut"))
    brioche = db.session.scalar(select(Product).where(Product.name == "Brioche"))
    assert (cider.allergen_codes, cider.origin_code, cider.date_kind) == (
        ["sulphites"],
        "dfc-f:Brittany",
        "ddm",
    )
    assert (cider.shelf_life_days, cider.alcohol_percent) == (365, Decimal("4.5"))
    assert brioche.allergen_codes == ["gluten", "eggs", "milk"]
    assert brioche.alcohol_percent is None

    exported = "".join(export_csv(producer.id, "fr"))
    header = exported.lstrip("\ufeff").split("\r\n", 1)[0].split(";")
    assert header[-8:] == list(csv_io_food_columns())
    cider_line = next(line for line in exported.split("\r\n") if line.startswith("CID-75"))
    assert cider_line.endswith(
        "Jus de pommes;Anhydride sulfureux et sulfites;Verger de la ferme;Bretagne;"
        "Au frais après ouverture;DDM;365;4,5"
    )
    # the export read back changes nothing, and clearing a cell clears the value
    again = _check_csv(producer, manager, exported.lstrip("\ufeff"))
    assert again.errors == []
    assert [r["food"] for r in again.rows if r["sku"] == "CID-75"][0]["allergens"] == ["sulphites"]
    cleared = _check_csv(
        producer, manager, "\r\n".join([FOOD_HEADER, "CID-75;Cidre brut;cl;75;4,80;;;;;;;;"])
    )
    run_to_end(apply_import(producer, manager.id, cleared.token))
    db.session.expire_all()
    cider = db.session.get(Product, cider.id)
    assert (cider.allergens, cider.alcohol_percent, cider.ingredients) == ("", None, "")


def csv_io_food_columns():
    from products.foodinfo_csv import COLUMNS

    return COLUMNS


def test_csv_bad_food_cells_name_line_and_column(producer, manager):
    rows = [
        "A-1;Vin;cl;75;9,00;;Lait, licorne;;Atlantide;;DLUO;jamais;150",
    ]
    preview = _check_csv(producer, manager, "\r\n".join([FOOD_HEADER, *rows]))
    found = {(e.line, e.column) for e in preview.errors}
    assert found == {
        (2, "allergens"),
        (2, "origin_region"),
        (2, "shelf_life_days"),
        (2, "alcohol_percent"),
    }
    message = next(e.message for e in preview.errors if e.column == "allergens")
    assert "licorne" in message
    assert preview.rows == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_allergen_name_we_write_reads_back(lang):
    from flask_babel import force_locale

    with force_locale(lang):
        names = [foodinfo.allergen_label(code) for code in foodinfo.ALLERGEN_CODES]
    assert [foodinfo.resolve_allergen(name) for name in names] == list(foodinfo.ALLERGEN_CODES)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_category_and_label_name_we_show_reads_back(lang):
    """The CSV export writes names: each one (our corrections included) resolves to its code."""
    ambiguous = {
        code
        for code, name in categories.list_categories(lang)
        if categories.resolve_category(name) != code
    }
    # the taxonomy's own clashes ("prune" is a plum in French, a prune in English; kale twice):
    # the export writes their code
    assert ambiguous <= {"dfc-pt:plum", "dfc-pt:kale-cabbage"}
    for code, name in categories.form_labels(lang):
        assert categories.resolve_label(name) == code, (code, name)
    assert categories.resolve_category("Heirloom tomato") == "dfc-pt:hierloom-tomato"
    assert categories.resolve_label("Fairtrade Max Havelaar") == "dfc-f:FairTradeMaxHaavelar"


def test_the_api_shows_the_food_information(client, producer, manager):
    from tests.integration.interop.dfc_support import token

    product = services.create_product(
        producer,
        services.ProductInput(
            name="Cidre",
            product_type="dfc-pt:cider",
            food=foodinfo.FoodInfo(allergens=["sulphites"], alcohol_percent=Decimal("4.5")),
        ),
        [],
    )
    response = client.get(f"/api/v1/products/{product.id}", headers=token(manager))
    assert response.status_code == 200, response.get_data(as_text=True)
    food = response.get_json()["food"]
    assert food["allergens"] == ["sulphites"]
    assert food["alcohol_percent"] == "4.5"
    assert food["shelf_life_days"] is None
