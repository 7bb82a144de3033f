from __future__ import annotations

import pytest

from overseer.templates import CHECK_PLACEHOLDERS, PLACEHOLDERS, check_template, unknown_placeholders


def test_unknown_placeholders_are_listed_once_and_sorted() -> None:
    assert unknown_placeholders("run {task_id} {zeta} {alpha} {zeta}", PLACEHOLDERS) == ["alpha", "zeta"]
    assert unknown_placeholders("pytest --junitxml={junit_xml}", CHECK_PLACEHOLDERS) == []
    assert unknown_placeholders("echo {{literal}}", PLACEHOLDERS) == []   # doubled braces are text


def test_a_bad_template_is_one_line_naming_what_is_known() -> None:
    assert check_template("python x.py {prompt_file}", PLACEHOLDERS) == "python x.py {prompt_file}"
    with pytest.raises(ValueError, match=r"unknown placeholder \{junit_xml\}; known: .*task_dir"):
        check_template("cmd {junit_xml}", PLACEHOLDERS)
    with pytest.raises(ValueError, match="bad template"):
        check_template("cmd {unclosed", PLACEHOLDERS)
