"""French product search: accents, ligatures and case ignored, plurals and word starts found,
small typos forgiven (docs/search.md).

The database keeps a folded copy of the searched texts (``products.search_name``,
``products.search_description``, ``variants.search_name``): " pain d epices " for
"Pain d'épices", lower case ASCII words between single spaces, with a space at each end.
Triggers fill them on every insert or change of the name, whatever writes it (the ORM, the CSV
import's bulk statements, a DFC import): on PostgreSQL the function ``comptoir_fold`` built on the
``unaccent`` extension, on SQLite the same function written here in Python (:func:`fold`) and
registered on each connection. A query is folded the same way, cut into words (French stop words
dropped, a final plural "s"/"x" removed) and each word must start a word of the product's name,
variant name, description or producer's name: ``search_name LIKE '% tomate%'``, backed on
PostgreSQL by ``pg_trgm`` GIN indexes.

When nothing matches, the words that start no word of the catalogue's names are corrected
(:func:`corrections`, Damerau-Levenshtein distance 1, or 2 for long words, against the
catalogue's own vocabulary) and the search runs once more: "fromgae" finds "Fromage".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Index, and_, case, false, literal, or_
from sqlalchemy.engine import Engine
from sqlalchemy.event import listens_for

#: letters NFKD does not decompose, as PostgreSQL's unaccent rules spell them
_SPELLED = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
_WORD = re.compile(r"[a-z0-9]+")

#: words of a query that say nothing about the product (kept when the query has nothing else)
STOP_WORDS = frozenset(
    "a au aux avec d de des du en et l la le les ou par pour sur un une and of the with".split()
)
#: a query keeps this many words, each this long at most (the view also cuts it to 100 chars)
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
#: corrections kept per misspelt word
MAX_CORRECTIONS = 12


def fold(text: str | None) -> str | None:
    """ "Pain d'ÉPICES, œufs" → " pain d epices oeufs " (the stored search form).

    Must give what PostgreSQL's ``comptoir_fold`` gives (lower(unaccent(text)), every run of
    characters other than a-z and 0-9 made one space, a space at each end):
    ``tests/integration/products/test_french_search.py`` compares them.
    """
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    # accents (combining marks) go; any other letter or sign outside ASCII separates words
    plain = "".join(
        c if c.isascii() else "" if unicodedata.combining(c) else " " for c in decomposed
    ).lower()
    return " " + " ".join(_WORD.findall(plain)) + " "


def stem(word: str) -> str:
    """The French plural's final s or x dropped ("tomates" → "tomate", "choux" → "chou")."""
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


@dataclass(frozen=True)
class Query:
    """A search as typed (``text``) and as matched (``terms``: folded, stemmed words)."""

    text: str
    terms: tuple[str, ...]
    #: for a corrected search, the words each misspelt term may stand for
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        """Nothing typed: no filter at all."""
        return not self.text.strip()

    @property
    def corrected(self) -> bool:
        return bool(self.alternatives)


def parse(text: str) -> Query:
    """The words a search looks for; only punctuation or symbols gives no term (matches
    nothing)."""
    words = (fold(text) or "").split()
    kept = [w for w in words if w not in STOP_WORDS] or words
    terms = tuple(dict.fromkeys(stem(w[:MAX_TERM_LENGTH]) for w in kept))[:MAX_TERMS]
    return Query(text=text, terms=terms)


def _pattern(word: str) -> str:
    # a term holds only a-z and 0-9: nothing to escape for LIKE
    return f"% {word}%"


