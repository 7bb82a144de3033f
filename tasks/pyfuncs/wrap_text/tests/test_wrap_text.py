from solution import wrap_text


def test_exact_fit():
    assert wrap_text("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]


def test_long_word_alone():
    assert wrap_text("a verylongword b", 5) == ["a", "verylongword", "b"]


def test_one_line():
    assert wrap_text("short text", 80) == ["short text"]


def test_blank():
    assert wrap_text("   ", 10) == []
