"""Enterprise pages: create, edit, logo, public page, manager dashboard, team, admin list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from accounts.ratelimit import RateLimited, client_ip
from core.db import db
from core.errors import DomainError
from core.security import require
from core.views import domain_errors, load, redirect_on_error
from enterprises import services
from enterprises.errors import InvalidLogo
from enterprises.forms import EmptyForm, EnterpriseForm, InviteForm, RoleForm
from enterprises.models import Enterprise, Invitation, Membership, MembershipRole
from enterprises.permissions import (
    can_create_enterprise,
    can_list_all_enterprises,
    can_manage_enterprise,
    can_manage_team,
    can_remove_member,
    can_view_enterprise,
    is_admin,
)

bp = Blueprint("enterprises", __name__)

#: keyword names tried, in order, to build another domain's management link for an enterprise
_ID_KWARGS = ("enterprise_id", "hub_id", "producer_id")


@bp.app_context_processor
def enterprise_helpers() -> dict[str, Any]:
    def manage_url(endpoint: str, enterprise: Enterprise) -> str | None:
        """The URL of another domain's management page for this enterprise, or None when this
        deployment has no such page (templates/enterprises/_manage_links.html)."""
        if endpoint not in current_app.view_functions:
            return None
        for name in _ID_KWARGS:
            try:
                values: dict[str, Any] = {name: enterprise.id}
                return url_for(endpoint, **values)
            except BuildError:
                continue
        return None

    def logo_url(enterprise: Enterprise) -> str | None:
        if not enterprise.logo_path:
            return None
        filename = enterprise.logo_path.removeprefix("enterprises/")
        return url_for("enterprises.logo", filename=filename)

    return {"manage_url": manage_url, "enterprise_logo_url": logo_url}


#: the services' field names the forms call otherwise
FORM_FIELDS = {"roles": "is_producer"}


def _input(form: EnterpriseForm) -> services.EnterpriseInput:
    return services.EnterpriseInput.from_mapping(
        {name: field.data for name, field in form._fields.items()}
    )


def _managed(enterprise_id: int) -> Enterprise:
    return load(
        Enterprise,
        enterprise_id,
        allow=lambda enterprise: can_manage_enterprise(current_user, enterprise),
    )


# --------------------------------------------------------------------------- manager pages


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template(
        "enterprises/dashboard.html",
        managed=services.list_managed(current_user),
        can_create=can_create_enterprise(current_user),
        admin=is_admin(current_user),
    )


@bp.route("/enterprises/new", methods=["GET", "POST"])
@login_required
def new():
    if not can_create_enterprise(current_user):
        return render_template("enterprises/confirm_first.html"), 403
    form = EnterpriseForm()
    if form.validate_on_submit():
        with domain_errors(form, FORM_FIELDS) as attempt:
            enterprise = services.create_enterprise(current_user, _input(form))
        if attempt.ok:
            logo_ok = _save_logo(form, enterprise)
            flash(
                _(
                    "%(name)s is created. Complete its page, then set up what it sells.",
                    name=enterprise.name,
                ),
                "success",
            )
            if not logo_ok:
                return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id))
            return redirect(url_for("enterprises.dashboard"))
    status = 422 if form.errors else 200
    return render_template("enterprises/form.html", form=form, enterprise=None), status


def _save_logo(form: EnterpriseForm, enterprise: Enterprise) -> bool:
    """Store the uploaded logo if any; False (and a message) when it was refused."""
    upload = form.logo.data
    if upload is None or not getattr(upload, "filename", ""):
        return True
    try:
        services.set_logo(enterprise, upload.stream)
    except InvalidLogo as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return False
    return True


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enterprise_id: int):
    enterprise = _managed(enterprise_id)
    admin = is_admin(current_user)
    if request.method == "GET":
        form = EnterpriseForm(obj=enterprise)
        form.hub_kind.data = enterprise.hub_kind.value if enterprise.hub_kind else "other"
    else:
        form = EnterpriseForm()
    if form.validate_on_submit():
        with domain_errors(form, FORM_FIELDS) as attempt:
            services.update_enterprise(
                enterprise, _input(form), is_active=bool(form.is_active.data) if admin else None
            )
        if attempt.ok:
            if form.remove_logo.data and enterprise.logo_path:
                services.remove_logo(enterprise)
            if _save_logo(form, enterprise):
                flash(_("The changes are saved."), "success")
            return redirect(url_for("enterprises.edit", enterprise_id=enterprise.id))
    status = 422 if form.errors else 200
    return (
        render_template("enterprises/form.html", form=form, enterprise=enterprise, admin=admin),
        status,
    )


@bp.get("/media/enterprises/<path:filename>")
def logo(filename: str):
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "enterprises"
    response = send_from_directory(folder, filename, max_age=7 * 24 * 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------- public page


@bp.get("/e/<slug>")
def public(slug: str):
    """A producer's public page. A hub has one public page, ``hubs.public`` (contact, points,
    producers, cycles): its address here answers a permanent redirect there."""
    enterprise = services.get_by_slug(slug)
    if enterprise is None or not can_view_enterprise(current_user, enterprise):
        abort(404)
    if enterprise.is_hub:
        return redirect(url_for("hubs.public", hub_id=enterprise.id), code=301)
    return render_template(
        "enterprises/public.html",
        enterprise=enterprise,
        can_manage=can_manage_enterprise(current_user, enterprise),
    )


# --------------------------------------------------------------------------- team


@bp.get("/enterprises/<int:enterprise_id>/team")
@login_required
def team(enterprise_id: int):
    enterprise = _managed(enterprise_id)
    return _team_page(enterprise)


def _team_page(enterprise: Enterprise, invite_form: InviteForm | None = None, status: int = 200):
    return (
        render_template(
            "enterprises/team.html",
            enterprise=enterprise,
            members=services.list_members(enterprise),
            invitations=services.list_pending_invitations(enterprise),
            invite_form=invite_form or InviteForm(formdata=None),
            action_form=EmptyForm(),
            role_form=RoleForm(formdata=None),
            can_manage_team=can_manage_team(current_user, enterprise),
        ),
        status,
    )


@bp.post("/enterprises/<int:enterprise_id>/team/invite")
@login_required
def invite(enterprise_id: int):
    enterprise = _managed(enterprise_id)
    require(can_manage_team(current_user, enterprise))
    form = InviteForm()
    if form.validate_on_submit():
        with domain_errors(form, FORM_FIELDS) as attempt:
            services.invite_manager(
                enterprise, email=form.email.data or "", invited_by=current_user, ip=client_ip()
            )
        if isinstance(attempt.error, RateLimited):
            page, _status = _team_page(enterprise, form)
            return (
                page,
                attempt.error.status,
                {"Retry-After": str(attempt.error.retry_after_seconds)},
            )
        if attempt.ok:
            flash(
                _("Invitation sent to %(email)s.", email=(form.email.data or "").strip()), "success"
            )
            return redirect(url_for("enterprises.team", enterprise_id=enterprise.id))
    return _team_page(enterprise, form, 422)


def _membership(enterprise_id: int, membership_id: int) -> Membership:
    return load(Membership, membership_id, where=lambda m: m.enterprise_id == enterprise_id)


@bp.post("/enterprises/<int:enterprise_id>/team/<int:membership_id>/remove")
@login_required
@redirect_on_error("enterprises.team")
def remove_member(enterprise_id: int, membership_id: int):
    enterprise = _managed(enterprise_id)
    membership = _membership(enterprise.id, membership_id)
    require(can_remove_member(current_user, membership))
    if not EmptyForm().validate_on_submit():
        abort(400)
    leaving = membership.user_id == current_user.id
    services.remove_member(membership)
    if leaving and not is_admin(current_user):
        flash(_("You no longer manage %(name)s.", name=enterprise.name), "success")
        return redirect(url_for("enterprises.dashboard"))
    flash(_("The manager is removed."), "success")
    return redirect(url_for("enterprises.team", enterprise_id=enterprise.id))


@bp.post("/enterprises/<int:enterprise_id>/team/<int:membership_id>/role")
@login_required
@redirect_on_error("enterprises.team")
def change_role(enterprise_id: int, membership_id: int):
    enterprise = _managed(enterprise_id)
    require(can_manage_team(current_user, enterprise))
    membership = _membership(enterprise.id, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    services.change_role(membership, MembershipRole(form.role.data))
    flash(_("The role is changed."), "success")
    return redirect(url_for("enterprises.team", enterprise_id=enterprise.id))


@bp.post("/enterprises/<int:enterprise_id>/invitations/<int:invitation_id>/cancel")
@login_required
def cancel_invitation(enterprise_id: int, invitation_id: int):
    enterprise = _managed(enterprise_id)
    require(can_manage_team(current_user, enterprise))
    invitation = load(Invitation, invitation_id, where=lambda i: i.enterprise_id == enterprise.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.cancel_invitation(invitation)
    flash(_("The invitation is cancelled."), "success")
    return redirect(url_for("enterprises.team", enterprise_id=enterprise.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept_invitation(token: str):
    try:
        invitation = services.find_invitation(token)
    except DomainError as exc:
        db.session.rollback()
        page = render_template("enterprises/invitation.html", error=exc, invitation=None)
        return page, exc.status
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(token, current_user)
        except DomainError as exc:
            db.session.rollback()
            return (
                render_template("enterprises/invitation.html", error=exc, invitation=None),
                exc.status,
            )
        flash(_("You now manage %(name)s.", name=invitation.enterprise.name), "success")
        return redirect(url_for("enterprises.dashboard"))
    return render_template("enterprises/invitation.html", invitation=invitation, form=form)


# --------------------------------------------------------------------------- admin


@bp.get("/admin/enterprises")
@login_required
def admin_list():
    require(can_list_all_enterprises(current_user))
    page = services.list_all(
        request.args.get("q", "")[:100], page=request.args.get("page", 1, type=int)
    )
    return render_template("enterprises/admin_list.html", page=page, q=request.args.get("q", ""))
