"""Shopfront, cart, checkout, confirmation and the citizen's orders (HTML)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, selectinload

from accounts.ratelimit import client_ip
from core.db import db
from core.errors import DomainError, json_error
from core.forms import choices
from core.hardening import bounded_int, id_from
from core.security import require
from core.timeutils import utcnow
from core.views import load, redirect_on_error
from cycles.models import OrderCycle, PickupWindow
from cycles.permissions import shop_is_public
from cycles.services import require_open
from hubs.terms.services import ensure_current_terms
from orders import fulfilment, services, shop, shop_labels
from orders import guest_links as guest_links_service
from orders.errors import InsufficientStock, SlotFull, UnusualQuantity
from orders.forms import CheckoutForm, GuestLinksForm, PlaceOrderForm
from orders.history import Actor, timeline
from orders.models import Order, OrderStatus, PaymentMethod
from orders.permissions import can_view_order, is_buyer, token_grants

bp = Blueprint("orders", __name__)

GUEST_ORDERS_KEY = "guest_orders"
CARTS_KEY = "carts"
CHECKOUT_KEY = "checkout"


# --------------------------------------------------------------------------- helpers


def _user():
    return current_user if current_user.is_authenticated else None


def _load_cycle(cycle_id: int) -> OrderCycle:
    """The cycle of a shop page: 404 unless citizens may see its shop."""
    return load(OrderCycle, cycle_id, where=shop_is_public, options=[joinedload(OrderCycle.hub)])


def _guest_items(cycle: OrderCycle) -> dict[int, int]:
    raw = session.get(CARTS_KEY, {}).get(str(cycle.id), {})
    return {int(k): int(v) for k, v in raw.items() if str(k).isdigit()}


def _store_guest_items(cycle: OrderCycle, items: dict[int, int]) -> None:
    carts = dict(session.get(CARTS_KEY, {}))
    if items:
        carts[str(cycle.id)] = {str(k): v for k, v in items.items()}
    else:
        carts.pop(str(cycle.id), None)
    session[CARTS_KEY] = carts


def cart_items(cycle: OrderCycle) -> dict[int, int]:
    user = _user()
    if user is not None:
        return services.get_cart_items(user, cycle)
    return _guest_items(cycle)


# who gets what of an order's lines (templates/orders/_lines.html): the rule is pricing's
bp.add_app_template_global(services.pricing.order_breakdown, "order_breakdown")


def guest_order_ids() -> list[int]:
    return [int(i) for i in session.get(GUEST_ORDERS_KEY, [])]


def _remember_guest_order(order: Order) -> None:
    ids = guest_order_ids()
    if order.id not in ids:
        session[GUEST_ORDERS_KEY] = ([*ids, order.id])[-20:]


def load_order(order_id: int) -> Order:
    """The order if the caller may see it (404 otherwise: someone else's order stays hidden)."""
    # not core.views.load: a link to a missing order is answered like an expired one
    order = db.session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .options(
            joinedload(Order.hub),
            joinedload(Order.cycle),
            joinedload(Order.pickup_window).joinedload(PickupWindow.distribution_point),
            joinedload(Order.pickup_slot),
            selectinload(Order.lines),
        )
    )
    token = request.args.get("t")
    granted = order is not None and token_grants(order, token)
    if order is not None and granted and order.customer_id is None:
        _remember_guest_order(order)
    elif order is not None and granted and not current_user.is_authenticated:
        flash(_("Log in to see this order."), "info")
        abort(redirect(url_for("accounts.login", next=request.path)))
    elif token and (order is None or not can_view_order(_user(), order, guest_order_ids())):
        # an expired (30 days after the pickup) or mistyped link: said the same way whether
        # the order exists or not
        flash(
            _(
                "This order link does not work (any more): a link works until 30 days after "
                "the pickup. Ask for the links to your current orders here."
            ),
            "error",
        )
        abort(redirect(url_for("orders.guest_links")))
    if order is None:
        abort(404)
    require(can_view_order(_user(), order, guest_order_ids()), hide=True)
    return order


