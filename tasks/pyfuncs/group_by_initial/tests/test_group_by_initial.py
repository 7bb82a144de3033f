from solution import group_by_initial


def test_groups_case_insensitively():
    assert group_by_initial(["apple", "Avocado", "banana"]) == {
        "a": ["apple", "Avocado"], "b": ["banana"]}


def test_skips_empty_strings():
    assert group_by_initial(["", "x"]) == {"x": ["x"]}


def test_plain_dict_and_empty():
    assert type(group_by_initial(["a"])) is dict
    assert group_by_initial([]) == {}
