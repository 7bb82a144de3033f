from solution import caesar_shift


def test_shift_wraps():
    assert caesar_shift("xyz", 3) == "abc"


def test_keeps_case_and_punctuation():
    assert caesar_shift("Hello, World!", 1) == "Ifmmp, Xpsme!"


def test_negative_and_large_shift():
    assert caesar_shift("abc", -1) == "zab"
    assert caesar_shift("abc", 27) == "bcd"


def test_empty():
    assert caesar_shift("", 5) == ""