def _int_arg(name: str, default: int | None = None) -> int | None:
    value = request.values.get(name, "")
    try:
        return bounded_int(value)
    except (TypeError, ValueError):
        return default


def _safe_back(default: str) -> str:
    from core.security import safe_next_url

    return safe_next_url(request.form.get("next"), default)


def _back_to_shop() -> str:
    """The page the cart form was sent from (``next``), else the shop."""
    return _safe_back(url_for("orders.shop", cycle_id=(request.view_args or {})["cycle_id"]))


@bp.record_once
def _connect_signals(state) -> None:
    user_logged_in.connect(_merge_cart_on_login, state.app, weak=False)


def _merge_cart_on_login(app, user, **extra: Any) -> None:
    carts = session.pop(CARTS_KEY, None)
    if not carts:
        return
    parsed = {
        int(cycle_id): {int(k): int(v) for k, v in items.items()}
        for cycle_id, items in carts.items()
        if str(cycle_id).isdigit()
    }
    try:
        services.merge_guest_cart(user, parsed)
    except Exception:  # noqa: BLE001 - never block a login over a cart
        db.session.rollback()
        current_app.logger.exception("guest cart not merged for user %s", user.id)


# --------------------------------------------------------------------------- shopfront and cart


def shop_view(cycle_id: int):
    cycle = _load_cycle(cycle_id)
    now = utcnow()
    q = request.args.get("q", "").strip()[:100]
    producer_id = _int_arg("producer")
    category = request.args.get("category", "")[:120]
    label = request.args.get("label", "")[:120]
    sort = request.args.get("sort", "producer")
    if sort not in shop.SORTS:
        sort = "producer"
    page = _int_arg("page", 1) or 1
    is_open = cycle.is_open(now)
    filters = {"q": q, "producer": producer_id or "", "category": category, "sort": sort}
    filters["label"] = label
    filters = {k: v for k, v in filters.items() if v}
    searching = bool(q or producer_id or category or label)
    max_age = current_app.config.get("SHOP_CACHE_SECONDS", 0)
    key = (cycle.id, q, producer_id, category, label, sort, page, str(get_locale()), is_open)
    content = shop.fragments.get(key, max_age) if max_age else None
    if content is None:
        result = shop.shop_page(
            cycle,
            q=q,
            producer_id=producer_id,
            category=category,
            label=label,
            sort=sort,
            page=page,
            facets_max_age=max_age,
        )
        windows = list(
            db.session.scalars(
                select(PickupWindow)
                .where(PickupWindow.cycle_id == cycle.id)
                .options(joinedload(PickupWindow.distribution_point))
                .order_by(PickupWindow.starts_at)
            )
        )
        # a closed (or empty) shop says when the hub opens next and where one may order now
        elsewhere = (
            shop.other_cycles(cycle, now)
            if not is_open or (result.total == 0 and not searching)
            else None
        )
        content = render_template(
            "orders/_shop_content.html",
            cycle=cycle,
            hub=cycle.hub,
            page=result,
            windows=windows,
            is_open=is_open,
            state=cycle.state_at(now).value,
            elsewhere=elsewhere,
            searching=searching,
            filters=filters,
            low_stock=shop.LOW_STOCK,
            label_facets=shop_labels.label_facets(cycle, max_age),
            **shop.MARKS,
        )
        if max_age:
            shop.fragments.put(key, content)
    items = cart_items(cycle)
    note = session.get(SHOP_NOTE_KEY)
    notes: dict[int, tuple[str, str]] = {}
    if isinstance(note, dict) and note.get("cycle") == cycle.id:
        session.pop(SHOP_NOTE_KEY, None)
        # said right after the "Add" it answers, not on a later visit
        if now.timestamp() - float(note.get("at", 0)) < SHOP_NOTE_SECONDS:
            notes[int(note["offer"])] = (str(note["kind"]), str(note["text"]))
    filled = shop.fill_fragment(
        content,
        csrf=generate_csrf(),
        next_path=request.full_path,
        cart_count=sum(items.values()),
        cart_labels={oid: _in_cart_label(n) for oid, n in items.items()},
        notes=notes,
    )
    # the content is rendered by our autoescaped templates; fill_fragment escapes what it adds
    return render_template(
        "orders/shop.html",
        hub=cycle.hub,
        content=Markup(filled),  # noqa: S704
        # the header's cart: this cycle's while it is open, else the visitor's open carts
        cart_cycle=cycle if is_open else None,
        cart_count=sum(items.values()) if is_open else None,
    )


