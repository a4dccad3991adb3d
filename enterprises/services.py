"""Enterprise use cases: create, edit, logo, team (invitations, managers), listings.

Top-level functions commit once; e-mails are queued in the same transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from flask import current_app, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from accounts import ratelimit
from accounts.models import User
from core.db import db
from core.timeutils import utcnow
from enterprises.errors import (
    AlreadyManager,
    EnterpriseInvalid,
    InvalidLogo,
    InvitationExpired,
    InvitationInvalid,
    InvitationUsed,
    LastOwner,
)
from enterprises.geo import find_postcode
from enterprises.models import Enterprise, HubKind, Invitation, Membership, MembershipRole
from notifications.services import queue_email

MAX_LOGO_BYTES = 2 * 1024 * 1024
INVITATION_DAYS = 7
LOGO_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))

# --------------------------------------------------------------------------- pure checks


def department_of(postcode: str) -> str:
    """The French department of a postcode: "35000" → "35", Corsica "20000" → "2A" and
    "20200" → "2B", overseas "97400" → "974"; "" when it is not a French postcode."""
    code = (postcode or "").strip()
    if not (len(code) == 5 and code.isdigit()):
        return ""
    if code.startswith(("97", "98")):
        return code[:3]
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    if code.startswith("00"):
        return ""
    return code[:2]


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(siret: str) -> bool:
    """14 digits passing the Luhn check (La Poste's establishments use a digit sum % 5 rule)."""
    if not (len(siret) == 14 and siret.isdigit()):
        return False
    if siret.startswith("356000000") and siret != "35600000000048":
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret)


_VAT_RE = re.compile(r"^[A-Z]{2}[0-9A-Z+*]{2,13}$")


def vat_is_valid(vat: str) -> bool:
    """EU VAT number shape; French numbers ("FR" + key + SIREN) also have their key checked."""
    if not _VAT_RE.match(vat):
        return False
    if vat.startswith("FR"):
        rest = vat[2:]
        if len(rest) != 11 or not rest[2:].isdigit():
            return False
        if rest[:2].isdigit():
            siren = int(rest[2:])
            return int(rest[:2]) == (12 + 3 * (siren % 97)) % 97
    return True


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:120] or "entreprise"


# --------------------------------------------------------------------------- create / edit


@dataclass
class EnterpriseInput:
    name: str
    is_producer: bool
    is_hub: bool
    hub_kind: str | None = None
    description: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    latitude: str | Decimal | None = None
    longitude: str | Decimal | None = None
    contact_email: str = ""
    phone: str = ""
    website: str = ""
    siret: str = ""
    vat_number: str = ""

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> EnterpriseInput:
        names = cls.__dataclass_fields__.keys()
        return cls(**{k: v for k, v in data.items() if k in names})


