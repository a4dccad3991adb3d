"""The French catalogue: one file, ``translations/fr/LC_MESSAGES/messages.po``.

- ``extract()``: every translatable string of the application (Babel over the packages and the
  templates, mapping in ``babel.cfg``);
- ``update()``: the catalogue brought in line with the sources (new strings added untranslated,
  strings no longer used dropped);
- ``check()``: what CI refuses (untranslated or fuzzy entries, a string of the sources missing
  from the catalogue or a catalogue entry no longer used, placeholders that do not match, a
  per-package catalogue left over);
- ``consolidate()``: folds per-package catalogues (``<pkg>/translations/fr/LC_MESSAGES/
  messages.po``, the layout before there was one catalogue) into the single one and deletes them;
- ``compile_all()``: ``python -m core.catalogs`` compiles the ``.mo`` files.

The command line is ``scripts/i18n.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from core.config import ROOT, translation_directories

LOCALE = "fr"
CATALOG = ROOT / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"
PACKAGE_CATALOG = Path("translations") / LOCALE / "LC_MESSAGES" / "messages.po"
#: the gettext functions our code calls, besides Babel's defaults (_, gettext, ngettext,
#: pgettext, npgettext)
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
#: top-level directories that hold no application strings
NOT_SOURCES = {
    "tests",
    "migrations",
    "docs",
    "static",
    "translations",
    "instance",
    "build",
    "dist",
    "node_modules",
}
WIDTH = 100
PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
HEADER = (
    "# The French catalogue of Comptoir: the only one the application reads.\n"
    "# New strings: python scripts/i18n.py update, then translate (docs/architecture.md, i18n)."
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)")

Key = tuple[str, str | None]  # (msgid, msgctxt)


# -- reading and writing ----------------------------------------------------------------------


def new_catalog() -> Catalog:
    """An empty French catalogue with gettext's two plural forms (CLDR's third, "many", is
    for millions: ngettext has two strings)."""
    catalog = Catalog(locale=LOCALE, project="Comptoir")
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS)]
    return catalog


def read(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale=LOCALE)


def write(catalog: Catalog, path: Path = CATALOG) -> None:
    """Sources without line numbers (a string moving inside a file is no change), no obsolete
    entries."""
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.project = "Comptoir"
    catalog.header_comment = HEADER
    tmp = path.with_suffix(".po.tmp")
    with tmp.open("wb") as po_file:
        write_po(po_file, catalog, width=WIDTH, include_lineno=False, ignore_obsolete=True)
    tmp.replace(path)


def key(message: Message) -> Key:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


def label(k: Key) -> str:
    return f"[{k[1]}] {k[0]!r}" if k[1] else repr(k[0])


def is_translated(message: Message) -> bool:
    strings = _strings(message.string)
    return bool(strings) and all(strings)


def entries(catalog: Catalog) -> Iterator[Message]:
    """The messages, without the header."""
    return (m for m in catalog if m.id)


# -- extraction -------------------------------------------------------------------------------


def _source_dirs(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir()
        and not p.name.startswith((".", "_"))
        and p.name not in NOT_SOURCES
        and not p.name.endswith(".egg-info")
    )


def extract(root: Path = ROOT) -> Catalog:
    """Every string the application translates: Python files and templates of every top-level
    directory except tests, migrations and assets, plus ``app.py``."""
    with (root / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    template = Catalog(locale=None, fuzzy=False)

    def add(
        filename: str,
        lineno: int,
        message: str | tuple[str, ...],
        comments: list[str],
        context: str | None,
    ) -> None:
        template.add(
            message,
            locations=[(filename, lineno)],
            auto_comments=comments,
            context=context,
        )

    for directory in _source_dirs(root):
        for filename, lineno, message, comments, context in extract_from_dir(
            directory,
            method_map,
            options_map,
            keywords=KEYWORDS,
            directory_filter=lambda path: not Path(path).name.startswith((".", "_")),
        ):
            add(f"{directory.name}/{filename}", lineno, message, comments, context)
    for path in sorted(root.glob("*.py")):
        for lineno, message, comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            add(path.name, lineno, message, comments, context)
    return template


def update(path: Path = CATALOG, root: Path = ROOT) -> Catalog:
    """Bring the catalogue in line with the sources: new strings added (untranslated, never
    guessed from a similar one), strings no longer used dropped. Returns the catalogue."""
    template = extract(root)
    catalog = read(path) if path.exists() else new_catalog()
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    write(catalog, path)
    return catalog


# -- the CI check -----------------------------------------------------------------------------


def placeholder_problem(message: Message) -> str | None:
    """A French string that would fail or lose a value when formatted like the English one:
    ``%(name)s`` not in the msgid (KeyError at run time), one missing, or ``%`` where ``%%`` is
    needed. A string with neither ``%(name)s`` nor ``%%`` is not formatted (flask-babel's
    ``_()`` formats only with variables) and is left alone: "1 % commission"."""
    ids = _strings(message.id)
    strings = _strings(message.string)
    names = {name for msgid in ids for name in _PLACEHOLDER.findall(msgid)}
    if not names and not any("%%" in msgid for msgid in ids):
        return None
    values = dict.fromkeys(names, 1)  # a number suits %s, %d and %.2f alike
    for i, string in enumerate(strings):
        if not string:
            continue
        found = set(_PLACEHOLDER.findall(string))
        if found - names:
            return f"unknown placeholder(s) {sorted(found - names)}"
        # a plural's singular may leave the number out ("une erreur"); other strings keep all
        if (len(strings) == 1 or i > 0) and names - found:
            return f"placeholder(s) {sorted(names - found)} missing"
        try:
            string % values
        except (ValueError, TypeError, KeyError) as exc:
            return f"cannot be formatted ({exc}); a literal % is written %%"
    return None


@dataclass
class Report:
    leftover: list[Path] = field(default_factory=list)
    untranslated: list[Key] = field(default_factory=list)
    fuzzy: list[Key] = field(default_factory=list)
    missing: list[Key] = field(default_factory=list)
    unused: list[Key] = field(default_factory=list)
    placeholders: list[tuple[Key, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(
            (
                self.leftover,
                self.untranslated,
                self.fuzzy,
                self.missing,
                self.unused,
                self.placeholders,
            )
        )

    def lines(self) -> list[str]:
        out = [f"per-package catalogue (run consolidate): {p}" for p in self.leftover]
        out += [f"untranslated: {label(k)}" for k in self.untranslated]
        out += [f"fuzzy: {label(k)}" for k in self.fuzzy]
        out += [f"used in the sources, not in the catalogue: {label(k)}" for k in self.missing]
        out += [f"in the catalogue, no longer used: {label(k)}" for k in self.unused]
        out += [f"placeholders: {label(k)}: {why}" for k, why in self.placeholders]
        return out


def package_catalogs(root: Path = ROOT) -> list[Path]:
    """Per-package catalogues still present (at any depth below a top-level directory)."""
    return sorted(
        po_path
        for directory in root.iterdir()
        if directory.is_dir()
        and not directory.name.startswith(".")
        and directory.name != "translations"
        for po_path in directory.glob(f"**/{PACKAGE_CATALOG}")
    )


def check(path: Path = CATALOG, root: Path = ROOT) -> Report:
    report = Report(leftover=package_catalogs(root))
    catalog = read(path)
    for message in entries(catalog):
        k = key(message)
        if message.fuzzy:
            report.fuzzy.append(k)
        elif not is_translated(message):
            report.untranslated.append(k)
        problem = placeholder_problem(message)
        if problem:
            report.placeholders.append((k, problem))
    in_catalog = {key(m) for m in entries(catalog)}
    in_sources = {key(m) for m in entries(extract(root))}
    report.missing = sorted(in_sources - in_catalog, key=str)
    report.unused = sorted(in_catalog - in_sources, key=str) + [
        (m if isinstance(m, str) else m[0], None) for m in catalog.obsolete
    ]
    return report


# -- consolidation of per-package catalogues --------------------------------------------------


@dataclass
class Folded:
    added: int = 0
    filled: int = 0
    #: (where from, entry, translation kept, translation refused)
    conflicts: list[tuple[str, Key, str, str]] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    """A message's id or string as a list (plural forms are tuples; babel types it Optional)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _text(string: str | tuple[str, ...] | list[str] | None) -> str:
    return " | ".join(_strings(string))


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    # a maintainer's tool: git from PATH, no shell
    return subprocess.run(  # noqa: S603
        ["git", *args],  # noqa: S607
        cwd=root,
        capture_output=True,
        check=False,
    )


