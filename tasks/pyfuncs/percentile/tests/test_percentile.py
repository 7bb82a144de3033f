import pytest

from solution import percentile


def test_median_like():
    assert percentile([15, 20, 35, 40, 50], 40) == 20


def test_extremes():
    assert percentile([3, 1, 2], 0) == 1
    assert percentile([3, 1, 2], 100) == 3


def test_errors():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)
