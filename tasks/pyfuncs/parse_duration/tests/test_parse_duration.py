import pytest

from solution import parse_duration


def test_hours_and_minutes():
    assert parse_duration("1h30m") == 5400


def test_seconds_only_and_gaps():
    assert parse_duration("45s") == 45
    assert parse_duration("2h5s") == 7205


def test_empty_is_an_error():
    with pytest.raises(ValueError):
        parse_duration("")


def test_garbage():
    with pytest.raises(ValueError):
        parse_duration("5m1h")