bp.add_url_rule("/cycles/<int:cycle_id>/shop", "shop", shop_view)

#: the session key of the message a no-JavaScript "Add" leaves for its card
SHOP_NOTE_KEY = "shop_note"
SHOP_NOTE_SECONDS = 60


def _in_cart_label(quantity: int) -> str:
    """What the "Add" button of an item in the cart says after "Add": " (2 in cart)"."""
    return " (" + _("%(n)d in cart", n=quantity) + ")" if quantity > 0 else ""


def _wants_json() -> bool:
    """The shop's script asks for JSON (add in place); a form without JavaScript does not."""
    return request.accept_mimetypes.best == "application/json"


def _back_to_card(cycle: OrderCycle, offer_id: int | None, kind: str, text: str):
    """Without JavaScript: back to the page the form was on, at the item's card, which shows
    the message (a page other than the shop gets it as a flash message)."""
    back = _back_to_shop()
    shop_path = url_for("orders.shop", cycle_id=cycle.id)
    if offer_id is not None and back.split("?", 1)[0] == shop_path:
        session[SHOP_NOTE_KEY] = {
            "cycle": cycle.id,
            "offer": offer_id,
            "kind": kind,
            "text": text,
            "at": utcnow().timestamp(),
        }
        return redirect(f"{back}#add-{offer_id}"), 303
    flash(text, kind)
    return redirect(back), 303


def _confirm_quantities(
    cycle: OrderCycle, questions: list[str], *, action: str, fields: dict[str, Any], back: str
):
    """Without JavaScript, quantities far above usual are confirmed on a page of their own:
    the same form again (``fields``, with the confirmation) or back where it came from."""
    return render_template(
        "orders/confirm_quantity.html",
        cycle=cycle,
        hub=cycle.hub,
        questions=questions,
        action=action,
        fields=fields,
        back=back,
    ), 409


@bp.post("/cycles/<int:cycle_id>/cart/items")
def cart_add(cycle_id: int):
    """Add to the cart (or set with ``mode=set``): JSON for the shop's script (the page stays
    where it is), else back to the item's card. A quantity far above usual is confirmed first
    (``confirm=1``): in the page by the script, on a page of its own without JavaScript. The
    refusals are answered here (JSON or on the card), not by a decorator."""
    cycle = _load_cycle(cycle_id)
    offer_id = _int_arg("offer_id")
    quantity = _int_arg("quantity", 1)
    as_json = _wants_json()
    if offer_id is None or quantity is None or quantity < 0:
        message = _("Please enter a valid quantity.")
        if as_json:
            return json_error("invalid_quantity", message, 422, {"quantity": message})
        return _back_to_card(cycle, offer_id, "error", message)
    try:
        change = services.set_cart_quantity(
            cycle=cycle,
            user=_user(),
            # a saved cart is read under its lock by the service: only a guest's is passed
            items=_guest_items(cycle) if _user() is None else None,
            offer_id=offer_id,
            quantity=quantity,
            add=request.form.get("mode") != "set",
            ask_unusual=request.form.get("confirm") != "1",
            now=utcnow(),
        )
    except UnusualQuantity as exc:
        db.session.rollback()
        if as_json:
            return json_error(exc.code, str(exc.message), exc.status, exc.fields)
        fields = {
            "offer_id": offer_id,
            "quantity": quantity,
            "mode": "set" if request.form.get("mode") == "set" else "add",
            "next": _back_to_shop(),
            "confirm": 1,
        }
        return _confirm_quantities(
            cycle,
            [str(exc.message)],
            action=url_for("orders.cart_add", cycle_id=cycle.id),
            fields=fields,
            back=f"{_back_to_shop()}#add-{offer_id}",
        )
    except DomainError as exc:
        db.session.rollback()
        if as_json:
            return json_error(exc.code, str(exc.message), exc.status, exc.fields)
        return _back_to_card(cycle, offer_id, "error", str(exc.message))
    if _user() is None:
        _store_guest_items(cycle, change.items)
    if change.capped:
        kind, message = "warning", change.message
    elif change.quantity:
        kind, message = "success", _("Added to your cart.")
    else:
        kind, message = "success", _("Removed from your cart.")
    if as_json:
        count = sum(change.items.values())
        return {
            "offer_id": offer_id,
            "quantity": change.quantity,
            "label": _in_cart_label(change.quantity),
            "cart_count": count,
            "kind": kind,
            "message": message,
            "sold_out": change.available is not None and change.available <= 0,
        }
    return _back_to_card(cycle, offer_id, kind, message)


