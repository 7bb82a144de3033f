import pytest

from solution import moving_average


def test_window_two():
    assert moving_average([1, 3, 5, 7], 2) == [2.0, 4.0, 6.0]


def test_window_equals_length():
    assert moving_average([2, 4, 6], 3) == [4.0]


def test_window_too_long_and_empty():
    assert moving_average([1, 2], 3) == []
    assert moving_average([], 1) == []


def test_bad_window():
    with pytest.raises(ValueError):
        moving_average([1, 2], 0)
