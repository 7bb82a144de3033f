from solution import top_k_words


def test_most_frequent_first():
    assert top_k_words("b a b c b a", 2) == ["b", "a"]


def test_ties_alphabetical():
    assert top_k_words("pear apple fig", 3) == ["apple", "fig", "pear"]


def test_k_larger_than_vocabulary():
    assert top_k_words("one one two", 10) == ["one", "two"]


def test_zero_k_and_empty_text():
    assert top_k_words("some words", 0) == []
    assert top_k_words("", 3) == []
