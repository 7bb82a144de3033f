from solution import fibonacci


def test_first_ten():
    assert fibonacci(10) == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]


def test_one():
    assert fibonacci(1) == [0]


def test_zero_and_negative():
    assert fibonacci(0) == []
    assert fibonacci(-3) == []
