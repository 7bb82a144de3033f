from solution import slugify


def test_basic_title():
    assert slugify("Hello, World!") == "hello-world"


def test_collapses_runs_and_trims():
    assert slugify("  --Big   News--  ") == "big-news"


def test_keeps_digits():
    assert slugify("Top 10 Tips (2024)") == "top-10-tips-2024"


def test_empty_and_punctuation_only():
    assert slugify("") == ""
    assert slugify("!!!") == ""
