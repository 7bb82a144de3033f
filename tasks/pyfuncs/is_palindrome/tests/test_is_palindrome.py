from solution import is_palindrome


def test_sentence_palindrome():
    assert is_palindrome("A man, a plan, a canal: Panama")


def test_two_letters_differ():
    assert not is_palindrome("ab")


def test_not_palindrome():
    assert not is_palindrome("overseer!")


def test_empty_and_symbols():
    assert is_palindrome("")
    assert is_palindrome("?!")
