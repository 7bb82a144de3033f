from solution import add_business_days


def test_within_week():
    assert add_business_days("2024-06-03", 2) == "2024-06-05"


def test_skips_weekend():
    assert add_business_days("2024-06-07", 1) == "2024-06-10"


def test_zero_days():
    assert add_business_days("2024-06-08", 0) == "2024-06-08"


def test_two_weeks():
    assert add_business_days("2024-06-03", 10) == "2024-06-17"
