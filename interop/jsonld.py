"""Offline JSON-LD processing of DFC documents (pyld), with the contexts pinned to local copies.

Rules (WIRE-FORMAT §1.2, §4):
- We never fetch anything. :func:`document_loader` maps every DFC context URL seen in the wild to
  ``interop/data/context_1.16.0.json`` or ``context_2.0.0.json`` and raises ``DfcError
  ("unknown_context")`` for any other URL.
- The bare ``https://www.datafoodconsortium.org`` (and the legacy static URL) mean **1.16**, as
  every v1 library treats them, although the live site now advertises 2.0.0.
- We emit :data:`CONTEXT_V1_URL` only; v2 is read, never written.
- A request URL is given as ``base`` when *expanding* only (relative ids such as OFN v2's
  ``#certification-1``); compacting with a base would make our absolute IRIs relative again.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pyld import jsonld as _pyld

from interop.errors import DfcError

Profile = Literal["v1", "v2"]

DATA = Path(__file__).resolve().parent / "data"

CONTEXT_V1_URL = "https://w3id.org/dfc/ontology/context/context_1.16.0.json"
CONTEXT_V2_URL = "https://w3id.org/dfc/ontology/context/context_2.0.0.json"
CONTEXT_FILES: dict[Profile, str] = {"v1": "context_1.16.0.json", "v2": "context_2.0.0.json"}

_WP = "www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/"
#: context URLs without scheme and trailing slash -> profile (README: "Context URLs seen")
CONTEXT_ALIASES: dict[str, Profile] = {
    "w3id.org/dfc/ontology/context/context_1.16.0.json": "v1",
    "www.datafoodconsortium.org": "v1",
    "datafoodconsortium.org": "v1",
    f"{_WP}context_1.16.0.jsonld": "v1",
    f"{_WP}context.jsonld": "v1",
    "static.datafoodconsortium.org/ontologies/context.json": "v1",
    "w3id.org/dfc/ontology/context/context_2.0.0.json": "v2",
    "w3id.org/dfc/ontology/v2.0.0/context/context_2.0.0.json": "v2",
    f"{_WP}context_2.0.0.jsonld": "v2",
}

#: namespaces seen for each prefix beside the context's own (2.0.0 with https, as some write it)
_EXTRA_NAMESPACES: dict[str, tuple[str, ...]] = {
    "dfc-b": ("https://w3id.org/dfc/ontology/v2.0.0/src/DFC_BusinessOntology.owl#",),
    "dfc-t": ("https://w3id.org/dfc/ontology/v2.0.0/src/DFC_TechnicalOntology.owl#",),
    "dfc-m": ("https://w3id.org/dfc/taxonomies/v2.0.0/measures.rdf#",),
    "dfc-pt": ("https://w3id.org/dfc/taxonomies/v2.0.0/productTypes.rdf#",),
    "dfc-f": ("https://w3id.org/dfc/taxonomies/v2.0.0/facets.rdf#",),
    "dfc-v": ("https://w3id.org/dfc/taxonomies/v2.0.0/vocabulary.rdf#",),
}


def _url_key(url: str) -> str:
    return url.strip().split("://", 1)[-1].rstrip("/")


def context_profile(url: str) -> Profile:
    """The profile a context URL stands for; ``DfcError("unknown_context")`` for any other URL."""
    profile = CONTEXT_ALIASES.get(_url_key(url))
    if profile is None:
        raise DfcError("unknown_context", f"unknown JSON-LD context URL {url!r} (never fetched)")
    return profile


@cache
def load_context(profile: Profile) -> dict[str, Any]:
    """The local context document (``{"@context": {...}}``) of a profile."""
    return json.loads((DATA / CONTEXT_FILES[profile]).read_text(encoding="utf-8"))


@cache
def prefixes(profile: Profile) -> dict[str, str]:
    """Prefix -> namespace IRI declared by the profile's context (``dfc-b``, ``dfc-m``...)."""
    ctx = load_context(profile)["@context"]
    return {k: v for k, v in ctx.items() if isinstance(v, str) and ":" not in k}


