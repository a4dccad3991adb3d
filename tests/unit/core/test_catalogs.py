"""The French catalogue: the CI check (core.catalogs.check, run by ``make lint``) and the
consolidation of per-package catalogues."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from core import catalogs


def test_the_catalogue_is_complete_and_up_to_date():
    """What ``python scripts/i18n.py check`` refuses: see its message for the fix."""
    report = catalogs.check()
    assert report.ok, "\n".join(report.lines())


# -- a small project ---------------------------------------------------------------------------

SOURCE = """
from flask_babel import gettext as _, lazy_gettext as _l, pgettext

LABEL = _l("Shop")
def view(n):
    return _("Hello %(name)s", name="x"), pgettext("button", "Shop"), _("Paid")
"""
TEMPLATE = '{{ _("Cart") }} {{ ngettext("%(num)s item", "%(num)s items", 2) }}\n'


def _project(tmp_path: Path) -> Path:
    shutil.copy(catalogs.ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "views.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "templates" / "shop").mkdir(parents=True)
    (tmp_path / "templates" / "shop" / "cart.html").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text('_("Not a source")\n', encoding="utf-8")
    return tmp_path


def _catalog(path: Path, *entries: tuple) -> Path:
    catalog = catalogs.new_catalog()
    for entry in entries:
        msgid, msgstr, *rest = entry
        catalog.add(msgid, msgstr, context=rest[0] if rest else None)
    catalogs.write(catalog, path)
    return path


COMPLETE = (
    ("Shop", "Boutique"),
    ("Shop", "Faire mes courses", "button"),
    ("Hello %(name)s", "Bonjour %(name)s"),
    ("Paid", "Payée"),
    ("Cart", "Panier"),
    (("%(num)s item", "%(num)s items"), ("%(num)s article", "%(num)s articles")),
)


def _root_catalog(root: Path) -> Path:
    return root / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_extract_reads_packages_and_templates_with_contexts_not_tests(tmp_path):
    root = _project(tmp_path)
    found = {catalogs.key(m) for m in catalogs.entries(catalogs.extract(root))}
    assert found == {
        ("Shop", None),
        ("Shop", "button"),
        ("Hello %(name)s", None),
        ("Paid", None),
        ("Cart", None),
        ("%(num)s item", None),
    }


def test_check_passes_a_complete_catalogue(tmp_path):
    root = _project(tmp_path)
    report = catalogs.check(_catalog(_root_catalog(root), *COMPLETE), root)
    assert report.ok, report.lines()


def test_check_refuses_untranslated_fuzzy_missing_unused_and_bad_placeholders(tmp_path):
    root = _project(tmp_path)
    path = _catalog(
        _root_catalog(root),
        ("Shop", ""),  # untranslated
        ("Hello %(name)s", "Bonjour %(nom)s"),  # a KeyError at run time
        ("Paid", "Payée"),
        (("%(num)s item", "%(num)s items"), ("un article", "%(num)s articles")),  # allowed
        ("Gone", "Parti"),  # no longer in the sources
    )
    catalog = catalogs.read(path)
    catalog.get("Paid").flags.add("fuzzy")
    catalogs.write(catalog, path)
    package = root / "shop" / catalogs.PACKAGE_CATALOG
    _catalog(package, ("Cart", "Panier"))

    report = catalogs.check(path, root)
    assert not report.ok
    assert report.untranslated == [("Shop", None)]
    assert report.fuzzy == [("Paid", None)]
    assert report.missing == [("Cart", None), ("Shop", "button")]
    assert report.unused == [("Gone", None)]
    assert report.placeholders == [(("Hello %(name)s", None), "unknown placeholder(s) ['nom']")]
    assert report.leftover == [package]


def test_placeholders_percent_signs_must_survive_formatting():
    from babel.messages.catalog import Message

    def problem(msgid, msgstr):
        return catalogs.placeholder_problem(Message(msgid, msgstr))

    assert problem("VAT (%(rate)s %%)", "TVA (%(rate)s %%)") is None
    assert "cannot be formatted" in problem("VAT (%(rate)s %%)", "TVA (%(rate)s %)")
    assert "missing" in problem("%(a)s for %(b)s", "%(a)s")
    assert problem("The 1 % commission", "La commission de 1 %") is None  # not formatted
    assert "cannot be formatted" in problem("Up 5 %%", "En hausse de 5 %")  # a template's


def test_consolidate_folds_package_catalogues_and_deletes_them(tmp_path):
    root = _project(tmp_path)
    path = _catalog(_root_catalog(root), ("Shop", "Boutique"), ("Paid", ""))
    shop = _catalog(
        root / "shop" / catalogs.PACKAGE_CATALOG,
        ("Shop", "Magasin"),  # conflict: the catalogue keeps its own
        ("Paid", "Payée"),  # fills the empty one
        ("Cart", "Panier"),  # new
        ("Hello %(name)s", ""),  # nothing to fold
    )
    shop.with_suffix(".mo").write_bytes(b"")
    nested = _catalog(root / "shop" / "admin" / catalogs.PACKAGE_CATALOG, ("Cart", "Chariot"))

    folded = catalogs.consolidate(path, root)

    # in path order: shop/admin's Cart is new; then shop's Hello (untranslated) is new, its
    # Paid fills the empty one, its Shop and Cart conflict with what is already there
    assert (folded.added, folded.filled) == (2, 1)
    assert folded.conflicts == [
        ("shop/translations/fr/LC_MESSAGES/messages.po", ("Shop", None), "Boutique", "Magasin"),
        ("shop/translations/fr/LC_MESSAGES/messages.po", ("Cart", None), "Chariot", "Panier"),
    ]
    assert folded.deleted == [nested, shop]
    catalog = catalogs.read(path)
    assert catalog.get("Paid").string == "Payée"
    assert catalog.get("Cart").string == "Chariot"
    assert catalog.get("Shop").string == "Boutique"
    assert catalogs.package_catalogs(root) == []
    assert not (root / "shop" / "translations").exists()
    assert not (root / "shop" / "admin" / "translations").exists()
    assert (root / "shop" / "views.py").exists()


def test_consolidate_with_a_base_folds_only_what_changed_since(tmp_path):
    root = _project(tmp_path)
    path = _catalog(_root_catalog(root), ("Shop", "Boutique"))
    package = root / "shop" / catalogs.PACKAGE_CATALOG
    _catalog(package, ("Shop", "Magasin"))  # a conflict decided when consolidated first

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "0")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
    _catalog(package, ("Shop", "Magasin"), ("Cart", "Panier"), ("Paid", "Réglé"))

    folded = catalogs.consolidate(path, root, base="HEAD")

    assert folded.conflicts == []  # "Magasin" was there at the base: decided then
    assert folded.added == 2
    assert catalogs.read(path).get("Paid").string == "Réglé"
    assert not package.exists()


def test_consolidate_folds_another_branchs_catalogues_from_git(tmp_path):
    """After a merge that conflicts on catalogues: keep this side's, fold the other branch's
    additions (its package files and its single catalogue) read from git."""
    root = _project(tmp_path)
    path = _catalog(_root_catalog(root), ("Shop", "Commander"))
    package = root / "shop" / catalogs.PACKAGE_CATALOG
    _catalog(package, ("Paid", "Payé"))

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "other")  # a helper adds strings the old way
    _catalog(package, ("Paid", "Payé"), ("Cart", "Panier"))
    _catalog(path, ("Shop", "Commander"), ("Hello %(name)s", "Bonjour %(name)s"))
    git("commit", "-q", "-am", "other")
    git("checkout", "-q", "main")  # this side consolidated and decided "Paid" and "Shop"
    _catalog(path, ("Shop", "Boutique"), ("Paid", "Payée"))
    package.unlink()

    folded = catalogs.consolidate(path, root, base="HEAD", branches=["other"])

    assert folded.conflicts == []  # the other side's "Payé" and "Commander" date from the base
    assert folded.added == 2
    catalog = catalogs.read(path)
    assert {catalogs.key(m)[0]: m.string for m in catalogs.entries(catalog)} == {
        "Shop": "Boutique",
        "Paid": "Payée",
        "Hello %(name)s": "Bonjour %(name)s",
        "Cart": "Panier",
    }
