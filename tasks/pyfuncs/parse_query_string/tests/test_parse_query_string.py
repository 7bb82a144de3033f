from solution import parse_query_string


def test_repeated_keys():
    assert parse_query_string("a=1&b=2&a=3") == {"a": ["1", "3"], "b": ["2"]}


def test_decoding():
    assert parse_query_string("q=hello+world&x=%26") == {"q": ["hello world"], "x": ["&"]}


def test_flag_without_value():
    assert parse_query_string("debug") == {"debug": [""]}


def test_empty():
    assert parse_query_string("") == {}
