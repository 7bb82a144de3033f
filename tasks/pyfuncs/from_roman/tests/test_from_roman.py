import pytest

from solution import from_roman


def test_subtractive():
    assert from_roman("MCMXCIV") == 1994
    assert from_roman("IV") == 4


def test_additive():
    assert from_roman("VIII") == 8


def test_empty_is_an_error():
    with pytest.raises(ValueError):
        from_roman("")


def test_bad_character():
    with pytest.raises(ValueError):
        from_roman("XIZ")