@cache
def id_typed_terms(profile: Profile = "v1") -> frozenset[str]:
    """Compact terms whose string values the context reads as IRIs (``"@type": "@id"``)."""
    ctx = load_context(profile)["@context"]
    return frozenset(k for k, v in ctx.items() if isinstance(v, dict) and v.get("@type") == "@id")


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader: a known DFC context from disk, or ``DfcError`` (never the network)."""
    profile = context_profile(url)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": load_context(profile),
    }


def _context_urls(ctx: Any) -> list[str]:
    if isinstance(ctx, str):
        return [ctx]
    if isinstance(ctx, list):
        return [c for c in ctx if isinstance(c, str)]
    return []


def _inline_profile(ctx: Any) -> Profile | None:
    """The profile of an inline context object, recognised by its ``dfc-b`` namespace."""
    items = ctx if isinstance(ctx, list) else [ctx]
    for item in items:
        if isinstance(item, dict):
            inner = item.get("@context", item)
            namespace = inner.get("dfc-b") if isinstance(inner, dict) else None
            for profile in ("v1", "v2"):
                if namespace == prefixes(profile)["dfc-b"]:
                    return profile
    return None


def detect_profile(doc: dict[str, Any]) -> Profile:
    """``"v1"`` or ``"v2"`` from the document's ``@context``.

    Raises ``DfcError("unknown_context")`` when there is no @context, a URL we do not know, or a
    mix of v1 and v2 contexts (the two versions must never be mixed).
    """
    ctx = doc.get("@context") if isinstance(doc, dict) else None
    if ctx is None:
        raise DfcError("unknown_context", "the document has no @context", _node_id(doc))
    found = {context_profile(url) for url in _context_urls(ctx)}
    inline = _inline_profile(ctx)
    if inline:
        found.add(inline)
    if len(found) > 1:
        raise DfcError("unknown_context", "the document mixes DFC v1 and v2 contexts")
    if not found:
        raise DfcError("unknown_context", "the @context names no DFC context", _node_id(doc))
    return found.pop()


def _node_id(doc: Any) -> str | None:
    return doc.get("@id") if isinstance(doc, dict) else None


def _inline_base(doc: dict[str, Any]) -> str | None:
    """An absolute ``@base`` declared in the document's inline context (DFC 1.9 examples)."""
    ctx = doc.get("@context")
    for item in ctx if isinstance(ctx, list) else [ctx]:
        if isinstance(item, dict) and isinstance(item.get("@base"), str):
            base = item["@base"]
            return base if "://" in base else None
    return None


def _options(base: str | None = None) -> dict[str, Any]:
    # base None keeps relative ids relative instead of pyld's http://example.org/base/ fallback
    return {"documentLoader": document_loader, "base": base}


def _pyld_call(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except _pyld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, DfcError):
                raise cause from exc
            cause = getattr(cause, "cause", None) or cause.__cause__
        raise DfcError("invalid_jsonld", f"JSON-LD processing failed: {exc.type}") from exc


def expand(doc: dict[str, Any], base: str | None = None) -> list[dict[str, Any]]:
    """The expanded form of ``doc`` (full IRIs), with ``base`` resolving relative ids."""
    detect_profile(doc)
    return _pyld_call(_pyld.expand, doc, _options(base or _inline_base(doc)))


def flatten(doc: dict[str, Any], base: str | None = None) -> dict[str, Any]:
    """``doc`` expanded (with ``base``) then flattened and compacted with its pinned context URL.

    Every node comes out once at the top of ``@graph`` with an ``@id`` (blank nodes ``_:bN``);
    references become ``{"@id"}`` or, for @id-typed terms, strings.
    """
    profile = detect_profile(doc)
    url = CONTEXT_V1_URL if profile == "v1" else CONTEXT_V2_URL
    expanded = _pyld_call(_pyld.expand, doc, _options(base or _inline_base(doc)))
    return _pyld_call(_pyld.flatten, expanded, url, _options())


def flatten_expanded(doc: dict[str, Any], base: str | None = None) -> list[dict[str, Any]]:
    """``doc`` expanded then flattened without compaction: a list of node objects, full IRIs."""
    expanded = expand(doc, base)
    # pyld's public flatten() expands its input again (half the time of a big catalogue):
    # flatten the expanded form directly
    options = {**_options(), "identifierIssuer": _pyld.IdentifierIssuer("_:b")}
    return _pyld_call(_pyld.JsonLdProcessor()._flatten, expanded, options)


@cache
def _namespace_table() -> tuple[tuple[str, str], ...]:
    """(namespace IRI, prefix) pairs for v1, v2 and variants, the longest namespace first."""
    pairs: dict[str, str] = {}
    for profile in ("v1", "v2"):
        for prefix, namespace in prefixes(profile).items():
            pairs.setdefault(namespace, prefix)
    for prefix, namespaces in _EXTRA_NAMESPACES.items():
        for namespace in namespaces:
            pairs.setdefault(namespace, prefix)
    return tuple(sorted(pairs.items(), key=lambda item: -len(item[0])))


def compact_iri(iri: str) -> str:
    """A CURIE (``dfc-b:Order``) for an IRI under any v1 or v2 DFC namespace, else ``iri``.

    v1 and v2 IRIs of the same term give the same CURIE: this is how v2 documents are mapped back.
    """
    for namespace, prefix in _namespace_table():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def expand_curie(curie: str, profile: Profile = "v1") -> str:
    """The full IRI of a CURIE under ``profile``'s namespaces (unknown prefixes are kept)."""
    prefix, sep, local = curie.partition(":")
    namespace = prefixes(profile).get(prefix) if sep else None
    return namespace + local if namespace and not local.startswith("//") else curie
