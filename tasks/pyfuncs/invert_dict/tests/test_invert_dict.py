from solution import invert_dict


def test_unique_values():
    assert invert_dict({"a": "1", "b": "2"}) == {"1": ["a"], "2": ["b"]}


def test_shared_values_sorted():
    assert invert_dict({"z": "x", "a": "x", "m": "y"}) == {"x": ["a", "z"], "y": ["m"]}


def test_empty():
    assert invert_dict({}) == {}
