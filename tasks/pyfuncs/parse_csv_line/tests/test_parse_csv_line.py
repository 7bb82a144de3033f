from solution import parse_csv_line


def test_plain_fields():
    assert parse_csv_line("a,b,c") == ["a", "b", "c"]


def test_quoted_comma_and_escaped_quote():
    assert parse_csv_line('x,"y, z","say ""hi"""') == ["x", "y, z", 'say "hi"']


def test_empty_fields():
    assert parse_csv_line("a,,") == ["a", "", ""]


def test_empty_line():
    assert parse_csv_line("") == [""]
