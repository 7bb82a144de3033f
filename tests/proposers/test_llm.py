"""The reflection proposer's pure parts: the prompt it renders and the replies it accepts.
(End to end against the fake server: tests/optimize/test_loop.py.)"""

from __future__ import annotations

import pytest

from overseer.edits import Edit
from overseer.effects import KindEffect
from overseer.proposers.base import FailureExample, PastEdit, ProposalContext
from overseer.proposers.llm import default_template, parse_replies, parse_reply, race_request, render

ONE = ('{"hypothesis": "drop the prose", "rationale": "r", '
       '"edit": {"op": "delete", "old": "- Explain first.\\n", "kind": "delete-line:prose"}}')


def test_a_reply_is_found_inside_prose_and_validated() -> None:
    reply = parse_reply(f"Sure! Here it is:\n{ONE}\nHope it helps.")
    assert reply.hypothesis == "drop the prose" and reply.edit.op == "delete"
    many = parse_replies('{"proposals": [' + ONE + "," + ONE + "," + ONE + "]}", 2)
    assert len(many) == 2


@pytest.mark.parametrize("text, message", [
    ("no json here", "holds no JSON object"),
    ("{not json}", "not valid JSON"),
    ('{"hypothesis": "x", "edit": {"op": "delete"}, "extra": 1}', "does not match the schema"),
    (ONE.replace("drop the prose", " "), "hypothesis must not be empty"),
])
def test_a_bad_reply_says_what_is_wrong_in_words_fit_for_the_model(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_reply(text)


def test_the_rendered_prompt_holds_the_evidence() -> None:
    tried = PastEdit(Edit(op="delete", old="- Be brief.\n", kind="delete-line:brief"), "rejected", -0.05, "h0")
    context = ProposalContext(
        prompt="Write code.\n- Be brief.\n", prompt_hash="h0", start_length=30, runs=40, pass_rate=0.25,
        error_counts={"SyntaxError": 30},
        failures=[FailureExample("slugify", "spec", "```python", "SyntaxError", ("invalid syntax",), ("test_a",))],
        history=[tried],
        prior={"add-constraint:format": KindEffect("add-constraint:format", 4, 3, 0.08, 0.02, 0.14)})
    text = render(default_template(), context, 300)
    assert "Write code.\n- Be brief." in text and "### slugify: SyntaxError" in text
    assert "kind add-constraint:format: mean gain +0.080" in text
    assert '"old":"- Be brief.\\n"' in text and "(rejected)" in text
    assert "$" not in text.replace("$ ", "")  # every placeholder filled
    assert '{"proposals": [...]}' in race_request(3)
