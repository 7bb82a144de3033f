from solution import is_leap_year


def test_ordinary():
    assert is_leap_year(2024) and not is_leap_year(2023)


def test_centuries():
    assert not is_leap_year(1900)
    assert is_leap_year(2000)


def test_year_zero_and_negative():
    assert is_leap_year(0)
    assert is_leap_year(-4)
