from solution import title_case


def test_small_words():
    assert title_case("the lord of the rings") == "The Lord of the Rings"


def test_mixed_case_input():
    assert title_case("hELLO wORLD") == "Hello World"


def test_first_word_small():
    assert title_case("a tale") == "A Tale"


def test_empty():
    assert title_case("") == ""
