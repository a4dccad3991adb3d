"""Maintain a domain's French catalog.

    python scripts/i18n.py extract DOMAIN      # (re)extract DOMAIN's strings into its catalog
    python scripts/i18n.py missing DOMAIN      # list msgids without a French translation
    python scripts/i18n.py fill DOMAIN FILE    # merge translations from a JSON {msgid: msgstr}

DOMAIN is a package name (its code and templates/<package>/), or "root" for core/, pages/ and the
shared templates. Catalogs live in <package>/translations/fr/LC_MESSAGES/messages.po
(translations/ for root); Flask-Babel merges them all (BABEL_TRANSLATION_DIRECTORIES).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
ROOT_SOURCES = [
    "core",
    "pages",
    "templates/base.html",
    "templates/_macros.html",
    "templates/errors",
    "templates/pages",
]


def catalog_path(domain: str) -> Path:
    base = ROOT / "translations" if domain == "root" else ROOT / domain / "translations"
    return base / "fr" / "LC_MESSAGES" / "messages.po"


def sources(domain: str) -> list[str]:
    if domain == "root":
        return ROOT_SOURCES
    found = [domain]
    if (ROOT / "templates" / domain).is_dir():
        found.append(f"templates/{domain}")
    if (ROOT / "templates" / "emails" / domain).is_dir():
        found.append(f"templates/emails/{domain}")
    return found


def extract(domain: str) -> None:
    pot = ROOT / f".{domain}.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "-o",
            str(pot),
            *sources(domain),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    po = catalog_path(domain)
    cmd = "update" if po.exists() else "init"
    args = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        cmd,
        "-i",
        str(pot),
        "-d",
        str(po.parents[2]),
        "-l",
        "fr",
    ]
    if cmd == "update":
        args.append("--no-fuzzy-matching")
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    pot.unlink()


def missing(domain: str) -> list[str]:
    with catalog_path(domain).open("rb") as f:
        catalog = read_po(f)
    return [
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]


def fill(domain: str, translations: dict[str, str | list[str]]) -> None:
    path = catalog_path(domain)
    with path.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, width=100)


if __name__ == "__main__":
    action, name = sys.argv[1], sys.argv[2]
    if action == "extract":
        extract(name)
        print(f"{len(missing(name))} string(s) to translate in {catalog_path(name)}")
    elif action == "missing":
        print("\n".join(missing(name)))
    elif action == "fill":
        fill(name, json.loads(Path(sys.argv[3]).read_text(encoding="utf-8")))
        print(f"{len(missing(name))} string(s) still untranslated")