def _coordinate(value: Any, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError from exc
    if not number.is_finite() or not (low <= number <= high):
        raise ValueError
    return number.quantize(Decimal("0.000001"))


def _clean(data: EnterpriseInput) -> dict[str, Any]:
    """Check and normalise the fields; raises EnterpriseInvalid with every field error at once."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    out["name"] = (data.name or "").strip()
    if not out["name"] or len(out["name"]) > 120:
        errors["name"] = str(_msg("name"))
    out["is_producer"], out["is_hub"] = bool(data.is_producer), bool(data.is_hub)
    if not (out["is_producer"] or out["is_hub"]):
        errors["roles"] = str(_msg("roles"))
    out["hub_kind"] = None
    if out["is_hub"]:
        try:
            out["hub_kind"] = HubKind(data.hub_kind or "other")
        except ValueError:
            errors["hub_kind"] = str(_msg("hub_kind"))
    out["description"] = (data.description or "").strip()[:5000]
    out["address"] = (data.address or "").strip()[:200]
    out["postcode"] = (data.postcode or "").strip().replace(" ", "")
    if out["postcode"] and not department_of(out["postcode"]):
        errors["postcode"] = str(_msg("postcode"))
    out["department"] = department_of(out["postcode"])
    out["city"] = (data.city or "").strip()[:120]
    try:
        out["latitude"] = _coordinate(data.latitude, -90, 90)
    except ValueError:
        errors["latitude"] = str(_msg("latitude"))
    try:
        out["longitude"] = _coordinate(data.longitude, -180, 180)
    except ValueError:
        errors["longitude"] = str(_msg("longitude"))
    if (out.get("latitude") is None) != (out.get("longitude") is None) and not errors.get(
        "latitude"
    ):
        errors["latitude"] = str(_msg("both"))
    out["contact_email"] = (data.contact_email or "").strip().lower()
    if out["contact_email"] and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", out["contact_email"]):
        errors["contact_email"] = str(_msg("contact_email"))
    out["phone"] = (data.phone or "").strip()[:40]
    website = (data.website or "").strip()
    if website and not re.match(r"^https?://", website):
        website = "https://" + website
    if website and (len(website) > 300 or not re.match(r"^https?://[^\s/]+\.[^\s]+", website)):
        errors["website"] = str(_msg("website"))
    out["website"] = website
    out["siret"] = re.sub(r"[\s.]", "", data.siret or "")
    if out["siret"] and not siret_is_valid(out["siret"]):
        errors["siret"] = str(_msg("siret"))
    out["vat_number"] = re.sub(r"[\s.-]", "", data.vat_number or "").upper()
    if out["vat_number"] and not vat_is_valid(out["vat_number"]):
        errors["vat_number"] = str(_msg("vat_number"))
    if errors:
        raise EnterpriseInvalid(fields=errors)
    if out["latitude"] is None and out["postcode"]:
        out["latitude"], out["longitude"], city = _postcode_centre(out["postcode"])
        out["city"] = out["city"] or city
    return out


def _postcode_centre(postcode: str) -> tuple[Decimal | None, Decimal | None, str]:
    """The postcode's centre from the postcode table when it is loaded (else unknown)."""
    found = find_postcode(postcode)
    if found is None:
        return None, None, ""
    return found.latitude, found.longitude, found.commune


def _msg(field: str) -> Any:
    from flask_babel import lazy_gettext as _l

    return {
        "name": _l("Give a name (at most 120 characters)."),
        "roles": _l("Choose producer, hub, or both."),
        "hub_kind": _l("Choose a kind of hub."),
        "postcode": _l("A French postcode has five digits."),
        "latitude": _l("A latitude is a number between -90 and 90."),
        "longitude": _l("A longitude is a number between -180 and 180."),
        "both": _l("Give both latitude and longitude, or neither."),
        "contact_email": _l("Enter a valid e-mail address."),
        "website": _l("Enter a web address such as https://example.org."),
        "siret": _l("A SIRET number has 14 digits and a valid check digit."),
        "vat_number": _l("Enter a valid EU VAT number such as FR40303265045."),
    }[field]


def _apply(enterprise: Enterprise, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(enterprise, key, value)


def _unique_slug(base: str) -> str:
    taken = set(
        db.session.scalars(
            select(Enterprise.slug).where(
                or_(Enterprise.slug == base, Enterprise.slug.like(f"{base}-%"))
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_enterprise(creator: User, data: EnterpriseInput) -> Enterprise:
    """Create a producer and/or hub; the creator becomes its owner.

    The slug comes from the name, made unique with a number; the unique constraint decides
    between two simultaneous creations (retried with the next number). Raises EnterpriseInvalid.
    """
    values = _clean(data)
    base = slugify(values["name"])
    for _attempt in range(5):
        enterprise = Enterprise(slug=_unique_slug(base), **values)
        try:
            with db.session.begin_nested():
                db.session.add(enterprise)
                db.session.add(
                    Membership(user_id=creator.id, enterprise=enterprise, role=MembershipRole.owner)
                )
        except IntegrityError:
            continue
        db.session.commit()
        return enterprise
    raise EnterpriseInvalid(fields={"name": str(_msg("name"))})


def update_enterprise(
    enterprise: Enterprise, data: EnterpriseInput, *, is_active: bool | None = None
) -> Enterprise:
    """Change the enterprise's details (the slug, hence its public address, stays).

    ``is_active`` (shown or hidden) is for platform admins only: the caller decides.
    Raises EnterpriseInvalid.
    """
    _apply(enterprise, _clean(data))
    if is_active is not None:
        enterprise.is_active = is_active
    db.session.commit()
    return enterprise


def set_active(enterprise: Enterprise, active: bool) -> Enterprise:
    """Show or hide the enterprise (platform admins)."""
    enterprise.is_active = active
    db.session.commit()
    return enterprise


# --------------------------------------------------------------------------- logo


def logo_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "enterprises"


def _logo_kind(head: bytes) -> str | None:
    for signature, ext in LOGO_SIGNATURES:
        if head.startswith(signature):
            return ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def set_logo(enterprise: Enterprise, stream: IO[bytes]) -> Enterprise:
    """Store an uploaded logo under ``UPLOAD_FOLDER/enterprises/`` and use it.

    The type comes from the file's first bytes (PNG, JPEG, WebP), never from its name or the
    browser's content type; at most 2 MB. The old file is deleted after the commit.
    Raises InvalidLogo (field ``logo``).
    """
    data = stream.read(MAX_LOGO_BYTES + 1)
    ext = _logo_kind(data[:16]) if data else None
    if not data or len(data) > MAX_LOGO_BYTES or ext is None:
        raise InvalidLogo(fields={"logo": str(InvalidLogo.message)})
    relative = f"enterprises/{enterprise.id}-{secrets.token_hex(12)}.{ext}"
    target = Path(current_app.config["UPLOAD_FOLDER"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    previous = enterprise.logo_path
    enterprise.logo_path = relative
    try:
        db.session.commit()
    except Exception:
        target.unlink(missing_ok=True)
        raise
    _delete_logo_file(previous)
    return enterprise


def remove_logo(enterprise: Enterprise) -> Enterprise:
    previous = enterprise.logo_path
    enterprise.logo_path = ""
    db.session.commit()
    _delete_logo_file(previous)
    return enterprise


def _delete_logo_file(relative: str) -> None:
    if not relative:
        return
    root = logo_folder().resolve()
    path = (Path(current_app.config["UPLOAD_FOLDER"]) / relative).resolve()
    if path.is_relative_to(root):
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- listings


def list_managed(user: User) -> list[tuple[Enterprise, MembershipRole]]:
    """The enterprises the user manages, with their role, by name."""
    rows = db.session.execute(
        select(Enterprise, Membership.role)
        .join(Membership, Membership.enterprise_id == Enterprise.id)
        .where(Membership.user_id == user.id)
        .order_by(func.lower(Enterprise.name), Enterprise.id)
    ).all()
    return [(ent, role) for ent, role in rows]


def contacts(enterprise: Enterprise) -> list[tuple[str, str]]:
    """Who hears about the enterprise by e-mail: its managers' ``(e-mail, locale)``, or its
    contact address (in the platform's language) when nobody manages it."""
    languages = current_app.config.get("LANGUAGES", ("fr", "en"))
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")
    rows = db.session.execute(
        select(User.email, User.locale)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.enterprise_id == enterprise.id, User.deleted_at.is_(None))
        .order_by(User.id)
    ).all()
    found = [(email, locale if locale in languages else default) for email, locale in rows if email]
    if not found and enterprise.contact_email:
        found = [(enterprise.contact_email, default)]
    return found


def list_all(q: str = "", page: int = 1, per_page: int = 50) -> Any:
    """Every enterprise (platform admins), filtered by name, slug, city or postcode."""
    query = select(Enterprise).order_by(func.lower(Enterprise.name), Enterprise.id)
    q = (q or "").strip()
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Enterprise.name).like(like),
                Enterprise.slug.like(like),
                func.lower(Enterprise.city).like(like),
                Enterprise.postcode.like(f"{q}%"),
            )
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def get_by_slug(slug: str) -> Enterprise | None:
    return db.session.scalar(select(Enterprise).where(Enterprise.slug == slug))


# --------------------------------------------------------------------------- team


def role_of(user: Any, enterprise: Enterprise) -> MembershipRole | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.enterprise_id == enterprise.id
        )
    )


def list_members(enterprise: Enterprise) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.enterprise_id == enterprise.id)
            .options(selectinload(Membership.user))
            .order_by(Membership.role.desc(), Membership.created_at, Membership.id)
        )
    )