@bp.get("/cycles/<int:cycle_id>/cart")
def cart(cycle_id: int):
    cycle = _load_cycle(cycle_id)
    view = services.build_cart(cycle, cart_items(cycle))
    is_open = cycle.is_open(utcnow())
    for notice in dict.fromkeys(view.notices):
        flash(notice, "warning")
    return render_template(
        "orders/cart.html",
        cycle=cycle,
        hub=cycle.hub,
        cart=view,
        cart_cycle=cycle if is_open else None,
        cart_count=view.count if is_open else None,
        is_open=is_open,
        breakdown=services.pricing.breakdown,
        producers_share=services.pricing.producers_share_cents,
    )


def _open_carts() -> list[services.OpenCart]:
    """The visitor's carts in open cycles, once per request (the header shows them)."""
    if "open_carts" not in g:
        guest = {
            int(cid): {int(k): int(v) for k, v in items.items() if str(k).isdigit()}
            for cid, items in session.get(CARTS_KEY, {}).items()
            if str(cid).isdigit()
        }
        try:
            g.open_carts = services.open_carts(_user(), guest, utcnow())
        except SQLAlchemyError:  # the header never breaks a page (the error page included)
            db.session.rollback()
            current_app.logger.exception("the header's cart could not be read")
            g.open_carts = []
    return list(g.open_carts)


def cart_indicator(
    cycle: OrderCycle | None = None, count: int | None = None
) -> dict[str, Any] | None:
    """The header's cart link: on a shop or cart page (``cycle``) that cycle's cart; elsewhere
    the visitor's open cart, or the list of them when there are several; None without one."""
    if cycle is not None:
        if count is None:
            count = next((c.count for c in _open_carts() if c.cycle.id == cycle.id), 0)
        return {"count": count, "url": url_for("orders.cart", cycle_id=cycle.id), "several": False}
    carts = _open_carts()
    if not carts:
        return None
    if len(carts) == 1:
        url = url_for("orders.cart", cycle_id=carts[0].cycle.id)
    else:
        url = url_for("orders.carts")
    return {"count": sum(c.count for c in carts), "url": url, "several": len(carts) > 1}


bp.add_app_template_global(cart_indicator, "cart_indicator")


@bp.get("/carts")
def carts():
    """The visitor's carts in the cycles open now (the header links here when there are
    several: one per hub, or two cycles of one hub)."""
    return render_template("orders/carts.html", carts=_open_carts())


