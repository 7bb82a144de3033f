import pytest

from solution import day_of_year


def test_first_day():
    assert day_of_year("2023-01-01") == 1


def test_leap_year():
    assert day_of_year("2024-03-01") == 61
    assert day_of_year("2024-12-31") == 366


def test_bad_date():
    with pytest.raises(ValueError):
        day_of_year("2023-02-30")