@dataclass(frozen=True)
class Fields:
    """The folded columns a search looks in, from the best match to the weakest.

    ``names`` count as a name match (rank 0 for the first one, 1 for the others), ``others``
    (descriptions) rank 2. ``also`` gives, for a term, a condition of its own (a producer's
    name, a SKU) ranked 1: it is given the words looked for (the term, or its corrections) and
    returns None when it has nothing to add.
    """

    names: tuple[Any, ...]
    others: tuple[Any, ...] = ()
    also: Callable[[tuple[str, ...]], ColumnElement[bool] | None] | None = None

    def _words(self, query: Query, term: str) -> tuple[str, ...]:
        return query.alternatives.get(term, (term,))

    def _hit(self, column: Any, words: Iterable[str]) -> ColumnElement[bool]:
        return or_(*(column.like(_pattern(w)) for w in words))

    def term_condition(self, query: Query, term: str) -> ColumnElement[bool]:
        words = self._words(query, term)
        conditions = [self._hit(c, words) for c in (*self.names, *self.others)]
        if self.also is not None and (more := self.also(words)) is not None:
            conditions.append(more)
        return or_(*conditions)

    def condition(self, query: Query) -> ColumnElement[bool] | None:
        """Every term found somewhere; None for a blank query (no filter)."""
        if query.blank:
            return None
        if not query.terms:
            return false()
        return and_(*(self.term_condition(query, t) for t in query.terms))

    def rank(self, query: Query) -> ColumnElement[Any]:
        """Lower is better: per term 0 when the first name has it, 1 another name (or
        ``also``), 2 elsewhere; a corrected search adds one per term (close matches come after
        exact ones)."""
        if query.blank or not query.terms:
            return literal(0)
        total: ColumnElement[Any] = literal(0)
        for term in query.terms:
            words = self._words(query, term)
            whens: list[tuple[ColumnElement[bool], int]] = [(self._hit(self.names[0], words), 0)]
            whens += [(self._hit(c, words), 1) for c in self.names[1:]]
            if self.also is not None and (more := self.also(words)) is not None:
                whens.append((more, 1))
            penalty = 1 if term in query.alternatives else 0
            total = total + case(*whens, else_=2) + penalty
        return total


def trigram_indexes(table: str, *columns: str) -> list[Index]:
    """GIN trigram indexes backing ``LIKE '% word%'`` on PostgreSQL (a plain index on SQLite,
    where no index serves such a LIKE: the migration makes both, the models declare them)."""
    return [
        Index(
            f"ix_{table}_{column}_trgm",
            column,
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
        for column in columns
    ]


# ----------------------------------------------------------------------------- typo correction


def osa_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, or ``limit + 1`` once it is
    certainly above ``limit``: "fromgae"/"fromage" 1, "tomate"/"tome" 2."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def typo_limit(term: str) -> int:
    """Edits forgiven in a word: none under 4 letters, 1 up to 7, 2 from 8."""
    if len(term) < 4 or term.isdigit():
        return 0
    return 1 if len(term) < 8 else 2


def vocabulary(texts: Iterable[str | None]) -> set[str]:
    """The words of folded texts."""
    words: set[str] = set()
    for text in texts:
        if text:
            words.update(text.split())
    return words


def corrections(query: Query, words: set[str]) -> Query:
    """The query with its misspelt terms given the catalogue's close words.

    A term that starts a word of ``words`` is not misspelt; another one is compared with each
    word and with the word's start of the same length (a typo in a word start: "fromga").
    """
    alternatives: dict[str, tuple[str, ...]] = {}
    for term in query.terms:
        limit = typo_limit(term)
        if not limit or any(w.startswith(term) for w in words):
            continue
        scored = []
        for word in words:
            if word.isdigit():
                continue
            distance = min(
                osa_distance(term, stem(word), limit),
                osa_distance(term, word[: len(term)], limit),
            )
            if distance <= limit:
                scored.append((distance, word))
        if scored:
            alternatives[term] = tuple(w for _d, w in sorted(scored)[:MAX_CORRECTIONS])
    return Query(text=query.text, terms=query.terms, alternatives=alternatives)


# ----------------------------------------------------------------------------- SQLite function


@listens_for(Engine, "connect")
def _register_fold(dbapi_connection: Any, _record: Any) -> None:
    """SQLite has no unaccent: its triggers call this module's :func:`fold` (see the
    migration ``search01``)."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("comptoir_fold", 1, fold, deterministic=True)


def starts_a_word(folded: str | None, words: Iterable[str]) -> bool:
    """Whether one of ``words`` starts a word of a folded text (in Python, as ``LIKE`` does)."""
    if not folded:
        return False
    return any(f" {w}" in folded for w in words)
