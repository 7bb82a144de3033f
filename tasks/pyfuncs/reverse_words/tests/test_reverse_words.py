from solution import reverse_words


def test_three_words():
    assert reverse_words("one two three") == "three two one"


def test_messy_whitespace():
    assert reverse_words("  hello \t  world\n") == "world hello"


def test_single_word():
    assert reverse_words("alone") == "alone"


def test_blank():
    assert reverse_words("   ") == ""
