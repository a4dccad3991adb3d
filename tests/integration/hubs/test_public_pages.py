"""What visitors see on the public pages (issue 19, item 6): a hub's one page (and the redirect
of its other address), a producer's page, "mes comptoirs", the map, and "no hub near you" with
its request form. French pages (the default locale)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from core.timeutils import utcnow
from hubs import services
from hubs.models import HubFollower, HubRequest, LinkStatus
from products.photos import add_photo
from tests.factories import (
    CycleOfferFactory,
    DistributionPointFactory,
    HubFactory,
    MembershipFactory,
    OrderCycleFactory,
    PickupWindowFactory,
    ProducerFactory,
    ProducerHubLinkFactory,
    ProductFactory,
    UserFactory,
    VariantFactory,
)
from tests.querycount import count_queries
from tests.support.images import photo_bytes


def _text(resp) -> str:
    return resp.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ")


def _offer(producer, cycle, name, **offer):
    variant = VariantFactory(product=ProductFactory(producer=producer, name=name))
    return CycleOfferFactory(cycle=cycle, variant=variant, **offer)


# --------------------------------------------------------------------------- the hub's page


def test_hub_page_tells_contact_points_hours_producers_and_the_open_cycle(client):
    hub = HubFactory(
        name="La Grange",
        description="Un tiers-lieu au bord du canal.",
        contact_email="bonjour@la-grange.example",
        phone="02 99 00 00 00",
    )
    point = DistributionPointFactory(
        hub=hub, name="Salle des fêtes", access_instructions="Entrée par la cour, à gauche."
    )
    DistributionPointFactory(hub=hub, name="Ancien point", active=False)
    cycle = OrderCycleFactory(hub=hub, name="Semaine 12")
    PickupWindowFactory(cycle=cycle, distribution_point=point)
    ProducerHubLinkFactory(hub=hub, producer=ProducerFactory(name="Ferme du Pré"))
    ProducerHubLinkFactory(
        hub=hub, producer=ProducerFactory(name="Ferme refusée"), status=LinkStatus.refused
    )
    ProducerHubLinkFactory(hub=hub, producer=ProducerFactory(name="Ferme fermée", is_active=False))
    db.session.commit()

    page = _text(client.get(f"/hubs/{hub.id}"))

    assert "Un tiers-lieu au bord du canal." in page
    assert "bonjour@la-grange.example" in page
    assert 'href="tel:0299000000"' in page
    assert "Salle des fêtes" in page
    assert "Entrée par la cour, à gauche." in page
    assert "Ancien point" not in page
    assert "Prochains retraits :" in page
    assert "17:00–19:00" in page
    assert "Ferme du Pré" in page
    assert "Ferme refusée" not in page
    assert "Ferme fermée" not in page
    assert "Semaine 12" in page
    assert f'href="/cycles/{cycle.id}/shop"' in page
    # a visitor is invited to log in to follow
    assert "Connectez-vous pour suivre ce comptoir" in page


def test_hub_page_with_only_an_upcoming_cycle_says_when_it_opens_without_a_shop_link(client):
    now = utcnow()
    cycle = OrderCycleFactory(
        name="Semaine prochaine",
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=5),
    )
    db.session.commit()
    page = _text(client.get(f"/hubs/{cycle.hub.id}"))
    assert "Prochain cycle : Semaine prochaine." in page
    assert "Commandes ouvertes le" in page or "Ouverture des commandes" in page
    assert f"/cycles/{cycle.id}/shop" not in page
    assert "Suivez le comptoir pour recevoir un e-mail à l’ouverture." in page


def test_hub_page_without_cycle_point_or_producer_says_so(client):
    hub = HubFactory()
    db.session.commit()
    page = _text(client.get(f"/hubs/{hub.id}"))
    assert "Aucun cycle ouvert ou à venir." in page
    assert "Aucun point de retrait pour l'instant." in page
    assert "Aucun producteur pour l’instant." in page


def test_the_other_address_of_a_hub_redirects_permanently_to_its_page(client):
    hub = HubFactory(slug="la-grange")
    both = HubFactory(slug="ferme-et-comptoir", is_producer=True)
    db.session.commit()
    resp = client.get("/e/la-grange")
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith(f"/hubs/{hub.id}")
    assert client.get("/e/ferme-et-comptoir").headers["Location"].endswith(f"/hubs/{both.id}")


def test_a_deactivated_hub_is_hidden_from_visitors_but_not_from_its_managers(client, login_as):
    hub = HubFactory(slug="fermee", is_active=False)
    manager = UserFactory()
    MembershipFactory(user=manager, enterprise=hub)
    citizen = UserFactory()
    db.session.commit()
    assert client.get(f"/hubs/{hub.id}").status_code == 404
    assert client.get("/e/fermee").status_code == 404
    login_as(citizen)
    assert client.get(f"/hubs/{hub.id}").status_code == 404
    login_as(manager)
    page = _text(client.get(f"/hubs/{hub.id}"))
    assert hub.name in page
    assert "masqué" in page


def test_a_hub_that_also_produces_shows_its_own_products_on_its_page(client):
    hub = HubFactory(is_producer=True)
    cycle = OrderCycleFactory(hub=hub)
    _offer(hub, cycle, "Miel de châtaignier")
    db.session.commit()
    page = _text(client.get(f"/hubs/{hub.id}"))
    assert "Disponible en ce moment" in page
    assert "Miel de châtaignier" in page


# --------------------------------------------------------------------------- a producer's page


def test_producer_page_shows_story_products_on_offer_now_and_where(client, app):
    producer = ProducerFactory(
        name="Ferme des Saules", slug="saules", description="Trois générations de maraîchers."
    )
    near = HubFactory(name="Comptoir du Canal")
    other = HubFactory(name="Bar de la Gare")
    hidden = HubFactory(name="Comptoir masqué", is_active=False)
    for hub in (near, other):
        ProducerHubLinkFactory(producer=producer, hub=hub)
    open_here = OrderCycleFactory(hub=near)
    open_there = OrderCycleFactory(hub=other)
    now = utcnow()
    closed = OrderCycleFactory(
        hub=near, opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2)
    )
    offer = _offer(producer, open_here, "Carottes des sables")
    CycleOfferFactory(cycle=open_there, variant=offer.variant)
    _offer(producer, closed, "Poireaux d'hiver")
    _offer(producer, open_here, "Courges épuisées", stock_cap=0)
    _offer(producer, open_here, "Radis retirés", active=False)
    _offer(producer, OrderCycleFactory(hub=hidden), "Navets cachés")
    with_photo = _offer(producer, open_here, "Pommes Reinette")
    db.session.commit()
    photo = add_photo(with_photo.variant.product, io.BytesIO(photo_bytes()), alt="Pommes au panier")

    resp = client.get("/e/saules")
    page = _text(resp)

    assert resp.status_code == 200
    assert "Notre histoire" in page
    assert "Trois générations de maraîchers." in page
    assert "Carottes des sables" in page
    assert "Pommes Reinette" in page
    for absent in ("Poireaux d'hiver", "Courges épuisées", "Radis retirés", "Navets cachés"):
        assert absent not in page
    # where: both hubs' shops, filtered on the producer
    assert f'href="/cycles/{open_here.id}/shop?producer={producer.id}"' in page
    assert f'href="/cycles/{open_there.id}/shop?producer={producer.id}"' in page
    assert "Comptoir du Canal" in page
    assert "Bar de la Gare" in page
    assert f'src="/media/photos/{photo.key[:2]}/{photo.key}-' in page
    assert 'alt="Pommes au panier"' in page
    # the hubs it sells through, each linked to its one page
    assert f'href="/hubs/{near.id}"' in page


def test_producer_with_no_product_and_no_story_says_so(client):
    ProducerFactory(name="Ferme Neuve", slug="neuve", description="")
    db.session.commit()
    page = _text(client.get("/e/neuve"))
    assert "Ferme Neuve n’a pas encore raconté son histoire." in page
    assert "Rien à commander en ce moment." in page
    assert "Aucun comptoir ne vend encore ces produits." in page


def test_producer_page_queries_do_not_grow_with_products_and_hubs(client):
    producer = ProducerFactory(slug="grande")
    cycle = OrderCycleFactory()
    _offer(producer, cycle, "Premier")
    db.session.commit()
    with count_queries() as few:
        client.get("/e/grande")
    for i in range(6):
        other = OrderCycleFactory()
        ProducerHubLinkFactory(producer=producer, hub=other.hub)
        _offer(producer, other, f"Produit {i}")
        _offer(producer, cycle, f"Autre {i}")
    db.session.commit()
    with count_queries() as many:
        page = _text(client.get("/e/grande"))
    assert "Produit 5" in page
    assert many.count == few.count, str(many)


# --------------------------------------------------------------------------- following


def test_following_needs_a_login_and_mes_comptoirs_lists_the_followed_hubs(client, login_as):
    hub = HubFactory(name="La Grange")
    closed = HubFactory(name="Ancien comptoir", is_active=False)
    OrderCycleFactory(hub=hub, name="Semaine 3")
    citizen = UserFactory()
    db.session.commit()

    anonymous = client.post(f"/hubs/{hub.id}/follow")
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    assert client.get("/my/hubs").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(HubFollower)) == 0

    login_as(citizen)
    assert "Vous ne suivez encore aucun comptoir." in _text(client.get("/my/hubs"))
    assert 'href="/my/hubs"' in _text(client.get("/account"))
    client.post(f"/hubs/{hub.id}/follow")
    db.session.add(HubFollower(user_id=citizen.id, hub_id=closed.id))
    db.session.commit()
    # a deactivated hub cannot be followed anew, but an old follow is listed and can end
    assert client.post(f"/hubs/{closed.id}/follow").status_code in (403, 404)

    page = _text(client.get("/my/hubs"))
    assert "La Grange" in page
    assert "Semaine 3" in page
    assert "Ancien comptoir" in page
    assert "Ce comptoir n’est plus actif sur Comptoir." in page
    assert "Ne plus suivre" in page

    back = client.post(f"/hubs/{closed.id}/unfollow", data={"next": "/my/hubs"})
    assert back.headers["Location"].endswith("/my/hubs")
    evil = client.post(f"/hubs/{hub.id}/unfollow", data={"next": "https://evil.example/"})
    assert evil.headers["Location"].endswith(f"/hubs/{hub.id}")
    assert db.session.scalar(select(func.count()).select_from(HubFollower)) == 0


def test_a_follower_sees_the_unfollow_button_on_the_hub_page(client, login_as):
    hub = HubFactory()
    citizen = UserFactory()
    db.session.flush()
    db.session.add(HubFollower(user_id=citizen.id, hub_id=hub.id))
    db.session.commit()
    login_as(citizen)
    page = _text(client.get(f"/hubs/{hub.id}"))
    assert 'aria-pressed="true"' in page
    assert "Ne plus suivre" in page


# --------------------------------------------------------------------------- the map


def test_map_lists_hubs_and_producers_with_their_places_and_loads_our_leaflet(client, app):
    hub = HubFactory(name="La Grange", latitude=Decimal("48.11"), longitude=Decimal("-1.68"))
    pointed = HubFactory(name="Comptoir sans adresse", latitude=None, longitude=None)
    DistributionPointFactory(
        hub=pointed, latitude=Decimal("48.20"), longitude=Decimal("-1.50"), name="Mairie"
    )
    ProducerFactory(name="Ferme des Saules", latitude=Decimal("48.05"), longitude=Decimal("-1.9"))
    ProducerFactory(name="Ferme sans lieu", latitude=None, longitude=None)
    ProducerFactory(name="Ferme masquée", is_active=False)
    db.session.commit()

    resp = client.get("/map")
    page = _text(resp)

    assert resp.status_code == 200
    assert "Carte des comptoirs et des producteurs" in page
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page
    assert 'href="/static/vendor/leaflet/leaflet.css"' in page
    assert f'href="/hubs/{hub.id}"' in page
    assert 'data-kind="hub" data-name="Comptoir sans adresse"' in page
    assert 'data-lat="48.2" data-lon="-1.5"' in page  # from its distribution point
    assert "Ferme des Saules" in page
    assert "Ferme sans lieu" in page
    assert "Ferme masquée" not in page
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "OpenStreetMap" in page  # the attribution the tiles' licence requires
    # the tiles' origin is allowed on the map page only
    assert (
        "img-src 'self' data: https://tile.openstreetmap.org"
        in resp.headers["Content-Security-Policy"]
    )
    other = client.get("/hubs").headers["Content-Security-Policy"]
    assert "tile.openstreetmap.org" not in other


def test_map_tiles_are_configurable_and_a_subdomain_becomes_a_wildcard(client, app, monkeypatch):
    monkeypatch.setitem(
        app.config, "MAP_TILE_URL", "https://{s}.tile.example.org/osm/{z}/{x}/{y}.png"
    )
    monkeypatch.setitem(app.config, "MAP_TILE_ATTRIBUTION", "© Exemple")
    resp = client.get("/map")
    assert "https://*.tile.example.org" in resp.headers["Content-Security-Policy"]
    assert 'data-attribution="© Exemple"' in _text(resp)


def test_map_files_are_vendored_with_their_licence(app):
    from pathlib import Path

    folder = Path(app.static_folder) / "vendor" / "leaflet"
    for name in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png"):
        assert (folder / name).is_file(), name
    assert "Volodymyr Agafonkin" in (folder / "LICENSE").read_text()


# --------------------------------------------------------------------------- nothing near


@pytest.fixture
def postcodes(db_session):
    services.load_postcodes(departments=["35", "13"])


def test_far_from_every_hub_the_search_says_so_and_offers_to_ask(client, postcodes):
    HubFactory(name="La Grange")  # in Rennes
    db.session.commit()
    far = _text(client.get("/hubs?postcode=13001"))
    assert "Aucun comptoir près de chez vous" in far
    assert "Aucun comptoir à moins de 50 km de 13001 Marseille" in far
    assert "Le plus proche est à" in far
    assert 'action="/hubs/ask"' in far
    assert 'name="postcode" type="hidden" value="13001"' in far
    assert 'value="13001 Marseille' in far
    assert "Comptoirs plus éloignés" in far
    assert "La Grange" in far
    assert 'data-testid="nothing-near"' in far
    near = _text(client.get("/hubs?postcode=35000"))
    assert 'data-testid="nothing-near"' not in near
    assert "La Grange" in near
    # no search yet: no verdict either
    assert 'data-testid="nothing-near"' not in _text(client.get("/hubs"))


def test_asking_for_a_hub_records_the_request_for_the_admins(client, login_as, postcodes):
    resp = client.post(
        "/hubs/ask",
        data={
            "place": "13001 Marseille",
            "postcode": "13001",
            "email": "Camille@Example.org",
            "message": "Des légumes le jeudi soir ?",
        },
    )
    assert resp.status_code == 302
    request = db.session.scalar(select(HubRequest))
    assert (request.place, request.postcode, request.email) == (
        "13001 Marseille",
        "13001",
        "camille@example.org",
    )
    assert request.latitude is not None
    assert "Merci : votre demande est enregistrée." in _text(client.get(resp.headers["Location"]))
    anonymous = client.post("/hubs/ask", data={"place": "Gap", "postcode": "<b>99"})
    assert anonymous.status_code == 302  # the e-mail is optional; a bad postcode is ignored
    gap = db.session.scalar(select(HubRequest).where(HubRequest.place == "Gap"))
    assert (gap.email, gap.postcode, gap.latitude) == ("", "", None)

    login_as(UserFactory())
    assert client.get("/admin/coop/hub-requests").status_code == 403
    login_as(UserFactory(is_admin=True))
    page = _text(client.get("/admin/coop/hub-requests"))
    assert "Des légumes le jeudi soir ?" in page
    assert "camille@example.org" in page
    assert "Gap" in page
    assert "365 jours" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"place": "", "email": "a@example.org"}, "place"),
        ({"place": "   "}, "place"),
        ({"place": "Gap", "email": "pas-une-adresse"}, "email"),
        ({"place": "x" * 121}, "place"),
        ({"place": "Gap", "message": "m" * 2001}, "message"),
    ],
)
def test_a_bad_request_for_a_hub_is_refused_and_nothing_is_written(client, data, field):
    resp = client.post("/hubs/ask", data=data)
    assert resp.status_code == 422
    assert f'id="{field}-error"' in _text(resp)
    assert "Veuillez corriger les erreurs" in _text(resp) or "Corrigez" in _text(resp)
    assert db.session.scalar(select(func.count()).select_from(HubRequest)) == 0


def test_the_service_checks_the_request_too(db_session):
    from hubs.errors import HubRequestInvalid

    with pytest.raises(HubRequestInvalid) as refused:
        services.request_hub(place="  ", email="nope", message="m" * 2001)
    assert set(refused.value.fields) == {"place", "email", "message"}
    assert db.session.scalar(select(func.count()).select_from(HubRequest)) == 0


def test_requests_for_a_hub_are_rate_limited_per_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {"hub_request": [("ip", 2, 3600)]})
    for _ in range(2):
        assert client.post("/hubs/ask", data={"place": "Gap"}).status_code == 302
    refused = client.post("/hubs/ask", data={"place": "Gap"})
    assert refused.status_code == 429
    assert "Trop de demandes" in _text(refused)
    assert db.session.scalar(select(func.count()).select_from(HubRequest)) == 2


def test_requests_for_a_hub_are_deleted_after_a_year(app, db_session):
    now = utcnow()
    db.session.add_all(
        [
            HubRequest(place="Vieux", created_at=now - timedelta(days=366)),
            HubRequest(place="Récent", created_at=now - timedelta(days=300)),
        ]
    )
    db.session.commit()
    assert services.purge_hub_requests(now=now) == 1
    assert [r.place for r in db.session.scalars(select(HubRequest))] == ["Récent"]
    result = app.test_cli_runner().invoke(args=["hubs", "purge-requests"])
    assert "0 request(s)" in result.output


def test_the_privacy_policy_says_how_long_a_request_for_a_hub_is_kept(client):
    page = _text(client.get("/privacy"))
    assert f"effacés {services.REQUEST_RETENTION_DAYS} jours après la demande" in page