def _at_revision(relative: str, revision: str, root: Path) -> Catalog | None:
    """A catalogue as it was at ``revision`` (None if it did not exist then)."""
    shown = _git(root, "show", f"{revision}:{relative}")
    if shown.returncode != 0:
        return None
    return read_po(BytesIO(shown.stdout), locale=LOCALE)


def _catalogs_at(revision: str, root: Path) -> list[str]:
    """Every French catalogue of a git revision: the single one and per-package ones."""
    listed = _git(root, "ls-tree", "-r", "--name-only", revision)
    if listed.returncode != 0:
        raise ValueError(f"unknown git revision {revision!r}: {listed.stderr.decode().strip()}")
    suffix = PACKAGE_CATALOG.as_posix()
    return sorted(n for n in listed.stdout.decode().splitlines() if n.endswith(suffix))


def consolidate(
    path: Path = CATALOG,
    root: Path = ROOT,
    base: str | None = None,
    branches: Iterable[str] = (),
    delete: bool = True,
) -> Folded:
    """Fold every per-package catalogue into the single one, then delete it.

    An entry new to the catalogue is added; an empty translation in the catalogue is filled;
    a different non-empty translation is a conflict: the catalogue keeps its own, the
    conflict is reported. With ``base`` (a git revision), entries a catalogue already held,
    unchanged, at that revision are skipped: they were consolidated (and their conflicts
    decided) then, only what was added or changed since is folded.

    ``branches`` (git revisions) are read from git, not from the working tree: their
    catalogues, per-package ones and the single one, are folded the same way (what they added
    since ``base``). A merge that conflicts on a catalogue can take this side's files and
    fold the other side's with ``--branch``."""
    result = Folded()
    catalog = read(path) if path.exists() else new_catalog()
    sources: list[tuple[str, Catalog, Catalog | None, Path | None]] = []
    package_path: Path | None
    for package_path in package_catalogs(root):
        relative = package_path.relative_to(root).as_posix()
        before = _at_revision(relative, base, root) if base else None
        sources.append((relative, read(package_path), before, package_path))
    for branch in branches:
        for relative in _catalogs_at(branch, root):
            other = _at_revision(relative, branch, root)
            before = _at_revision(relative, base, root) if base else None
            if other is not None:
                sources.append((f"{branch}:{relative}", other, before, None))
    for origin, other, before, package_path in sources:
        _fold(catalog, other, before, origin, result)
        if delete and package_path is not None:
            _delete(package_path, root)
            result.deleted.append(package_path)
    write(catalog, path)
    return result


