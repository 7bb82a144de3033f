from __future__ import annotations

import pytest

from overseer.redact import MASK, redact, redact_value


@pytest.mark.parametrize("secret", [
    "sk-abcdefghijklmnopqrstuvwx1234", "sk-ant-api03-abcdefghijklmnop", "AIza" + "x" * 35,
    "ghp_" + "a" * 36, "hf_" + "b" * 34])
def test_keys_are_masked_wherever_they_appear(secret: str) -> None:
    assert redact(f"using {secret} now") == f"using {MASK} now"


def test_a_named_secret_keeps_its_name_and_loses_its_value() -> None:
    assert redact("api_key=abcdef123456 and Bearer abcdefghijklmnopqrstu") == \
        f"api_key={MASK} and Bearer {MASK}"


def test_the_value_of_a_secret_variable_is_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SERVICE_TOKEN", "plainvalue42")
    assert redact("token plainvalue42 seen") == f"token {MASK} seen"
    assert redact("short") == "short"


def test_every_string_of_a_nested_value_is_redacted_keys_too() -> None:
    key = "sk-abcdefghijklmnopqrstuvwx1234"
    value = {key: [key, (1, key)], "n": 3}
    assert redact_value(value) == {MASK: [MASK, (1, MASK)], "n": 3}
