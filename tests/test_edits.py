from __future__ import annotations

import pytest
from pydantic import ValidationError

from overseer.edits import Edit, EditRejected, apply_edit

PROMPT = "You write code.\n- Be brief.\n- Explain first.\n"


def test_replace_insert_delete_by_text() -> None:
    n = 2 * len(PROMPT)
    assert apply_edit(PROMPT, Edit(op="replace", old="Be brief", new="Be terse"), start_length=n).text \
        == PROMPT.replace("Be brief", "Be terse")
    assert apply_edit(PROMPT, Edit(op="insert_after", old="- Be brief.\n", new="- Output only code.\n"),
                      start_length=n).text == "You write code.\n- Be brief.\n- Output only code.\n- Explain first.\n"
    applied = apply_edit(PROMPT, Edit(op="delete", old="- Explain first.\n"), start_length=n, name="p.md")
    assert applied.text == "You write code.\n- Be brief.\n"
    assert applied.changed_chars == len("- Explain first.\n")
    assert applied.diff.startswith("--- a/p.md\n+++ b/p.md\n") and "-- Explain first." in applied.diff


def test_edit_by_line_range() -> None:
    n = len(PROMPT)
    assert apply_edit(PROMPT, Edit(op="delete", lines=(2, 3)), start_length=n).text == "You write code.\n"
    assert apply_edit(PROMPT, Edit(op="replace", lines=(1, 1), new="You write Python.\n"),
                      start_length=n).text.startswith("You write Python.\n- Be brief.")


@pytest.mark.parametrize("edit, reason", [
    (Edit(op="delete", old="Not there"), "does not occur in the prompt"),
    (Edit(op="replace", old="- ", new="* "), "occurs 2 times"),
    (Edit(op="delete", lines=(3, 9)), "outside the prompt"),
    (Edit(op="insert_after", old="Be brief.", new="x" * 401), "limit is 400"),
    (Edit(op="replace", old="Be brief.", new="Be brief."), "changes nothing"),
    (Edit(op="delete", lines=(1, 3)), "empty"),
])
def test_invalid_edits_are_rejected_with_a_reason(edit: Edit, reason: str) -> None:
    with pytest.raises(EditRejected, match=reason):
        apply_edit(PROMPT, edit, start_length=len(PROMPT))


def test_prompt_growth_budget_is_against_the_starting_length() -> None:
    grown = PROMPT + "- One more rule here.\n"
    with pytest.raises(EditRejected, match=r"limit is 56 \(\+25% of its starting 45\)"):
        apply_edit(grown, Edit(op="insert_after", old="One more rule here.", new=" And more."),
                   start_length=len(PROMPT))


@pytest.mark.parametrize("data", [
    {"op": "replace", "old": "x"},                       # no new text
    {"op": "delete", "old": "x", "new": "y"},            # delete with new text
    {"op": "delete"},                                    # not located
    {"op": "delete", "old": "x", "lines": [1, 1]},       # located twice
    {"op": "delete", "lines": [3, 1]},                   # bad range
    {"op": "rewrite", "old": "x", "new": "y"},           # unknown op
    {"op": "delete", "old": "x", "extra": 1},            # unknown field
])
def test_malformed_edits_fail_validation(data: dict) -> None:
    with pytest.raises(ValidationError):
        Edit.model_validate(data)


def test_key_ignores_case_and_spacing() -> None:
    a = Edit(op="insert_after", old="Be brief.", new=" Output ONLY code.")
    b = Edit(op="insert_after", old="Be  brief.", new=" output only code", kind="x")
    assert a.key() == b.key()
    assert a.key() != Edit(op="insert_after", old="Be brief.", new=" Explain.").key()
