from solution import pairwise_differences


def test_differences():
    assert pairwise_differences([1, 4, 9, 16]) == [3, 5, 7]


def test_negative_steps():
    assert pairwise_differences([5, 3]) == [-2]


def test_short_lists():
    assert pairwise_differences([7]) == []
    assert pairwise_differences([]) == []
