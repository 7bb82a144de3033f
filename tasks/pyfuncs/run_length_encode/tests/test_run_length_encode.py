from solution import run_length_encode


def test_runs():
    assert run_length_encode("aaabcc") == "a3b1c2"


def test_single_characters():
    assert run_length_encode("abc") == "a1b1c1"


def test_long_run_at_end():
    assert run_length_encode("xyyyyyyyyyyy") == "x1y11"


def test_empty():
    assert run_length_encode("") == ""
