"""Demo catalogue: the products of the eight demo producers (Ille-et-Vilaine), with variants.

Idempotent by SKU: a product is found by its producer and name, a variant by its SKU; what exists
is left as it is (a producer may have changed its stock in the demo), what is missing is created
through the catalogue services, so the demo data obeys the same rules as the pages.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core.db import db
from demo.accounts import get_enterprise
from products import services
from products.foodinfo import FoodInfo
from products.models import Product, Unit, Variant

AB = "dfc-f:Organic-AB"
LABEL_ROUGE = "dfc-f:RedLabel_FR"
HVE = "dfc-f:HEV"

# variant: (sku, name, unit, value, price in cents incl. VAT, stock or None = on demand,
#           sold by weight)
V = tuple[str, str, Unit, str, int, int | None, bool]


def v(sku: str, name: str, unit: Unit, value: str, cents: int, stock: int | None = 20) -> V:
    return (sku, name, unit, value, cents, stock, False)


def by_weight(sku: str, name: str, weight_kg: str, cents_per_kg: int, stock: int) -> V:
    return (sku, name, Unit.kg, weight_kg, cents_per_kg, stock, True)


#: food information of some demo products (INCO art. 14), by product name
FOOD: dict[str, FoodInfo] = {
    "Tomates anciennes": FoodInfo(
        origin="Nos serres froides, Vertou",
        origin_code="dfc-f:PaysDeLoire",
        storage="À température ambiante, pas au réfrigérateur",
        shelf_life_days=5,
    ),
    "Beurre demi-sel": FoodInfo(
        ingredients="Crème de lait cru, sel de Guérande (2 %)",
        allergens=["milk"],
        origin="Notre troupeau, Bretagne",
        origin_code="dfc-f:Brittany",
        storage="Au réfrigérateur, entre 0 et 4 °C",
        date_kind="ddm",
        shelf_life_days=30,
    ),
    "Tomme du Moulin": FoodInfo(
        ingredients="Lait cru de vache, sel, présure, ferments lactiques",
        allergens=["milk"],
        origin_code="dfc-f:Brittany",
        storage="Au frais, dans un papier alimentaire",
        date_kind="dlc",
        shelf_life_days=21,
    ),
    "Croissants": FoodInfo(
        ingredients="Farine de blé, beurre (25 %), eau, sucre, œufs, levure, sel",
        allergens=["gluten", "eggs", "milk"],
        storage="Dans un endroit sec",
        date_kind="ddm",
        shelf_life_days=2,
    ),
    "Pain d'épices": FoodInfo(
        ingredients="Farine de seigle, miel (40 %), sucre, épices, lait, noisettes",
        allergens=["gluten", "milk", "nuts"],
        date_kind="ddm",
        shelf_life_days=60,
    ),
    "Cidre brut": FoodInfo(
        ingredients="Jus de pommes, sulfites",
        allergens=["sulphites"],
        origin_code="dfc-f:Brittany",
        storage="Au frais après ouverture",
        date_kind="ddm",
        shelf_life_days=365,
        alcohol_percent=Decimal("5.0"),
    ),
    "Bière blonde": FoodInfo(
        ingredients="Eau, malt d'orge, houblon, levure",
        allergens=["gluten"],
        date_kind="ddm",
        shelf_life_days=180,
        alcohol_percent=Decimal("5.5"),
    ),
    "Œufs bio": FoodInfo(
        allergens=["eggs"],
        origin="Nos poules en plein air",
        date_kind="ddm",
        shelf_life_days=28,
        storage="Au frais",
    ),
}

# producer slug -> products: (name, DFC type, VAT bp, labels, description, variants)
CATALOGUE: dict[str, list[tuple[str, str, int, list[str], str, list[V]]]] = {
    "ferme-des-quatre-vents": [
        (
            "Tomates anciennes",
            "dfc-pt:hierloom-tomato",
            550,
            [AB],
            "Cœur de bœuf, noire de Crimée, ananas : un mélange selon la cueillette.",
            [
                v("QV-TOM-500", "Barquette 500 g", Unit.g, "500", 320, 25),
                v("QV-TOM-1K", "1 kg", Unit.kg, "1", 590, 15),
            ],
        ),
        (
            "Tomates cerises",
            "dfc-pt:cherry-tomato",
            550,
            [AB],
            "Rouges et jaunes, très sucrées.",
            [v("QV-TCE-250", "Barquette 250 g", Unit.g, "250", 250, 30)],
        ),
        (
            "Carottes nouvelles",
            "dfc-pt:carrot",
            550,
            [AB],
            "Vendues en botte avec les fanes.",
            [
                v("QV-CAR-BOT", "Botte", Unit.piece, "1", 250, 40),
                v("QV-CAR-1K", "Vrac 1 kg", Unit.kg, "1", 280, None),
            ],
        ),
        ("Poireaux", "dfc-pt:leek", 550, [AB], "", [v("QV-POI-1K", "1 kg", Unit.kg, "1", 350, 20)]),
        (
            "Pommes de terre Chérie",
            "dfc-pt:potato",
            550,
            [AB],
            "Chair ferme, idéale vapeur.",
            [
                v("QV-PDT-2K", "Sac de 2 kg", Unit.kg, "2", 460, 30),
                v("QV-PDT-5K", "Sac de 5 kg", Unit.kg, "5", 1000, 10),
            ],
        ),
        (
            "Salade batavia",
            "dfc-pt:lettuce",
            550,
            [AB],
            "",
            [v("QV-SAL-P", "Pièce", Unit.piece, "1", 150, 35)],
        ),
        (
            "Mâche",
            "dfc-pt:corn-salad",
            550,
            [AB],
            "",
            [v("QV-MAC-150", "Sachet 150 g", Unit.g, "150", 290, 20)],
        ),
        (
            "Courgettes",
            "dfc-pt:courgette",
            550,
            [AB],
            "",
            [v("QV-COU-1K", "1 kg", Unit.kg, "1", 330, None)],
        ),
        (
            "Potimarron",
            "dfc-pt:uchiki-kuri-squash",
            550,
            [AB],
            "La courge qui se cuit avec la peau.",
            [by_weight("QV-POT", "Pièce (environ 1,2 kg)", "1.2", 290, 18)],
        ),
        (
            "Oignons jaunes",
            "dfc-pt:onion",
            550,
            [AB],
            "",
            [v("QV-OIG-1K", "1 kg", Unit.kg, "1", 300, 25)],
        ),
        (
            "Ail rose",
            "dfc-pt:garlic",
            550,
            [AB],
            "",
            [v("QV-AIL-250", "Filet de 250 g", Unit.g, "250", 380, 15)],
        ),
        (
            "Betteraves crues",
            "dfc-pt:beetroot",
            550,
            [AB],
            "",
            [v("QV-BET-1K", "1 kg", Unit.kg, "1", 320, 12)],
        ),
        (
            "Radis roses",
            "dfc-pt:radish",
            550,
            [AB],
            "",
            [v("QV-RAD-BOT", "Botte", Unit.piece, "1", 180, 25)],
        ),
        (
            "Épinards",
            "dfc-pt:spinach",
            550,
            [AB],
            "",
            [v("QV-EPI-500", "Sachet 500 g", Unit.g, "500", 390, 10)],
        ),
    ],
    "gaec-du-moulin": [
        (
            "Lait cru entier",
            "dfc-pt:milk",
            550,
            [],
            "Traite du matin, à consommer sous 3 jours.",
            [v("MOU-LAI-1L", "Bouteille 1 L", Unit.l, "1", 150, 40)],
        ),
        (
            "Beurre demi-sel",
            "dfc-pt:butter",
            550,
            [],
            "Baratté à la ferme, sel de Guérande.",
            [v("MOU-BEU-250", "Plaquette 250 g", Unit.g, "250", 420, 30)],
        ),
        (
            "Yaourts nature",
            "dfc-pt:natural-yogurt",
            550,
            [],
            "",
            [
                v("MOU-YAN-4", "Pack de 4 × 125 g", Unit.g, "500", 290, 25),
                v("MOU-YAN-1K", "Pot de 1 kg", Unit.kg, "1", 480, 10),
            ],
        ),
        (
            "Yaourts aux fruits",
            "dfc-pt:yogurt-with-fruits",
            550,
            [],
            "Fraise, framboise, myrtille.",
            [v("MOU-YAF-4", "Pack de 4 × 125 g", Unit.g, "500", 340, 20)],
        ),
        (
            "Crème fraîche épaisse",
            "dfc-pt:fresh-cream",
            550,
            [],
            "",
            [
                v("MOU-CRE-20", "Pot de 20 cl", Unit.cl, "20", 290, 20),
                v("MOU-CRE-50", "Pot de 50 cl", Unit.cl, "50", 590, 10),
            ],
        ),
        (
            "Fromage blanc",
            "dfc-pt:cream-cheese",
            550,
            [],
            "",
            [v("MOU-FBL-500", "Faisselle 500 g", Unit.g, "500", 350, 15)],
        ),
        (
            "Tomme du Moulin",
            "dfc-pt:mature-cheese",
            550,
            [],
            "Affinée trois mois en cave.",
            [by_weight("MOU-TOM", "Morceau (environ 300 g)", "0.3", 2400, 20)],
        ),
        (
            "Riz au lait",
            "dfc-pt:dairy-dessert",
            550,
            [],
            "",
            [v("MOU-RIZ-2", "2 pots de 150 g", Unit.g, "300", 320, 15)],
        ),
    ],
    "les-poules-de-marie": [
        (
            "Œufs plein air",
            "dfc-pt:egg",
            550,
            [],
            "Poules élevées en plein air, nourries aux céréales.",
            [
                v("POU-OEU-6", "Boîte de 6", Unit.piece, "6", 240, 60),
                v("POU-OEU-12", "Boîte de 12", Unit.dozen, "1", 450, 30),
            ],
        ),
        (
            "Œufs bio",
            "dfc-pt:egg",
            550,
            [AB],
            "",
            [v("POU-OEB-6", "Boîte de 6", Unit.piece, "6", 290, 40)],
        ),
        (
            "Poulet fermier",
            "dfc-pt:chicken",
            550,
            [LABEL_ROUGE],
            "Élevé 110 jours en plein air. Prix au kilo : poids exact pesé à la préparation.",
            [by_weight("POU-PFE", "Poulet entier (environ 1,8 kg)", "1.8", 1390, 12)],
        ),
        (
            "Pintade fermière",
            "dfc-pt:guinea-fowl",
            550,
            [LABEL_ROUGE],
            "",
            [by_weight("POU-PIN", "Pintade entière (environ 1,4 kg)", "1.4", 1690, 6)],
        ),
        (
            "Cuisses de poulet",
            "dfc-pt:chicken",
            550,
            [],
            "",
            [v("POU-CUI-2", "Barquette de 2 (environ 500 g)", Unit.g, "500", 780, 10)],
        ),
    ],
    "boulangerie-le-levain": [
        (
            "Pain de campagne au levain",
            "dfc-pt:bread",
            550,
            [AB],
            "Farine de blé T80 du pays de Redon.",
            [
                v("LEV-CAM-500", "500 g", Unit.g, "500", 330, None),
                v("LEV-CAM-1K", "1 kg", Unit.kg, "1", 620, None),
            ],
        ),
        (
            "Pain complet",
            "dfc-pt:bread",
            550,
            [AB],
            "",
            [v("LEV-COM-800", "800 g", Unit.g, "800", 520, None)],
        ),
        (
            "Pain de seigle",
            "dfc-pt:bread",
            550,
            [AB],
            "",
            [v("LEV-SEI-500", "500 g", Unit.g, "500", 420, None)],
        ),
        (
            "Baguette tradition",
            "dfc-pt:bread",
            550,
            [],
            "",
            [v("LEV-BAG", "Pièce", Unit.piece, "1", 130, None)],
        ),
        (
            "Croissants",
            "dfc-pt:viennoiserie-",
            550,
            [],
            "Pur beurre.",
            [v("LEV-CRO-4", "Sachet de 4", Unit.piece, "4", 520, None)],
        ),
        (
            "Far breton",
            "dfc-pt:pastry",
            550,
            [],
            "Aux pruneaux.",
            [v("LEV-FAR-6", "Part (6 parts)", Unit.piece, "6", 1200, 8)],
        ),
        (
            "Sablés bretons",
            "dfc-pt:biscuit",
            550,
            [],
            "",
            [v("LEV-SAB-200", "Sachet 200 g", Unit.g, "200", 450, 20)],
        ),
        (
            "Farine de sarrasin",
            "dfc-pt:flour",
            550,
            [AB],
            "Pour les galettes.",
            [v("LEV-SAR-1K", "1 kg", Unit.kg, "1", 440, 25)],
        ),
    ],
    "vergers-de-la-vilaine": [
        (
            "Pommes Reine des reinettes",
            "dfc-pt:apples",
            550,
            [HVE],
            "Acidulées, parfaites en tarte.",
            [
                v("VER-REI-1K", "1 kg", Unit.kg, "1", 290, 50),
                v("VER-REI-3K", "Cagette 3 kg", Unit.kg, "3", 780, 15),
            ],
        ),
        (
            "Pommes Gala",
            "dfc-pt:apples",
            550,
            [HVE],
            "",
            [v("VER-GAL-1K", "1 kg", Unit.kg, "1", 270, 50)],
        ),
        (
            "Poires Conférence",
            "dfc-pt:pear",
            550,
            [HVE],
            "",
            [v("VER-CON-1K", "1 kg", Unit.kg, "1", 340, 30)],
        ),
        (
            "Jus de pomme",
            "dfc-pt:fruit-juice",
            550,
            [HVE],
            "Pur jus, non filtré.",
            [
                v("VER-JUS-1L", "Bouteille 1 L", Unit.l, "1", 350, 60),
                v("VER-JUS-5L", "Bag-in-box 5 L", Unit.l, "5", 1400, 10),
            ],
        ),
        (
            "Jus de poire",
            "dfc-pt:fruit-juice",
            550,
            [HVE],
            "",
            [v("VER-JPO-75", "Bouteille 75 cl", Unit.cl, "75", 390, 30)],
        ),
        (
            "Cidre brut",
            "dfc-pt:cider",
            2000,
            [],
            "Cidre fermier, 5 % vol.",
            [
                v("VER-CIB-75", "Bouteille 75 cl", Unit.cl, "75", 520, 40),
                v("VER-CIB-1L", "Bouteille 1 L", Unit.l, "1", 640, 20),
            ],
        ),
        (
            "Cidre doux",
            "dfc-pt:cider",
            2000,
            [],
            "2,5 % vol.",
            [v("VER-CID-75", "Bouteille 75 cl", Unit.cl, "75", 520, 30)],
        ),
        (
            "Compote pomme-poire",
            "dfc-pt:fruit-in-compote",
            550,
            [HVE],
            "Sans sucre ajouté.",
            [v("VER-COM-400", "Bocal 400 g", Unit.g, "400", 420, 25)],
        ),
    ],
    "rucher-du-bocage": [
        (
            "Miel de fleurs",
            "dfc-pt:honey",
            550,
            [],
            "Récolte de printemps, crémeux.",
            [
                v("RUC-FLE-250", "Pot de 250 g", Unit.g, "250", 650, 40),
                v("RUC-FLE-500", "Pot de 500 g", Unit.g, "500", 1100, 30),
            ],
        ),
        (
            "Miel de châtaignier",
            "dfc-pt:honey",
            550,
            [],
            "Corsé, légèrement amer.",
            [
                v("RUC-CHA-250", "Pot de 250 g", Unit.g, "250", 720, 25),
                v("RUC-CHA-500", "Pot de 500 g", Unit.g, "500", 1250, 20),
            ],
        ),
        (
            "Miel d'acacia",
            "dfc-pt:honey",
            550,
            [AB],
            "",
            [v("RUC-ACA-500", "Pot de 500 g", Unit.g, "500", 1350, 15)],
        ),
        (
            "Pain d'épices",
            "dfc-pt:sweet-groceries",
            550,
            [],
            "Au miel de la maison, 50 % de miel.",
            [v("RUC-PEP-400", "400 g", Unit.g, "400", 780, 12)],
        ),
        (
            "Bougie en cire d'abeille",
            "dfc-pt:inedible",
            2000,
            [],
            "",
            [v("RUC-BOU", "Pièce", Unit.piece, "1", 900, 10)],
        ),
    ],
    "brasserie-des-landes": [
        (
            "Bière blonde",
            "dfc-pt:beer",
            2000,
            [AB],
            "Légère et florale, 5 % vol.",
            [
                v("BRA-BLO-33", "Bouteille 33 cl", Unit.cl, "33", 290, 120),
                v("BRA-BLO-75", "Bouteille 75 cl", Unit.cl, "75", 590, 40),
            ],
        ),
        (
            "Bière ambrée",
            "dfc-pt:beer",
            2000,
            [AB],
            "Notes de caramel, 6 % vol.",
            [v("BRA-AMB-33", "Bouteille 33 cl", Unit.cl, "33", 300, 96)],
        ),
        (
            "Bière blanche",
            "dfc-pt:beer",
            2000,
            [],
            "Au blé noir, 4,5 % vol.",
            [v("BRA-BLA-33", "Bouteille 33 cl", Unit.cl, "33", 290, 72)],
        ),
        (
            "IPA des Landes",
            "dfc-pt:beer",
            2000,
            [],
            "Houblons bretons, 6,5 % vol.",
            [v("BRA-IPA-33", "Bouteille 33 cl", Unit.cl, "33", 330, 48)],
        ),
        (
            "Limonade artisanale",
            "dfc-pt:lemonade",
            550,
            [],
            "",
            [v("BRA-LIM-33", "Bouteille 33 cl", Unit.cl, "33", 220, 60)],
        ),
    ],
    "ferme-de-la-prevalaye": [
        (
            "Panier de légumes de saison",
            "dfc-pt:vegetable",
            550,
            [AB],
            "6 à 8 légumes selon la saison.",
            [
                v("PRE-PAN-S", "Petit panier (3 kg)", Unit.kg, "3", 1200, None),
                v("PRE-PAN-L", "Grand panier (5 kg)", Unit.kg, "5", 1900, None),
            ],
        ),
        (
            "Courge butternut",
            "dfc-pt:butternut",
            550,
            [AB],
            "",
            [by_weight("PRE-BUT", "Pièce (environ 1,5 kg)", "1.5", 260, 20)],
        ),
        (
            "Chou kale",
            "dfc-pt:kale-cabbage",
            550,
            [AB],
            "",
            [v("PRE-KAL-300", "Botte de 300 g", Unit.g, "300", 280, 15)],
        ),
        (
            "Échalotes",
            "dfc-pt:shallot",
            550,
            [AB],
            "",
            [v("PRE-ECH-500", "500 g", Unit.g, "500", 350, 20)],
        ),
        (
            "Panais",
            "dfc-pt:parsnip",
            550,
            [AB],
            "",
            [v("PRE-PAN-1K", "1 kg", Unit.kg, "1", 380, 15)],
        ),
        (
            "Confiture de fraises",
            "dfc-pt:jam",
            550,
            [AB],
            "Fraises de la ferme, sucre de canne.",
            [v("PRE-CFR-350", "Pot de 350 g", Unit.g, "350", 550, 24)],
        ),
        (
            "Fromage frais de chèvre",
            "dfc-pt:goat-fresh-cheese",
            550,
            [AB],
            "",
            [v("PRE-CHE-150", "Palet 150 g", Unit.g, "150", 380, 20)],
        ),
        (
            "Persil plat",
            "dfc-pt:parsley",
            550,
            [AB],
            "",
            [v("PRE-PER-BOT", "Botte", Unit.piece, "1", 120, 30)],
        ),
    ],
}


def seed() -> str:
    products_created = variants_created = 0
    for slug, products in CATALOGUE.items():
        producer = get_enterprise(slug)
        existing_skus = set(
            db.session.scalars(select(Variant.sku).where(Variant.producer_id == producer.id))
        )
        for name, category, vat, labels, description, variants in products:
            missing = [
                services.VariantInput(
                    sku=sku,
                    name=vname,
                    unit=unit,
                    unit_value=Decimal(value),
                    price_cents=cents,
                    on_demand=stock is None,
                    stock=stock or 0,
                    sold_by_weight=weighed,
                )
                for sku, vname, unit, value, cents, stock, weighed in variants
                if sku not in existing_skus
            ]
            if not missing:
                continue
            product = db.session.scalar(
                select(Product).where(Product.producer_id == producer.id, Product.name == name)
            )
            if product is None:
                services.create_product(
                    producer,
                    services.ProductInput(
                        name=name,
                        product_type=category,
                        description=description,
                        vat_rate_bp=vat,
                        labels=labels,
                        food=FOOD.get(name),
                    ),
                    missing,
                )
                products_created += 1
            else:
                for item in missing:
                    services.add_variant(product, item)
            variants_created += len(missing)
    total = sum(len(p) for p in CATALOGUE.values())
    return (
        f"catalogue: {total} products of {len(CATALOGUE)} producers "
        f"({products_created} products and {variants_created} variants created)"
    )
