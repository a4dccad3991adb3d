"""Account pages: sign up, confirm, log in/out, password reset, the account page."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import services
from accounts.errors import (
    EmailNotConfirmed,
    EmailTaken,
    InvalidCredentials,
    LinkExpired,
    LinkInvalid,
    SameEmail,
    TooManyAttempts,
    WeakPassword,
    WrongPassword,
)
from accounts.forms import (
    ApiTokenForm,
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmailOnlyForm,
    EmptyForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from accounts.models import ApiToken
from accounts.permissions import can_manage_token
from accounts.ratelimit import RateLimited, client_ip
from accounts.sessions import SESSION_KEY
from core.db import db
from core.errors import DomainError, json_error, wants_json
from core.security import require, safe_next_url

bp = Blueprint("accounts", __name__)


def _field_errors(form, exc: DomainError) -> None:
    """Show a domain error's field messages next to the fields (or on top of the form)."""
    for name, message in (exc.fields or {}).items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


def _client_ip() -> str:
    return client_ip()


def _start_session(user, key: str) -> None:
    """Log in on a fresh session: Flask-Login keys and the CSRF token are regenerated (session
    fixation), the visitor's other choices (language, guest cart) are kept. ``key`` is the
    login's server-side record (``accounts.sessions``), without which the cookie opens nothing."""
    kept = {name: value for name, value in session.items() if not name.startswith("_")}
    kept.pop("csrf_token", None)
    session.clear()
    session.update(kept)
    session[SESSION_KEY] = key
    login_user(user)


@bp.app_errorhandler(RateLimited)
def rate_limited(exc: RateLimited):
    """Every rate limit answers 429 with Retry-After: the JSON error body under /api/, else a
    page with the message (views that keep a form's input catch it themselves)."""
    db.session.rollback()
    headers = {"Retry-After": str(exc.retry_after_seconds)}
    if wants_json():
        body, status = json_error(exc.code, str(exc.message), exc.status, exc.fields)
        return body, status, headers
    page = render_template("errors/error.html", error=exc, status=exc.status)
    return page, exc.status, headers


# --------------------------------------------------------------------------- sign up, confirm


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = SignupForm()
    if request.method == "GET":
        form.next.data = safe_next_url(request.args.get("next"), "")
        form.locale.data = str(request.accept_languages.best_match(["fr", "en"]) or "fr")
        form.locale.data = session.get("lang", form.locale.data)
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data or "",
                password=form.password.data or "",
                full_name=form.full_name.data or "",
                locale=form.locale.data,
                next_url=safe_next_url(form.next.data, ""),
                ip=_client_ip(),
            )
        except (EmailTaken, WeakPassword) as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            # the same page whether the address was free or not (its owner got an e-mail)
            session["lang"] = user.locale if user is not None else form.locale.data
            email = services.normalize_email(form.email.data or "")
            return render_template("accounts/check_email.html", email=email)
    status = 422 if form.errors else 200
    return render_template("accounts/signup.html", form=form), status


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    try:
        user = services.confirm_email(token)
    except (LinkExpired, LinkInvalid) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("accounts.resend_confirmation"))
    flash(_("Thank you: your e-mail address is confirmed."), "success")
    # where the visitor was going when they signed up (the shop, the checkout...)
    next_url = safe_next_url(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or url_for("accounts.account"))
    return redirect(url_for("accounts.login", email=user.email, next=next_url or None))


