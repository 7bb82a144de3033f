import pytest

from solution import to_roman


def test_subtractive():
    assert to_roman(4) == "IV"
    assert to_roman(1994) == "MCMXCIV"


def test_exact_values():
    assert to_roman(1) == "I"
    assert to_roman(3999) == "MMMCMXCIX"


def test_out_of_range():
    for bad in [0, -1, 4000]:
        with pytest.raises(ValueError):
            to_roman(bad)
