"""DFC documents in and out: the entry points of the package.

Out: ``{"@context": CONTEXT_V1_URL, "@graph": [node, ...]}``, flat, one node per record, the
context a single URL string (the FDC app rewrites only a string context). :func:`build_document`
builds it in memory; :func:`iter_document_chunks` streams the same JSON text node by node so
that an export of thousands of orders keeps flat memory (feed it a generator, e.g. a
``yield_per`` query mapped to records, and hand it to a streaming response).

In: :func:`parse_document` (:mod:`interop.graph`) and :func:`extract_catalog`
(:mod:`interop.catalog`), re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from interop.catalog import ImportedProduct, extract_catalog
from interop.graph import Graph, Node, Ref, parse_document
from interop.jsonld import CONTEXT_V1_URL
from interop.schemas import dump_node


def build_document(nodes: Iterable[Any]) -> dict[str, Any]:
    """The DFC 1.16 document of ``nodes`` (records of :mod:`interop.nodes`), in their order."""
    return {"@context": CONTEXT_V1_URL, "@graph": [dump_node(node) for node in nodes]}


def iter_document_chunks(nodes: Iterable[Any], *, indent: int | None = None) -> Iterator[str]:
    """The JSON text of :func:`build_document`, yielded one node at a time.

    Joining the chunks gives a document equal to ``build_document(nodes)``; only one node is
    held at a time, so memory does not grow with the number of nodes.
    """
    yield '{"@context": ' + json.dumps(CONTEXT_V1_URL) + ', "@graph": ['
    separator = ""
    for node in nodes:
        yield separator + json.dumps(dump_node(node), ensure_ascii=False, indent=indent)
        separator = ", "
    yield "]}"


__all__ = [
    "CONTEXT_V1_URL",
    "Graph",
    "ImportedProduct",
    "Node",
    "Ref",
    "build_document",
    "extract_catalog",
    "iter_document_chunks",
    "parse_document",
]
