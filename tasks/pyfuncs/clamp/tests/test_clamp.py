import pytest

from solution import clamp


def test_inside_and_outside():
    assert clamp(5, 0, 10) == 5
    assert clamp(-1, 0, 10) == 0
    assert clamp(11, 0, 10) == 10


def test_degenerate_range():
    assert clamp(3, 2, 2) == 2


def test_bad_range():
    with pytest.raises(ValueError):
        clamp(1, 5, 4)
