from solution import compare_versions


def test_numeric_not_lexical():
    assert compare_versions("1.10", "1.9") == 1


def test_missing_parts_are_zero():
    assert compare_versions("1.0", "1.0.0") == 0


def test_last_part_decides():
    assert compare_versions("1.0.1", "1.0") == 1
    assert compare_versions("2.0.0", "2.0.1") == -1
