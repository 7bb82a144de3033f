from solution import rotate_list


def test_rotate_right():
    assert rotate_list([1, 2, 3, 4], 1) == [4, 1, 2, 3]


def test_rotate_left_and_wrap():
    assert rotate_list([1, 2, 3], -1) == [2, 3, 1]
    assert rotate_list([1, 2, 3], 7) == [3, 1, 2]


def test_returns_new_list():
    xs = [1, 2]
    assert rotate_list(xs, 0) == [1, 2] and rotate_list(xs, 0) is not xs


def test_empty():
    assert rotate_list([], 3) == []
