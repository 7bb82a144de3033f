from solution import flatten


def test_deep_nesting():
    assert flatten([1, [2, [3, [4]]], 5]) == [1, 2, 3, 4, 5]


def test_tuples_and_strings_are_leaves():
    assert flatten([(1, 2), ["ab", ["c"]]]) == [(1, 2), "ab", "c"]


def test_empty_lists_vanish():
    assert flatten([[], [[]], 0]) == [0]


def test_empty():
    assert flatten([]) == []