@bp.route("/confirm/resend", methods=["GET", "POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation((form.email.data or ""), ip=_client_ip())
        return render_template("accounts/check_email.html", email=(form.email.data or "").strip())
    status = 422 if form.errors else 200
    return render_template("accounts/resend.html", form=form), status


# --------------------------------------------------------------------------- log in / out


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next_url(request.values.get("next"), url_for("accounts.after_login"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if request.method == "GET":
        form.email.data = request.args.get("email", "")
        form.next.data = request.args.get("next", "")
    status = 200
    headers: dict[str, str] = {}
    not_confirmed = False
    if form.validate_on_submit():
        try:
            user, key = services.log_in(
                email=(form.email.data or ""), password=(form.password.data or ""), ip=_client_ip()
            )
        except TooManyAttempts as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = 429
            headers["Retry-After"] = str(exc.retry_after_seconds)
        except InvalidCredentials as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = 422
        except EmailNotConfirmed as exc:
            db.session.rollback()
            flash(str(exc.message), "warning")
            status = 403
            not_confirmed = True
        else:
            _start_session(user, key)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_url)
    elif form.errors:
        status = 422
    return (
        render_template("accounts/login.html", form=form, not_confirmed=not_confirmed),
        status,
        headers,
    )


@bp.get("/welcome")
@login_required
def after_login():
    """Where a login without ``next`` lands: managers on their dashboard, citizens home."""
    if current_user.memberships or current_user.is_admin:
        return redirect(url_for("enterprises.dashboard"))
    return redirect(url_for("pages.index"))


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    lang = session.get("lang")
    services.log_out(session.get(SESSION_KEY))  # a copy of the cookie stops working too
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.index"))


# --------------------------------------------------------------------------- password reset


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset((form.email.data or ""), ip=_client_ip())
        return render_template(
            "accounts/check_email.html", email=(form.email.data or "").strip(), reset=True
        )
    status = 422 if form.errors else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.check_reset_token(token)
    except (LinkExpired, LinkInvalid) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data or "")
        except WeakPassword as exc:
            db.session.rollback()
            _field_errors(form, exc)
        except (LinkExpired, LinkInvalid) as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("accounts.forgot_password"))
        else:
            if current_user.is_authenticated:
                logout_user()
            session.pop(SESSION_KEY, None)  # its record is gone: every login ended
            flash(_("Your password is changed. You can log in with it now."), "success")
            return redirect(url_for("accounts.login", email=user.email))
    status = 422 if form.errors else 200
    return render_template("accounts/reset.html", form=form), status


# --------------------------------------------------------------------------- account page


def _account_page(status: int = 200, **forms):
    user = current_user
    profile_form = forms.get("profile_form") or ProfileForm(
        formdata=None, full_name=user.full_name, phone=user.phone, locale=user.locale
    )
    return (
        render_template(
            "accounts/account.html",
            profile_form=profile_form,
            password_form=forms.get("password_form") or ChangePasswordForm(formdata=None),
            email_form=forms.get("email_form") or ChangeEmailForm(formdata=None, prefix="email"),
            token_form=forms.get("token_form") or ApiTokenForm(formdata=None),
            tokens=services.list_api_tokens(user),
            revoke_form=EmptyForm(),
            new_token=forms.get("new_token"),
        ),
        status,
    )


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/profile")
@login_required
def update_profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(422, profile_form=form)
    services.update_profile(
        current_user,
        full_name=form.full_name.data or "",
        phone=form.phone.data or "",
        locale=form.locale.data,
    )
    session["lang"] = current_user.locale
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            key = services.change_password(
                current_user,
                current_password=form.current_password.data or "",
                new_password=form.new_password.data or "",
            )
        except (WrongPassword, WeakPassword) as exc:
            db.session.rollback()
            if isinstance(exc, WeakPassword):
                exc.fields = {"new_password": exc.fields.get("password", str(exc.message))}
            _field_errors(form, exc)
        else:
            _start_session(current_user._get_current_object(), key)  # a fresh login here only
            flash(
                _(
                    "Your password is changed. Your other sessions are logged out and your API "
                    "tokens revoked."
                ),
                "success",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm(prefix="email")
    if form.validate_on_submit():
        try:
            new_email = services.request_email_change(
                current_user, new_email=form.new_email.data or "", password=form.password.data or ""
            )
        except (WrongPassword, SameEmail, EmailTaken) as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            flash(
                _(
                    "We sent a link to %(email)s: your address changes when you open it "
                    "(within 24 hours).",
                    email=new_email,
                ),
                "success",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(422, email_form=form)


@bp.get("/account/email/confirm/<token>")
def confirm_email_change(token: str):
    """The link sent to the new address; it works without being logged in (another device)."""
    try:
        user = services.confirm_email_change(token)
    except (LinkExpired, LinkInvalid, EmailTaken) as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        back = "accounts.account" if current_user.is_authenticated else "accounts.login"
        return redirect(url_for(back))
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.login", email=user.email))


@bp.post("/account/tokens")
@login_required
def create_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, raw = services.create_api_token(
                current_user,
                name=(form.name.data or ""),
                scope=form.scope.data,
                password=(form.password.data or ""),
            )
        except DomainError as exc:
            db.session.rollback()
            _field_errors(form, exc)
            if not exc.fields:
                flash(str(exc.message), "error")
        else:
            # rendered, not redirected: the clear value must never travel in the session cookie
            return _account_page(201, new_token={"token": token, "value": raw})
    return _account_page(422, token_form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    token = db.get_or_404(ApiToken, token_id)
    require(can_manage_token(current_user, token), hide=True)
    services.revoke_api_token(token)
    flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
    return redirect(url_for("accounts.account"))


@bp.get("/account/data.json")
@login_required
def export_data():
    data = services.export_user_data(current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="comptoir-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, password=form.password.data or "")
        except WrongPassword as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            logout_user()
            session.clear()  # its login records were deleted with the account's data
            flash(_("Your account is deleted. Thank you for using Comptoir."), "success")
            return redirect(url_for("pages.index"))
    status = 422 if form.errors else 200
    return render_template("accounts/delete.html", form=form), status
