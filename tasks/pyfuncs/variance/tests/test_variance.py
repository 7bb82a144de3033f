import pytest

from solution import variance


def test_known_value():
    assert variance([2, 4, 4, 4, 5, 5, 7, 9]) == 4.0


def test_constant_list():
    assert variance([3, 3, 3]) == 0.0


def test_single_value():
    assert variance([10]) == 0.0


def test_empty():
    with pytest.raises(ValueError):
        variance([])
