"""Compile the gettext catalogs (.po -> .mo) of every translation directory."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.config import translation_directories


def compile_all() -> int:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older; return how many."""
    count = 0
    for directory in translation_directories():
        for po_path in Path(directory).glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            tmp.replace(mo_path)
            count += 1
    return count


if __name__ == "__main__":
    print(f"compiled {compile_all()} catalog(s)")
