from solution import longest_common_prefix


def test_common_prefix():
    assert longest_common_prefix(["flower", "flow", "flight"]) == "fl"


def test_whole_word_is_prefix():
    assert longest_common_prefix(["flow", "flower"]) == "flow"


def test_no_common_prefix():
    assert longest_common_prefix(["dog", "car"]) == ""


def test_empty():
    assert longest_common_prefix([]) == ""
