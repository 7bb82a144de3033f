import pytest

from solution import last_day_of_month


def test_long_and_short_months():
    assert last_day_of_month(2023, 1) == 31
    assert last_day_of_month(2023, 4) == 30


def test_february():
    assert last_day_of_month(2023, 2) == 28
    assert last_day_of_month(2024, 2) == 29


def test_bad_month():
    with pytest.raises(ValueError):
        last_day_of_month(2024, 13)
