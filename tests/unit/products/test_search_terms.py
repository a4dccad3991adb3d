"""products.search without a database: folding, query words, typo distance and corrections."""

from __future__ import annotations

from products.search import corrections, fold, osa_distance, parse, starts_a_word, vocabulary


def test_fold_drops_accents_ligatures_case_and_punctuation():
    assert fold("Œufs bio") == " oeufs bio "
    assert fold("Crème FRAÎCHE") == " creme fraiche "
    assert fold("Pain d’épices") == " pain d epices "
    assert fold("Æble, Straße & Smørrebrød") == " aeble strasse smorrebrod "
    assert fold("!!!") == "  "
    assert fold(None) is None


def test_query_words_are_folded_stemmed_and_bounded():
    assert parse("Œufs").terms == ("oeuf",)
    assert parse("les tomates de Bretagne").terms == ("tomate", "bretagne")
    assert parse("choux").terms == ("chou",)
    assert parse("jus").terms == ("jus",)  # too short to be a plural
    assert parse("de la").terms == ("de", "la")  # only stop words: kept
    assert parse("oeuf OEUFS Œuf").terms == ("oeuf",)
    assert len(parse(" ".join(f"mot{i}" for i in range(50))).terms) == 8
    assert parse("x" * 500).terms == ("x" * 39,)  # 40 letters, the plural x dropped
    punctuation = parse("?!%_")
    assert punctuation.terms == ()
    assert not punctuation.blank
    assert parse("   ").blank


def test_word_starts_in_python_as_in_sql():
    assert starts_a_word(" ferme du chene ", ("che",))
    assert not starts_a_word(" ferme du chene ", ("hene",))
    assert not starts_a_word("", ("a",))


def test_transpositions_cost_one_edit():
    assert osa_distance("fromgae", "fromage", 2) == 1
    assert osa_distance("confiutre", "confiture", 2) == 1
    assert osa_distance("meil", "miel", 1) == 1
    assert osa_distance("tomate", "tome", 1) == 2  # above the limit: limit + 1
    assert osa_distance("poire", "poivre", 1) == 1
    assert osa_distance("abc", "abcdefgh", 2) == 3


def test_only_unknown_words_are_corrected_against_the_vocabulary():
    words = vocabulary(
        [" fromage de chevre ", " confiture de fraises ", " poivre noir ", " poires "]
    )
    query = corrections(parse("fromgae chevre"), words)
    assert query.alternatives == {"fromgae": ("fromage",)}
    assert corrections(parse("confiutres"), words).alternatives == {"confiutre": ("confiture",)}
    # a known word start is not corrected ("poire" is not "poivre")
    assert corrections(parse("poire"), words).alternatives == {}
    # short words and numbers are never corrected
    assert corrections(parse("pom 42"), words).alternatives == {}
    assert not corrections(parse("xylophone"), words).corrected
