"""Demo people and enterprises (Ille-et-Vilaine). Other demo parts find them by slug or e-mail."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from accounts.models import User
from accounts.passwords import hash_password
from core.db import db
from core.timeutils import utcnow
from enterprises.models import Enterprise, HubKind, Membership, MembershipRole
from enterprises.services import department_of

DEMO_PASSWORD = "comptoir-demo"  # noqa: S105 - printed for the newcomer, demo only

ADMIN = "admin@demo.comptoir.coop"
CITIZEN = "citoyenne@demo.comptoir.coop"
PRODUCER_MANAGER = "producteur@demo.comptoir.coop"
HUB_MANAGER = "comptoir@demo.comptoir.coop"

DEMO_ACCOUNTS = [
    (CITIZEN, "citizen"),
    (PRODUCER_MANAGER, "producer (Ferme des Quatre Vents)"),
    (HUB_MANAGER, "hub manager (La Grange, tiers-lieu)"),
    (ADMIN, "platform admin"),
]

# slug, name, producer?, hub?, hub kind, city, postcode, lat, lon, description
ENTERPRISES = [
    (
        "ferme-des-quatre-vents",
        "Ferme des Quatre Vents",
        True,
        False,
        None,
        "Pacé",
        "35740",
        "48.1486",
        "-1.7739",
        "Maraîchage bio sur 3 hectares : légumes de saison, plants.",
    ),
    (
        "gaec-du-moulin",
        "GAEC du Moulin",
        True,
        False,
        None,
        "Bréal-sous-Montfort",
        "35310",
        "48.0492",
        "-1.8647",
        "Vaches laitières en pâturage : lait, beurre, yaourts, fromages.",
    ),
    (
        "les-poules-de-marie",
        "Les Poules de Marie",
        True,
        False,
        None,
        "Betton",
        "35830",
        "48.1817",
        "-1.6414",
        "Poules pondeuses en plein air et volailles fermières.",
    ),
    (
        "boulangerie-le-levain",
        "Boulangerie Le Levain",
        True,
        False,
        None,
        "Rennes",
        "35000",
        "48.1113",
        "-1.6800",
        "Pains au levain, farines locales, cuisson au feu de bois.",
    ),
    (
        "vergers-de-la-vilaine",
        "Vergers de la Vilaine",
        True,
        False,
        None,
        "Bruz",
        "35170",
        "48.0247",
        "-1.7456",
        "Pommes, poires, jus et cidre fermier.",
    ),
    (
        "rucher-du-bocage",
        "Rucher du Bocage",
        True,
        False,
        None,
        "Liffré",
        "35340",
        "48.2133",
        "-1.5067",
        "Miels de fleurs et de châtaignier, pain d'épices.",
    ),
    (
        "brasserie-des-landes",
        "Brasserie des Landes",
        True,
        False,
        None,
        "Cesson-Sévigné",
        "35510",
        "48.1214",
        "-1.6031",
        "Bières artisanales brassées avec de l'orge bretonne.",
    ),
    (
        "ferme-de-la-prevalaye",
        "Ferme de la Prévalaye",
        True,
        True,
        HubKind.farm,
        "Rennes",
        "35000",
        "48.1036",
        "-1.7364",
        "Ferme en agriculture biologique avec sa boutique à la ferme.",
    ),
    (
        "la-grange",
        "La Grange",
        False,
        True,
        HubKind.tiers_lieu,
        "Rennes",
        "35200",
        "48.0936",
        "-1.6580",
        "Tiers-lieu associatif : distribution le jeudi soir et café.",
    ),
    (
        "cafe-du-bourg",
        "Café du Bourg",
        False,
        True,
        HubKind.cafe,
        "Saint-Grégoire",
        "35760",
        "48.1511",
        "-1.6850",
        "Café de village : retrait des paniers le samedi matin.",
    ),
]

USERS = [
    (ADMIN, "Alex Admin", True, []),
    (CITIZEN, "Camille Durand", False, []),
    (PRODUCER_MANAGER, "Jeanne Le Gall", False, ["ferme-des-quatre-vents"]),
    (HUB_MANAGER, "Yann Morvan", False, ["la-grange"]),
    ("ferme@demo.comptoir.coop", "Paul Hamon", False, ["ferme-de-la-prevalaye"]),
    ("cafe@demo.comptoir.coop", "Nina Perrin", False, ["cafe-du-bourg"]),
    ("moulin@demo.comptoir.coop", "Loïc Briand", False, ["gaec-du-moulin"]),
    ("poules@demo.comptoir.coop", "Marie Guillou", False, ["les-poules-de-marie"]),
    ("levain@demo.comptoir.coop", "Hugo Rault", False, ["boulangerie-le-levain"]),
    ("vergers@demo.comptoir.coop", "Sophie Lemoine", False, ["vergers-de-la-vilaine"]),
    ("rucher@demo.comptoir.coop", "Erwan Tanguy", False, ["rucher-du-bocage"]),
    ("brasserie@demo.comptoir.coop", "Léa Bouvier", False, ["brasserie-des-landes"]),
    ("louis@demo.comptoir.coop", "Louis Garnier", False, []),
    ("emma@demo.comptoir.coop", "Emma Roussel", False, []),
    ("ines@demo.comptoir.coop", "Inès Benali", False, []),
]


def get_enterprise(slug: str) -> Enterprise:
    found = db.session.scalar(select(Enterprise).where(Enterprise.slug == slug))
    if found is None:
        raise LookupError(f"demo enterprise {slug!r} missing: run the accounts part first")
    return found


def get_user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    if found is None:
        raise LookupError(f"demo user {email!r} missing: run the accounts part first")
    return found


def seed() -> str:
    created = 0
    by_slug: dict[str, Enterprise] = {}
    for slug, name, producer, hub, kind, city, postcode, lat, lon, desc in ENTERPRISES:
        ent = db.session.scalar(select(Enterprise).where(Enterprise.slug == slug))
        if ent is None:
            ent = Enterprise(
                slug=slug,
                name=name,
                is_producer=producer,
                is_hub=hub,
                hub_kind=kind,
                city=city,
                postcode=postcode,
                department=department_of(postcode),
                latitude=Decimal(lat),
                longitude=Decimal(lon),
                description=desc,
                address="Lieu-dit " + name.split()[-1],
                contact_email=f"contact@{slug}.example",
                phone="02 99 00 00 00",
            )
            db.session.add(ent)
            created += 1
        by_slug[slug] = ent
    password_hash = hash_password(DEMO_PASSWORD)
    for email, full_name, is_admin, managed in USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                full_name=full_name,
                is_admin=is_admin,
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                locale="fr",
            )
            db.session.add(user)
            created += 1
        db.session.flush()
        for slug in managed:
            enterprise = by_slug[slug]
            exists = db.session.scalar(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.enterprise_id == enterprise.id
                )
            )
            if exists is None:
                db.session.add(
                    Membership(user=user, enterprise=enterprise, role=MembershipRole.owner)
                )
    db.session.flush()
    return f"accounts and enterprises ({created} created)"
