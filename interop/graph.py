"""Import pipeline: any DFC document -> one uniform, indexed graph (WIRE-FORMAT §7).

Steps of :func:`parse_document`:
1. ``json.loads`` (``DfcError("invalid_json")``);
2. the profile from ``@context`` (``DfcError("unknown_context")``; nothing is ever fetched);
3. pyld ``expand`` (``base`` resolves relative ids) then ``flatten`` through the offline loader:
   every shape senders use (flat ``@graph``, nested nodes, ``"_:b1"`` strings, ``{"@id"}``)
   becomes one list of nodes;
4. IRIs back to CURIEs with the 1.16 *and* 2.0 prefix tables, so a v2 document reads as v1
   (pyld's own compaction with the 1.16 context would leave v2 IRIs full); OWL, legacy and typo
   names to wire names (:mod:`interop.terms`); v2 ``Organization`` to ``Enterprise``;
5. string values of link properties the context does not mark ``@id`` (``offeredItem``) read as
   links; every link stated on both sides (``references`` <-> ``referencedBy``...);
6. nodes without ``@type`` reported in ``Graph.errors`` (``missing_type``), not raised.

Numbers stay as sent (number or string); the schemas' fields read both.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core.errors import JsonTooDeep
from core.hardening import json_shape
from interop.errors import DfcError
from interop.jsonld import Profile, compact_iri, detect_profile, flatten_expanded
from interop.terms import CLASS_ALIASES, INVERSES, LINKS_NOT_ID_TYPED, PROPERTY_ALIASES


@dataclass(frozen=True, slots=True)
class Ref:
    """A link to the node ``id`` (a CURIE for taxonomy concepts: ``dfc-m:Kilogram``)."""

    id: str


@dataclass
class Node:
    """One subject: its @id, its classes (CURIEs) and its properties (CURIE -> values)."""

    id: str
    types: list[str] = field(default_factory=list)
    props: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def is_blank(self) -> bool:
        return self.id.startswith("_:")

    def values(self, prop: str) -> list[Any]:
        return self.props.get(prop, [])

    def first(self, prop: str) -> Any:
        values = self.props.get(prop)
        return values[0] if values else None

    def refs(self, prop: str) -> list[str]:
        """The ids this node links to through ``prop``."""
        return [v.id for v in self.props.get(prop, []) if isinstance(v, Ref)]

    def add(self, prop: str, value: Any) -> None:
        values = self.props.setdefault(prop, [])
        if value not in values:
            values.append(value)


@dataclass
class Graph:
    """The nodes of one document by @id, in document order, with the problems found."""

    profile: Profile
    nodes: dict[str, Node] = field(default_factory=dict)
    errors: list[DfcError] = field(default_factory=list)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def __len__(self) -> int:
        return len(self.nodes)

    def get(self, node_id: str | None) -> Node | None:
        return self.nodes.get(node_id) if node_id else None

    def by_type(self, dfc_type: str) -> list[Node]:
        return [n for n in self.nodes.values() if dfc_type in n.types]

    def linked(self, node: Node, prop: str) -> list[Node]:
        """The nodes of this document that ``node`` links to through ``prop``."""
        return [n for n in (self.nodes.get(i) for i in node.refs(prop)) if n is not None]

    def node_dict(self, node: Node | str, *, embed_blank: bool = True) -> dict[str, Any]:
        """``node`` in compact JSON-LD form for a schema's ``load``: one value bare, several in
        a list, links as ``{"@id"}``, blank nodes (Price, QuantitativeValue) embedded."""
        start = self.nodes[node] if isinstance(node, str) else node
        return self._node_dict(start, embed_blank, frozenset())

    def _node_dict(self, node: Node, embed: bool, seen: frozenset[str]) -> dict[str, Any]:
        seen = seen | {node.id}
        out: dict[str, Any] = {"@id": node.id}
        if node.types:
            out["@type"] = node.types[0] if len(node.types) == 1 else list(node.types)
        for prop, values in node.props.items():
            items = [self._value(v, embed, seen) for v in values]
            out[prop] = items[0] if len(items) == 1 else items
        return out

    def _value(self, value: Any, embed: bool, seen: frozenset[str]) -> Any:
        if not isinstance(value, Ref):
            return value
        target = self.nodes.get(value.id)
        if embed and target is not None and target.is_blank and value.id not in seen:
            return self._node_dict(target, embed, seen)
        return {"@id": value.id}


#: a document's JSON objects and arrays, and their nesting, counted before the JSON-LD work,
#: whose CPU grows with them (2,000 nodes: 0.15 s; a 20 MB body of empty objects would hold
#: 7 million): a catalogue of 20,000 products (imports.MAX_PRODUCTS) takes about 300,000
MAX_JSON_OBJECTS = 400_000
MAX_JSON_DEPTH = 32


def load_json(source: str | bytes | dict[str, Any] | list[Any]) -> dict[str, Any]:
    """The decoded document, bounded (:data:`MAX_JSON_OBJECTS`, :data:`MAX_JSON_DEPTH`) before
    any JSON-LD work. A top-level array of node objects (JSON-LD allows it, each node with its
    own ``@context``) becomes one ``{"@context", "@graph"}`` document when all its contexts are
    of one DFC version."""
    if isinstance(source, dict | list):
        doc: Any = source
    else:
        try:
            doc = json.loads(source)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DfcError("invalid_json", f"the body is not valid JSON: {exc}") from None
        except RecursionError:
            raise DfcError("invalid_json", "the document is nested too deeply") from None
    if isinstance(doc, list):
        _check_size(doc)
        return _wrap_array(doc)
    if not isinstance(doc, dict):
        raise DfcError("invalid_json", "a DFC document is a JSON object or an array of them")
    _check_size(doc)
    return doc


def _wrap_array(items: list[Any]) -> dict[str, Any]:
    if not items or not all(isinstance(item, dict) for item in items):
        raise DfcError("invalid_json", "a top-level array must hold JSON-LD node objects")
    contexts = [item["@context"] for item in items if "@context" in item]
    if not contexts:
        raise DfcError("unknown_context", "no node of the array has a @context")
    profiles = {detect_profile({"@context": ctx}) for ctx in contexts}
    if len(profiles) > 1:
        raise DfcError("unknown_context", "the document mixes DFC v1 and v2 contexts")
    return {"@context": contexts[0], "@graph": items}


def raw_type_counts(doc: Any) -> Counter[str]:
    """How many JSON objects of each ``@type`` (its local name: ``SuppliedProduct``, ``Order``)
    the decoded document holds, before any JSON-LD processing: a cheap look at what the
    document is and how big (nested nodes included)."""
    counts: Counter[str] = Counter()
    stack: list[Any] = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            types = value.get("@type")
            for name in types if isinstance(types, list) else [types]:
                if isinstance(name, str):
                    counts[name.rsplit("#", 1)[-1].rsplit(":", 1)[-1]] += 1
            stack.extend(v for k, v in value.items() if k != "@context")
        elif isinstance(value, list):
            stack.extend(value)
    return counts


def _check_size(doc: dict[str, Any] | list[Any]) -> None:
    """Refuse, before any JSON-LD processing, a document too deep or with too many objects."""
    containers = 0
    try:
        for _depth, value in json_shape(doc, max_depth=MAX_JSON_DEPTH):
            if isinstance(value, dict | list):
                containers += 1
                if containers > MAX_JSON_OBJECTS:
                    raise DfcError(
                        "invalid_value",
                        f"the document has more than {MAX_JSON_OBJECTS} JSON objects: split it",
                    )
    except JsonTooDeep:
        raise DfcError(
            "invalid_json", f"the document is nested deeper than {MAX_JSON_DEPTH} levels"
        ) from None


def _value(prop: str, item: dict[str, Any]) -> Any:
    if "@id" in item:
        return Ref(compact_iri(item["@id"]))
    value = item.get("@value")
    if prop in LINKS_NOT_ID_TYPED and isinstance(value, str) and value.strip():
        return Ref(compact_iri(value.strip()))
    return value


def _node(raw: dict[str, Any]) -> Node:
    node = Node(id=compact_iri(raw["@id"]))
    for dfc_type in raw.get("@type", []):
        curie = compact_iri(dfc_type)
        curie = CLASS_ALIASES.get(curie, curie)
        if curie not in node.types:
            node.types.append(curie)
    for key, items in raw.items():
        if key.startswith("@"):
            continue
        prop = compact_iri(key)
        prop = PROPERTY_ALIASES.get(prop, prop)
        for item in items:
            members = item["@list"] if isinstance(item, dict) and "@list" in item else [item]
            for member in members:
                node.add(prop, _value(prop, member))
    return node


def _add_inverses(nodes: dict[str, Node]) -> None:
    for node in list(nodes.values()):
        for prop in list(node.props):
            inverse = INVERSES.get(prop)
            if inverse is None:
                continue
            for target_id in node.refs(prop):
                target = nodes.get(target_id)
                if target is not None:
                    target.add(inverse, Ref(node.id))


def parse_document(
    source: str | bytes | dict[str, Any] | list[Any], *, base: str | None = None
) -> Graph:
    """Read a DFC document (JSON text or already decoded) into a :class:`Graph`.

    ``base`` is the URL the document came from (resolves relative ids). Raises ``DfcError`` for
    a document that cannot be read at all (invalid JSON, unknown context, refused by pyld);
    node-level problems are collected in ``graph.errors``.
    """
    doc = load_json(source)
    graph = Graph(profile=detect_profile(doc))
    for raw in flatten_expanded(doc, base):
        node = _node(raw)
        graph.nodes[node.id] = node
        if not node.types:
            graph.errors.append(DfcError("missing_type", "the node has no @type", node.id))
    _add_inverses(graph.nodes)
    return graph