@bp.post("/cycles/<int:cycle_id>/cart")
def cart_update(cycle_id: int):
    """Update every quantity of the cart at once (fields ``qty-<offer_id>``)."""
    cycle = _load_cycle(cycle_id)
    items = cart_items(cycle)
    messages: list[str] = []
    # quantities far above usual the citizen confirmed (``confirm-<offer_id>``), and those to ask
    confirmed = {id_from(key[8:]) for key in request.form if key.startswith("confirm-")}
    unusual: dict[int, tuple[int, str]] = {}
    now = utcnow()
    for key, value in request.form.items():
        offer_id = id_from(key[4:]) if key.startswith("qty-") else None
        if offer_id is None:
            continue
        try:
            quantity = max(0, bounded_int(value))
        except ValueError:
            flash(_("Please enter a valid quantity."), "error")
            return redirect(url_for("orders.cart", cycle_id=cycle.id)), 303
        if items.get(offer_id) == quantity:
            continue
        try:
            change = services.set_cart_quantity(
                cycle=cycle,
                user=_user(),
                items=items,
                offer_id=offer_id,
                quantity=quantity,
                ask_unusual=offer_id not in confirmed,
                now=now,
            )
        except UnusualQuantity as exc:  # nothing changed for this item: asked below
            db.session.rollback()
            unusual[offer_id] = (quantity, str(exc.message))
            continue
        except DomainError as exc:
            db.session.rollback()
            items.pop(offer_id, None)
            messages.append(str(exc.message))
            continue
        items = change.items
        if change.capped:
            messages.append(change.message)
    if _user() is None:
        _store_guest_items(cycle, items)
    for message in messages:
        flash(message, "warning")
    if unusual:  # the other quantities are saved; these wait for a "yes"
        fields: dict[str, Any] = {}
        for offer_id, (quantity, _message) in unusual.items():
            fields[f"qty-{offer_id}"] = quantity
            fields[f"confirm-{offer_id}"] = 1
        return _confirm_quantities(
            cycle,
            [message for _quantity, message in unusual.values()],
            action=url_for("orders.cart_update", cycle_id=cycle.id),
            fields=fields,
            back=url_for("orders.cart", cycle_id=cycle.id),
        )
    if not messages:
        flash(_("Your cart was updated."), "success")
    return redirect(url_for("orders.cart", cycle_id=cycle.id)), 303


# --------------------------------------------------------------------------- checkout


def _method_labels() -> dict[str, str]:
    return {
        PaymentMethod.card.value: _("Pay now by card"),
        PaymentMethod.at_pickup.value: _("Pay at pickup (cash, cheque or card on site)"),
    }


def _checkout_state(cycle: OrderCycle) -> dict[str, Any]:
    return dict(session.get(CHECKOUT_KEY, {}).get(str(cycle.id), {}))


def _save_checkout_state(cycle: OrderCycle, state: dict[str, Any] | None) -> None:
    all_states = dict(session.get(CHECKOUT_KEY, {}))
    if state is None:
        all_states.pop(str(cycle.id), None)
    else:
        all_states[str(cycle.id)] = state
    session[CHECKOUT_KEY] = all_states