def list_pending_invitations(
    enterprise: Enterprise, now: datetime | None = None
) -> list[Invitation]:
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.enterprise_id == enterprise.id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invite_manager(
    enterprise: Enterprise, *, email: str, invited_by: User, ip: str | None = None
) -> Invitation:
    """E-mail a single-use invitation to manage the enterprise, valid 7 days.

    Only the token's hash is stored. Anyone logged in may accept it (the invitation goes to an
    address, but people often have several). Raises AlreadyManager, and RateLimited (per
    inviting account, per address and per invited e-mail: ``accounts.ratelimit``).
    """
    email = (email or "").strip().lower()
    ratelimit.consume("invitation", ip=ip, email=email, user_id=invited_by.id)
    already = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.enterprise_id == enterprise.id, User.email == email)
    )
    if already is not None:
        raise AlreadyManager(fields={"email": str(AlreadyManager.message)})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        enterprise_id=enterprise.id,
        email=email,
        token_hash=_hash(raw),
        invited_by_id=invited_by.id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    invitee = db.session.scalar(select(User).where(User.email == email))
    queue_email(
        to=email,
        template="emails/accounts/invitation",
        locale=invitee.locale if invitee else invited_by.locale,
        kind="enterprise_invitation",
        enterprise=enterprise,
        inviter=invited_by,
        link=current_app.config["BASE_URL"]
        + url_for("enterprises.accept_invitation", token=raw, _external=False),
        days=INVITATION_DAYS,
    )
    db.session.commit()
    return invitation