def _fold(
    catalog: Catalog, other: Catalog, before: Catalog | None, origin: str, result: Folded
) -> None:
    for message in entries(other):
        k = key(message)
        if before is not None:
            old = before.get(*k)
            if old is not None and old.string == message.string:
                continue
        current = catalog.get(*k)
        if not is_translated(message) or message.fuzzy:
            if current is None:
                catalog[message.id] = _copy(message)
                result.added += 1
        elif current is None:
            catalog[message.id] = _copy(message)
            result.added += 1
        elif not is_translated(current) or current.fuzzy:
            current.string = message.string
            current.flags.discard("fuzzy")
            result.filled += 1
        elif current.string != message.string:
            result.conflicts.append((origin, k, _text(current.string), _text(message.string)))


def _copy(message: Message) -> Message:
    return Message(
        message.id,
        message.string,
        flags=message.flags - {"fuzzy"} if is_translated(message) else message.flags,
        user_comments=message.user_comments,
        context=message.context,
    )


def _delete(po_path: Path, root: Path) -> None:
    """The .po, its .mo, and the directories left empty up to ``<pkg>/translations``."""
    for stale in (po_path, po_path.with_suffix(".mo")):
        stale.unlink(missing_ok=True)
    directory = po_path.parent
    while directory != root and directory.name != "" and not any(directory.iterdir()):
        directory.rmdir()
        if directory.name == "translations":
            break
        directory = directory.parent


# -- compilation ------------------------------------------------------------------------------


def compile_all() -> int:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older; return how many."""
    count = 0
    for directory in translation_directories():
        for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalog = read(po_path)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            os.replace(tmp, mo_path)
            count += 1
    return count


if __name__ == "__main__":
    print(f"compiled {compile_all()} catalog(s)")
