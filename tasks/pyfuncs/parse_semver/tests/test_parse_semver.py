import pytest

from solution import parse_semver


def test_plain():
    assert parse_semver("1.2.3") == (1, 2, 3)


def test_v_prefix_and_big_numbers():
    assert parse_semver("v10.0.42") == (10, 0, 42)


def test_rejects_bad_input():
    for bad in ["1.2", "1.2.3.4", "a.b.c", ""]:
        with pytest.raises(ValueError):
            parse_semver(bad)