@bp.route("/cycles/<int:cycle_id>/checkout", methods=["GET", "POST"])
@redirect_on_error("orders.shop")
def checkout(cycle_id: int):
    cycle = _load_cycle(cycle_id)
    require_open(cycle, utcnow())
    view = services.build_cart(cycle, cart_items(cycle))
    if not view.lines:
        flash(_("Your cart is empty."), "warning")
        return redirect(url_for("orders.shop", cycle_id=cycle.id))
    pickups = fulfilment.options_for(cycle)
    methods = services.allowed_payment_methods(cycle)
    labels = _method_labels()
    form = CheckoutForm(data=_checkout_state(cycle) if request.method == "GET" else None)
    form.pickup.choices = choices((o.value, "") for group in pickups for o in group.options)
    form.payment_method.choices = choices((m.value, labels[m.value]) for m in methods)
    if len(methods) == 1 and not form.payment_method.data:
        form.payment_method.data = methods[0].value
    if form.validate_on_submit():
        errors = False
        if _user() is None:
            if not form.guest_email.data:
                form.guest_email.errors = [
                    *form.guest_email.errors,
                    _("An e-mail address is required."),
                ]
                errors = True
            if not (form.guest_name.data or "").strip():
                form.guest_name.errors = [*form.guest_name.errors, _("Your name is required.")]
                errors = True
        option = fulfilment.chosen(cycle, form.pickup.data)
        if option is not None and option.is_full:
            form.pickup.errors = [*form.pickup.errors, str(SlotFull.message)]
            errors = True
        if not errors:
            _save_checkout_state(
                cycle,
                {
                    "pickup": form.pickup.data,
                    "payment_method": form.payment_method.data,
                    "guest_name": form.guest_name.data or "",
                    "guest_email": (form.guest_email.data or "").strip().lower(),
                    "guest_phone": form.guest_phone.data or "",
                    "customer_note": form.customer_note.data or "",
                },
            )
            return redirect(url_for("orders.review", cycle_id=cycle.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "orders/checkout.html",
            cycle=cycle,
            hub=cycle.hub,
            cart=view,
            form=form,
            pickups=pickups,
            methods=methods,
        ),
        status,
    )


def _review_context(cycle: OrderCycle):
    state = _checkout_state(cycle)
    if not state.get("pickup"):
        return None
    option = fulfilment.chosen(cycle, state["pickup"])
    if option is None:
        return None
    return state, option


@bp.get("/cycles/<int:cycle_id>/checkout/review")
def review(cycle_id: int):
    cycle = _load_cycle(cycle_id)
    view = services.build_cart(cycle, cart_items(cycle))
    context = _review_context(cycle)
    if not view.lines or context is None:
        return redirect(url_for("orders.checkout", cycle_id=cycle.id))
    state, option = context
    terms = ensure_current_terms(cycle.hub)
    form = PlaceOrderForm(idempotency_key=uuid.uuid4().hex, sales_terms_id=terms.id)
    return render_template(
        "orders/review.html",
        cycle=cycle,
        hub=cycle.hub,
        terms=terms,
        cart=view,
        form=form,
        state=state,
        option=option,
        method_label=_method_labels().get(state.get("payment_method", ""), ""),
        breakdown=services.pricing.breakdown,
    )


