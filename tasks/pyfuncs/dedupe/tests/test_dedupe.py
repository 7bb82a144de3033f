from solution import dedupe


def test_keeps_first_occurrence_order():
    assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_mixed_types():
    assert dedupe(["a", 1, "a", (1, 2), (1, 2)]) == ["a", 1, (1, 2)]


def test_no_duplicates_and_empty():
    assert dedupe([1, 2]) == [1, 2]
    assert dedupe([]) == []
