"""Import an enterprise document (OFN's Enterprise, a v2 Organization from OFN or LiteFarm, the
connectors' Enterprise) into a producer's profile: create the producer, or update one.

Same partial rule as the catalogue: every field we can take is taken, each one we cannot is
named with its reason (in the request's language), and only a document without a usable
enterprise (no name) is refused whole. What is read: ``name``, ``hasDescription`` (HTML made
text), ``email`` (else the main contact's), ``websitePage``, ``hasPhoneNumber``, ``VATnumber``,
the first ``hasAddress`` (street, postcode, city, latitude, longitude). The producer's rules are
the profile form's (:func:`enterprises.services.update_enterprise`): a postcode that is not
French, a VAT number that is not a valid EU one... are refused fields. Logos are not fetched;
the main contact becomes no account (a note names them).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from marshmallow import ValidationError

from accounts.models import User
from core.db import db
from enterprises.errors import EnterpriseInvalid
from enterprises.models import Enterprise
from enterprises.services import EnterpriseInput, create_enterprise, update_enterprise
from interop.errors import DfcError
from interop.graph import Graph, Node, parse_document
from interop.imports import (
    DfcDocumentRefused,
    DfcImportRejected,
    NodeProblem,
    _load,
    _problem,
    html_to_text,
)
from interop.schemas import AddressSchema, EnterpriseSchema, PersonSchema

B = "dfc-b:"
#: our field -> the DFC property it comes from (named in a refused field's ``detail``)
SOURCES = {
    "name": B + "name",
    "description": B + "hasDescription",
    "contact_email": B + "email",
    "website": B + "websitePage",
    "phone": B + "hasPhoneNumber",
    "vat_number": B + "VATnumber",
    "address": B + "hasAddress > " + B + "hasStreet",
    "postcode": B + "hasAddress > " + B + "hasPostalCode",
    "city": B + "hasAddress > " + B + "hasCity",
    "latitude": B + "hasAddress > " + B + "latitude",
    "longitude": B + "hasAddress > " + B + "longitude",
}


@dataclass
class EnterpriseImport:
    enterprise_id: int
    created: bool
    node_id: str
    name: str
    refused: list[NodeProblem] = field(default_factory=list)  #: fields not taken
    notes: list[NodeProblem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _load_node(schema: Any, graph: Graph, node: Node) -> dict[str, Any]:
    try:
        loaded = schema.load(graph.node_dict(node))
    except ValidationError as exc:
        loaded = exc.valid_data if isinstance(exc.valid_data, dict) else {}
    return loaded if isinstance(loaded, dict) else vars(loaded)


def _enterprise_node(graph: Graph, node_id: str | None) -> Node:
    found = graph.by_type(B + "Enterprise")
    if node_id is not None:
        found = [n for n in found if n.id == node_id]
    if len(found) != 1:
        problem = "no_enterprise" if not found else "several_enterprises"
        raise DfcImportRejected(
            [_problem(None, problem, count=len(found), detail=", ".join(n.id for n in found))]
        )
    return found[0]


def read_enterprise(
    data: bytes | str, *, node_id: str | None = None, base: str | None = None
) -> tuple[Graph, Node, dict[str, Any], list[NodeProblem]]:
    """The enterprise of the document as our profile's fields (``None``: not in the document)
    and the notes. Raises DfcDocumentRefused, DfcImportRejected (none, or several and no
    ``node_id`` to choose)."""
    doc = _load(data)
    try:
        graph = parse_document(doc, base=base)
    except DfcError as exc:
        raise DfcDocumentRefused(exc) from exc
    node = _enterprise_node(graph, node_id)
    loaded = _load_node(EnterpriseSchema(), graph, node)
    notes: list[NodeProblem] = []
    values: dict[str, Any] = {
        "name": loaded.get("name"),
        "description": html_to_text(loaded.get("description")) or None,
        "contact_email": loaded.get("email"),
        "website": loaded.get("website"),
        "phone": loaded.get("phone"),
        "vat_number": loaded.get("vat_number"),
    }
    contact = graph.get(loaded.get("main_contact_id"))
    if contact is not None:
        person = _load_node(PersonSchema(), graph, contact)
        full_name = " ".join(p for p in (person.get("first_name"), person.get("family_name")) if p)
        values["contact_email"] = values["contact_email"] or person.get("email")
        notes.append(_problem(contact.id, "person_not_created", detail=full_name or contact.id))
    addresses = [graph.get(i) for i in loaded.get("address_ids") or []]
    address = next((a for a in addresses if a is not None), None)
    if address is not None:
        place = _load_node(AddressSchema(), graph, address)
        values.update(
            address=place.get("street"),
            postcode=place.get("postal_code"),
            city=place.get("city"),
            latitude=place.get("latitude"),
            longitude=place.get("longitude"),
        )
        country = place.get("country")
        if country and country != "FRA":
            notes.append(_problem(address.id, "address_abroad", detail=country))
    if loaded.get("logo"):
        notes.append(_problem(node.id, "not_held", detail=B + "logo"))
    return graph, node, values, notes


def import_enterprise(
    data: bytes | str,
    *,
    target: Enterprise | None = None,
    owner: User | None = None,
    node_id: str | None = None,
    base: str | None = None,
) -> EnterpriseImport:
    """Update ``target``'s profile from the document, or create a producer owned by ``owner``.

    Fields the document does not give keep their value; each field our rules refuse keeps its
    value too and is named in ``refused``. Raises DfcDocumentRefused, DfcImportRejected (no
    enterprise, or no usable name: nothing written).
    """
    if (target is None) == (owner is None):
        raise ValueError("give the enterprise to update or the owner of a new one")
    _graph, node, values, notes = read_enterprise(data, node_id=node_id, base=base)
    name = (values.get("name") or "").strip()
    if not name:
        raise DfcImportRejected([_problem(node.id, "missing_name", detail=B + "name")])
    current: dict[str, Any] = {}
    if target is not None:
        current = {key: getattr(target, key) for key in SOURCES}
        current.update(is_producer=target.is_producer, is_hub=target.is_hub)
        current["hub_kind"] = target.hub_kind.value if target.hub_kind else None
    else:
        current = {key: "" for key in SOURCES} | {"latitude": None, "longitude": None}
        current.update(is_producer=True, is_hub=False, hub_kind=None)
    wanted = {k: v for k, v in values.items() if v not in (None, "")}
    refused: list[NodeProblem] = []
    for _attempt in range(3):
        payload = EnterpriseInput.from_mapping({**current, **wanted})
        try:
            if target is not None:
                enterprise = update_enterprise(target, payload)
            else:
                assert owner is not None
                enterprise = create_enterprise(owner, payload)
        except EnterpriseInvalid as exc:
            db.session.rollback()
            bad = {k: str(v) for k, v in (exc.fields or {}).items()}
            if "name" in bad or not set(bad) & set(wanted):
                raise DfcImportRejected(
                    [_problem(node.id, "rule", detail=m, name=name) for m in bad.values()]
                ) from exc
            for key, message in bad.items():
                if key in wanted:
                    del wanted[key]
                    if key in ("latitude", "longitude"):  # the two go together
                        wanted.pop("longitude" if key == "latitude" else "latitude", None)
                    problem = _problem(node.id, "rule", name=name, detail=message)
                    problem.detail = SOURCES.get(key, key)
                    refused.append(problem)
            continue
        return EnterpriseImport(
            enterprise_id=enterprise.id,
            created=target is None,
            node_id=node.id,
            name=enterprise.name,
            refused=refused,
            notes=notes,
        )
    raise DfcImportRejected(refused)
