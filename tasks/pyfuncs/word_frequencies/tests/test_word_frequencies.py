from solution import word_frequencies


def test_counts_case_insensitively():
    assert word_frequencies("The cat and the hat") == {"the": 2, "cat": 1, "and": 1, "hat": 1}


def test_apostrophes_and_punctuation():
    assert word_frequencies("Don't stop, don't!") == {"don't": 2, "stop": 1}


def test_returns_plain_dict():
    assert type(word_frequencies("a a")) is dict


def test_empty():
    assert word_frequencies("") == {}
