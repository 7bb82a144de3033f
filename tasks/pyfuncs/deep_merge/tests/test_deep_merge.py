from solution import deep_merge


def test_nested_merge():
    assert deep_merge({"a": {"x": 1, "y": 2}}, {"a": {"y": 3, "z": 4}}) == {
        "a": {"x": 1, "y": 3, "z": 4}}


def test_b_wins_on_type_mismatch():
    assert deep_merge({"a": {"x": 1}}, {"a": 5}) == {"a": 5}


def test_inputs_untouched():
    a, b = {"k": {"v": 1}}, {"k": {"w": 2}}
    deep_merge(a, b)
    assert a == {"k": {"v": 1}} and b == {"k": {"w": 2}}


def test_empty():
    assert deep_merge({}, {}) == {}
