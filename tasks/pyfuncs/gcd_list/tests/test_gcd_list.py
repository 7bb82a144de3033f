import pytest

from solution import gcd_list


def test_common_divisor():
    assert gcd_list([12, 18, 24]) == 6


def test_negative_and_zero():
    assert gcd_list([-4, 6]) == 2
    assert gcd_list([0, 0]) == 0


def test_single():
    assert gcd_list([7]) == 7


def test_empty():
    with pytest.raises(ValueError):
        gcd_list([])
