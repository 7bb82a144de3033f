import pytest

from solution import run_length_decode


def test_decode():
    assert run_length_decode("a3b1c2") == "aaabcc"


def test_multi_digit_count():
    assert run_length_decode("x12") == "x" * 12


def test_empty():
    assert run_length_decode("") == ""


def test_malformed():
    with pytest.raises(ValueError):
        run_length_decode("abc")
