import pytest

from solution import chunk


def test_even_split():
    assert chunk([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]


def test_last_chunk_shorter():
    assert chunk([1, 2, 3], 2) == [[1, 2], [3]]


def test_size_one():
    assert chunk(["a", "b"], 1) == [["a"], ["b"]]


def test_empty_and_bad_size():
    assert chunk([], 3) == []
    with pytest.raises(ValueError):
        chunk([1], 0)
