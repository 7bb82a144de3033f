import pytest

from solution import format_bytes


def test_bytes():
    assert format_bytes(0) == "0 B"
    assert format_bytes(1023) == "1023 B"


def test_exact_boundaries():
    assert format_bytes(1024) == "1.0 KiB"
    assert format_bytes(1024 ** 2) == "1.0 MiB"


def test_fraction_and_cap():
    assert format_bytes(1536) == "1.5 KiB"
    assert format_bytes(1024 ** 5) == "1024.0 TiB"


def test_negative():
    with pytest.raises(ValueError):
        format_bytes(-1)
