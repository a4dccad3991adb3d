"""Maintain the French catalogue, translations/fr/LC_MESSAGES/messages.po (one for the whole app).

    python scripts/i18n.py update              # extract the sources, add new strings, drop unused
    python scripts/i18n.py missing             # list the entries without a French translation
    python scripts/i18n.py fill FILE           # merge translations from JSON (see below)
    python scripts/i18n.py check               # CI (make lint): exit 1 on anything to fix
    python scripts/i18n.py consolidate [--base REV] [--branch REV ...]
                                               # fold <pkg>/translations/fr/LC_MESSAGES/messages.po
                                               # files into the catalogue and delete them

FILE is ``{"msgid": "msgstr", ...}`` (a plural's msgstr a list of two strings), or a list of
``{"msgctxt": ..., "msgid": ..., "msgstr": ...}`` for entries with a context.
``update``, ``fill`` and ``consolidate`` also compile the catalogue (``python -m core.catalogs``).
``consolidate`` keeps the catalogue's translation where a package file has another one and
lists these conflicts; ``--base REV`` skips the entries a package file already held at git
revision REV (folded and decided then), so only what was added since is folded and reported.
``--branch REV`` also folds the catalogues of a git revision (its package files and its
single catalogue) without checking them out: after a merge that conflicts on a catalogue, keep
this side's files and fold the other side's, e.g.
``python scripts/i18n.py consolidate --base 2d73a85 --branch wt/other``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import catalogs  # noqa: E402


def _missing() -> list[str]:
    catalog = catalogs.read(catalogs.CATALOG)
    return [
        catalogs.label(catalogs.key(m))
        for m in catalogs.entries(catalog)
        if m.fuzzy or not catalogs.is_translated(m)
    ]


def _fill(data: dict[str, str | list[str]] | list[dict[str, str | list[str]]]) -> int:
    wanted: dict[catalogs.Key, str | list[str]] = {}
    if isinstance(data, dict):
        wanted = {(msgid, None): msgstr for msgid, msgstr in data.items()}
    else:
        for item in data:
            msgid, context = item["msgid"], item.get("msgctxt")
            if not isinstance(msgid, str) or not isinstance(context, str | None):
                raise SystemExit(f"msgid and msgctxt are strings: {item!r}")
            wanted[(msgid, context)] = item["msgstr"]
    catalog = catalogs.read(catalogs.CATALOG)
    filled = 0
    for message in catalogs.entries(catalog):
        k = catalogs.key(message)
        if k in wanted:
            value = wanted.pop(k)
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
            filled += 1
    catalogs.write(catalog)
    for k in wanted:
        print(f"not in the catalogue (run update first?): {catalogs.label(k)}", file=sys.stderr)
    return filled


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("update", help="sync the catalogue with the sources")
    commands.add_parser("extract", help="same as update")
    commands.add_parser("missing", help="list untranslated or fuzzy entries")
    fill = commands.add_parser("fill", help="merge translations from a JSON file")
    fill.add_argument("file", type=Path)
    commands.add_parser("check", help="exit 1 if the catalogue needs work (CI)")
    consolidate = commands.add_parser("consolidate", help="fold per-package catalogues in")
    consolidate.add_argument("--base", help="git revision: skip entries unchanged since")
    consolidate.add_argument(
        "--branch",
        action="append",
        default=[],
        help="also fold this git revision's catalogues (repeatable)",
    )
    args, _ignored = parser.parse_known_args(argv)  # "extract DOMAIN" of old still works

    if args.command in ("update", "extract"):
        catalogs.update()
        catalogs.compile_all()
        where = catalogs.CATALOG.relative_to(catalogs.ROOT)
        print(f"{len(_missing())} string(s) to translate in {where}")
    elif args.command == "missing":
        print("\n".join(_missing()))
    elif args.command == "fill":
        filled = _fill(json.loads(args.file.read_text(encoding="utf-8")))
        catalogs.compile_all()
        print(f"{filled} filled, {len(_missing())} string(s) still untranslated")
    elif args.command == "check":
        report = catalogs.check()
        for line in report.lines():
            print(line)
        if not report.ok:
            print(
                "The French catalogue needs work: python scripts/i18n.py update, translate "
                "(python scripts/i18n.py missing / fill), see docs/architecture.md (i18n).",
                file=sys.stderr,
            )
            return 1
        print(f"{catalogs.CATALOG.relative_to(catalogs.ROOT)}: complete and up to date")
    elif args.command == "consolidate":
        folded = catalogs.consolidate(base=args.base, branches=args.branch)
        for origin, k, kept, refused in folded.conflicts:
            print(f"conflict: {catalogs.label(k)}: kept {kept!r}, {origin} had {refused!r}")
        for path in folded.deleted:
            print(f"deleted {path.relative_to(catalogs.ROOT)}")
        catalogs.update()
        catalogs.compile_all()
        print(
            f"{folded.added} added, {folded.filled} filled, {len(folded.conflicts)} conflict(s); "
            f"{len(_missing())} string(s) to translate"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
