from solution import binary_search


def test_found():
    assert binary_search([1, 3, 5, 7, 9], 7) == 3


def test_single_element():
    assert binary_search([4], 4) == 0


def test_missing():
    assert binary_search([1, 3, 5], 4) == -1
    assert binary_search([], 1) == -1


def test_ends():
    xs = list(range(0, 100, 2))
    assert binary_search(xs, 0) == 0
    assert binary_search(xs, 98) == 49