@bp.post("/cycles/<int:cycle_id>/checkout/place")
@redirect_on_error(
    "orders.review",
    status=303,
    by_error={InsufficientStock: "orders.cart", SlotFull: "orders.checkout"},
)
def place(cycle_id: int):
    cycle = _load_cycle(cycle_id)
    form = PlaceOrderForm()
    context = _review_context(cycle)
    if context is None:
        return redirect(url_for("orders.checkout", cycle_id=cycle.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("orders.review", cycle_id=cycle.id)), 303
    state, option = context
    user = _user()
    order = services.place_order(
        cycle=cycle,
        customer=user,
        items=list(cart_items(cycle).items()),
        pickup_window_id=option.window.id,
        pickup_slot_id=option.slot_id,
        payment_method=state.get("payment_method", ""),
        idempotency_key=form.idempotency_key.data,
        terms_accepted=bool(form.accept_terms.data),
        now=utcnow(),
        guest_email=state.get("guest_email", ""),
        guest_name=state.get("guest_name", ""),
        guest_phone=state.get("guest_phone", ""),
        customer_note=state.get("customer_note", ""),
        sales_terms_id=form.sales_terms_id.data,
    )
    if user is None:
        _remember_guest_order(order)
        _store_guest_items(cycle, {})
    _save_checkout_state(cycle, None)
    if order.payment_method is PaymentMethod.card and order.status is OrderStatus.pending_payment:
        return redirect(url_for("payments.pay", order_id=order.id)), 303
    return redirect(url_for("orders.confirmation", order_id=order.id)), 303


# --------------------------------------------------------------------------- after ordering


@bp.get("/orders/<int:order_id>/confirmation")
def confirmation(order_id: int):
    order = load_order(order_id)
    return render_template("orders/confirmation.html", order=order, hub=order.hub)


@bp.get("/orders/<int:order_id>")
def detail(order_id: int):
    order = load_order(order_id)
    now = utcnow()
    buyer = is_buyer(_user(), order, guest_order_ids())
    return render_template(
        "orders/detail.html",
        order=order,
        hub=order.hub,
        can_change=buyer and services.can_citizen_change(order, now),
        can_edit=buyer
        and services.can_citizen_change(order, now)
        and order.payment_method is PaymentMethod.at_pickup
        and order.payment_status.value == "unpaid",
        breakdown=services.pricing.breakdown,
        line_fee=services.pricing.line_hub_fee_cents,
        history=timeline(order, for_hub=False),
    )


@bp.get("/orders")
@login_required
def history():
    return render_template("orders/history.html", orders=services.orders_of(current_user))


@bp.post("/orders/<int:order_id>/cancel")
@redirect_on_error("orders.detail", status=303)
def cancel(order_id: int):
    order = load_order(order_id)
    require(is_buyer(_user(), order, guest_order_ids()), hide=True)
    if not services.can_citizen_change(order, utcnow()):
        flash(_("This order can no longer be cancelled."), "error")
        return redirect(url_for("orders.detail", order_id=order.id)), 303
    services.cancel_order(
        order, by=Actor.citizen(_user(), order), reason="cancelled by the customer"
    )
    flash(_("Your order was cancelled."), "success")
    return redirect(url_for("orders.detail", order_id=order.id)), 303


@bp.route("/orders/<int:order_id>/edit", methods=["GET", "POST"])
@redirect_on_error("orders.edit", status=303)
def edit(order_id: int):
    order = load_order(order_id)
    require(is_buyer(_user(), order, guest_order_ids()), hide=True)
    if request.method == "POST":
        changes: dict[int, int] = {}
        for key, value in request.form.items():
            offer_id = id_from(key[4:]) if key.startswith("qty-") else None
            if offer_id is not None:
                try:
                    changes[offer_id] = max(0, bounded_int(value))
                except ValueError:
                    flash(_("Please enter a valid quantity."), "error")
                    return redirect(url_for("orders.edit", order_id=order.id)), 303
        order = services.update_order_lines(order, changes, actor=_user())
        flash(_("Your order was updated."), "success")
        return redirect(url_for("orders.detail", order_id=order.id)), 303
    if not services.can_citizen_change(order, utcnow()):
        flash(_("This order can no longer be changed."), "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    return render_template("orders/edit.html", order=order, hub=order.hub)


@bp.route("/orders/<int:order_id>/pickup", methods=["GET", "POST"])
def change_pickup(order_id: int):
    """The citizen chooses another pickup window or slot (orders.lifecycle.change_pickup)."""
    order = load_order(order_id)
    require(is_buyer(_user(), order, guest_order_ids()), hide=True)
    if request.method == "POST":
        try:
            services.change_pickup(order, request.form.get("pickup", ""), actor=_user())
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("orders.change_pickup", order_id=order_id)), 303
        flash(_("Your pickup time was changed."), "success")
        return redirect(url_for("orders.detail", order_id=order_id)), 303
    if not services.can_citizen_change(order, utcnow()):
        flash(_("This order can no longer be changed."), "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    return render_template(
        "orders/change_pickup.html",
        order=order,
        hub=order.hub,
        pickups=fulfilment.options_for(order.cycle),
        current=order.fulfilment.value,
    )


@bp.route("/orders/links", methods=["GET", "POST"])
def guest_links():
    """A guest gets their order links again by e-mail (the page never tells whether the address
    has orders)."""
    form = GuestLinksForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        guest_links_service.send_guest_links(email, locale=str(get_locale()), ip=client_ip())
        return render_template("orders/guest_links.html", form=form, sent_to=email)
    status = 422 if form.errors else 200
    return render_template("orders/guest_links.html", form=form, sent_to=None), status
