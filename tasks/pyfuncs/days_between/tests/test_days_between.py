from solution import days_between


def test_same_day():
    assert days_between("2024-05-05", "2024-05-05") == 0


def test_order_does_not_matter():
    assert days_between("2024-03-01", "2024-02-01") == 29


def test_across_years():
    assert days_between("2023-12-31", "2025-01-01") == 367
