from solution import balanced_brackets


def test_nested():
    assert balanced_brackets("{[()()]}")


def test_wrong_order():
    assert not balanced_brackets("([)]")


def test_unclosed_and_extra_closer():
    assert not balanced_brackets("((")
    assert not balanced_brackets("())")


def test_ignores_text_and_empty():
    assert balanced_brackets("f(x) = [a, {b}]")
    assert balanced_brackets("")