def find_invitation(raw: str, now: datetime | None = None) -> Invitation:
    """The invitation of a link. Raises InvitationInvalid, InvitationUsed or InvitationExpired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(raw)))
    return _check_invitation(invitation, now or utcnow())


def _check_invitation(invitation: Invitation | None, now: datetime) -> Invitation:
    if invitation is None:
        raise InvitationInvalid()
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    if invitation.expires_at <= now:
        raise InvitationExpired()
    return invitation


def accept_invitation(raw: str, user: User, now: datetime | None = None) -> Membership:
    """Make the user a manager of the invitation's enterprise; the invitation is used up.

    Locks the invitation row, so that two people clicking at once cannot both use it. If the user
    already manages the enterprise, the invitation is used and the membership unchanged.
    """
    now = now or utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash(raw)).with_for_update()
    )
    invitation = _check_invitation(invitation, now)
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.enterprise_id == invitation.enterprise_id
        )
    )
    if membership is None:
        membership = Membership(
            user_id=user.id, enterprise_id=invitation.enterprise_id, role=MembershipRole.manager
        )
        db.session.add(membership)
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    db.session.commit()
    return membership


def cancel_invitation(invitation: Invitation) -> None:
    db.session.delete(invitation)
    db.session.commit()


def _lock_owners(enterprise_id: int) -> list[Membership]:
    """Lock the enterprise's memberships (id order) so two removals cannot both pass the check."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.enterprise_id == enterprise_id)
            .order_by(Membership.id)
            .with_for_update()
        )
    )


def remove_member(membership: Membership) -> None:
    """Remove a manager. Raises LastOwner when it is the enterprise's only owner."""
    members = _lock_owners(membership.enterprise_id)
    owners = [m for m in members if m.role == MembershipRole.owner]
    if membership.role == MembershipRole.owner and len(owners) <= 1:
        raise LastOwner()
    db.session.delete(membership)
    db.session.commit()


def change_role(membership: Membership, role: MembershipRole) -> Membership:
    """Make a manager owner, or an owner manager (never the last owner). Raises LastOwner."""
    members = _lock_owners(membership.enterprise_id)
    owners = [m for m in members if m.role == MembershipRole.owner]
    demoting = membership.role == MembershipRole.owner and role != MembershipRole.owner
    if demoting and len(owners) <= 1:
        raise LastOwner()
    membership.role = role
    db.session.commit()
    return membership


def managed_enterprises(user: User) -> list[dict[str, Any]]:
    """The enterprises the user manages, with their role (the "enterprises" of /api/v1/me)."""
    rows = db.session.execute(
        select(Enterprise, Membership.role)
        .join(Membership, Membership.enterprise_id == Enterprise.id)
        .where(Membership.user_id == user.id)
        .order_by(Enterprise.name, Enterprise.id)
    ).all()
    return [
        {
            "id": ent.id,
            "name": ent.name,
            "slug": ent.slug,
            "is_producer": ent.is_producer,
            "is_hub": ent.is_hub,
            "role": str(role),
        }
        for ent, role in rows
    ]
