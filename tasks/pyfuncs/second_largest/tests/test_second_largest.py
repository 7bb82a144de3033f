import pytest

from solution import second_largest


def test_simple():
    assert second_largest([3, 1, 4, 1, 5]) == 4


def test_duplicates_of_max():
    assert second_largest([7, 7, 2]) == 2


def test_exactly_two_distinct():
    assert second_largest([-1, -2]) == -2


def test_not_enough_values():
    with pytest.raises(ValueError):
        second_largest([5, 5])
    with pytest.raises(ValueError):
        second_largest([])
