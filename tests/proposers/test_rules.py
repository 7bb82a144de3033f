from __future__ import annotations

import dataclasses

from overseer.edits import Edit
from overseer.proposers.base import CASE_COMMAND, PastEdit, Proposal, ProposalContext, propose_up_to
from overseer.proposers.rules import RULES, RulesProposer, candidates, provokes

PROMPT = ("You write Python.\n"
          "- Start with a short explanation of your approach.\n"
          "- Use descriptive names for functions.\n")


def context(counts: dict[str, int], history: list[PastEdit] | None = None, prompt: str = PROMPT) -> ProposalContext:
    return ProposalContext(prompt=prompt, prompt_hash="h0", start_length=len(prompt), runs=40,
                           pass_rate=0.4, error_counts=counts, failures=[], history=history or [])


def test_most_frequent_failure_first_and_deletion_preferred() -> None:
    proposal = RulesProposer().propose(context({"SyntaxError": 12, "ImportError": 5}))
    assert proposal is not None
    assert proposal.edit.op == "delete" and "explanation" in (proposal.edit.old or "")
    assert proposal.edit.kind == "delete-line:output-format"
    assert "SyntaxError" in proposal.rationale
    kinds = [p.edit.kind for _, p in candidates(context({"SyntaxError": 12, "ImportError": 5}))]
    # no counter-instruction while the line that asks for the failure is still there to delete
    assert kinds == ["delete-line:output-format", "delete-line:signature"]
    deleted = PROMPT.replace("- Start with a short explanation of your approach.\n", "")
    kinds = [p.edit.kind for _, p in candidates(context({"SyntaxError": 12, "ImportError": 5}, prompt=deleted))]
    assert kinds == ["add-constraint:output-format", "delete-line:signature"]
    rejected = [PastEdit(Edit(op="delete", old="- Start with a short explanation of your approach.\n",
                              kind="delete-line:output-format"), "rejected", -0.05, "h0")]
    kinds = [p.edit.kind for _, p in candidates(context({"SyntaxError": 12}, rejected))]
    assert kinds == ["add-constraint:output-format"]   # the deletion was tried and not kept


def test_never_reproposes_an_edit_rejected_for_this_prompt() -> None:
    first = RulesProposer().propose(context({"SyntaxError": 12}))
    assert first is not None
    history = [PastEdit(first.edit, "rejected", -0.01, "h0")]
    second = RulesProposer().propose(context({"SyntaxError": 12}, history))
    assert second is not None and second.edit.key() != first.edit.key()
    elsewhere = [PastEdit(first.edit, "rejected", -0.01, "another-prompt")]
    assert RulesProposer().propose(context({"SyntaxError": 12}, elsewhere)).edit.key() == first.edit.key()


def test_an_unproven_edit_is_proposed_again_in_a_later_session_only() -> None:
    """Its test is continued then (on its recorded runs), not over and over in the session that
    just ran out of rounds for it."""
    first = RulesProposer().propose(context({"SyntaxError": 12}))
    assert first is not None
    history = [PastEdit(first.edit, "unproven", 0.04, "h0", session_id="night-1")]
    same_night = context({"SyntaxError": 12}, history)
    same_night.session_id = "night-1"
    assert RulesProposer().propose(same_night).edit.key() != first.edit.key()  # type: ignore[union-attr]
    next_night = context({"SyntaxError": 12}, history)
    next_night.session_id = "night-2"
    assert RulesProposer().propose(next_night).edit.key() == first.edit.key()  # type: ignore[union-attr]


def test_an_edit_that_ran_out_of_rounds_for_an_earlier_prompt_ranks_after_the_others() -> None:
    """A gain too small to prove for the earlier prompt, at every round's price: the evidence is
    not valid for this prompt, so it still comes, but after the fresher bets."""
    counts = {"SyntaxError": 12, "ImportError": 5}
    top = RulesProposer().propose(context(counts))
    assert top is not None
    ran_out = [PastEdit(top.edit, "unproven", 0.02, "earlier-prompt", session_id="night-1")]
    ranked = [p.edit.key() for _, p in candidates(context(counts, ran_out))]
    # ... and the counter-instruction it held back is proposed now
    assert ranked[-1] == top.edit.key() and len(ranked) == 3
    rejected = [PastEdit(top.edit, "rejected", -0.02, "earlier-prompt", session_id="night-1")]
    assert candidates(context(counts, rejected))[0][1].edit.key() == top.edit.key()


def test_measured_effects_of_edit_kinds_steer_the_ranking() -> None:
    counts = {"SyntaxError": 6, "ImportError": 5}
    assert candidates(context(counts))[0][1].edit.kind == "delete-line:output-format"
    helped = Edit(op="delete", old="x", kind="delete-line:signature")
    hurt = Edit(op="delete", old="y", kind="delete-line:output-format")
    history = [PastEdit(helped, "accepted", 0.12, "older"), PastEdit(hurt, "rejected", -0.05, "older")]
    assert candidates(context(counts, history))[0][1].edit.kind == "delete-line:signature"


def test_instructions_already_present_are_not_added_again_and_inserts_land_after_the_last_bullet() -> None:
    prompt = PROMPT + "- Reply with only the Python code of solution.py: no markdown fences and no explanation.\n"
    kinds = [p.edit.kind for _, p in candidates(context({"SyntaxError": 3, "Timeout": 2}, prompt=prompt))]
    assert "add-constraint:output-format" not in kinds
    insert = next(p.edit for _, p in candidates(context({"Timeout": 2})) if p.edit.op == "insert_after")
    assert insert.old == "- Use descriptive names for functions.\n"
    assert insert.new.startswith("- Use an efficient algorithm")


def test_nothing_to_propose_without_failures() -> None:
    assert RulesProposer().propose(context({})) is None


def test_a_provoking_pattern_ignores_negations_and_the_librarys_own_instructions() -> None:
    """After keeping "Reply with only the Python code ... no markdown fences and no explanation",
    its own "explanation" must not make it a line to delete (issue 14, item 17)."""
    kept = "- Reply with only the Python code of solution.py: no markdown fences and no explanation.\n"
    prompt = PROMPT + kept + "- Never explain your reasoning.\n- Do not brute force anything.\n"
    proposals = [p for _, p in candidates(context({"SyntaxError": 5, "Timeout": 3}, prompt=prompt))]
    deleted = [p.edit.old for p in proposals if p.edit.op == "delete"]
    assert kept not in deleted
    assert "- Never explain your reasoning.\n" not in deleted
    assert "- Do not brute force anything.\n" not in deleted
    output_format = RULES[0]
    assert provokes(output_format, "Start with a short explanation of your approach.")
    assert not provokes(output_format, "Give no explanation.")


def test_a_race_gets_the_top_ranked_edits_the_first_being_the_one_propose_gives() -> None:
    evidence = context({"SyntaxError": 12, "ImportError": 5})
    many = RulesProposer().propose_many(evidence, 3)
    assert [p.edit.kind for p in many] == ["delete-line:output-format", "delete-line:signature"]
    assert many[0] == RulesProposer().propose(evidence)
    assert len(RulesProposer().propose_many(evidence, 10)) == 2  # all there is for now
    assert RulesProposer().propose_many(context({}), 3) == []


def test_propose_up_to_drops_repeats_and_asks_a_single_proposer_once() -> None:
    evidence = context({"SyntaxError": 12})
    one = RulesProposer().propose(evidence)
    assert one is not None

    class Repeating:
        name = "repeating"

        def propose(self, context: ProposalContext) -> Proposal | None:
            return one

        def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
            return [one] * count

    class Single:
        name = "single"
        calls = 0

        def propose(self, context: ProposalContext) -> Proposal | None:
            self.calls += 1
            return one

    assert propose_up_to(Repeating(), evidence, 3) == [one]
    single = Single()
    assert propose_up_to(single, evidence, 3) == [one] and single.calls == 1


def test_suite_failure_classes_have_rules() -> None:
    """A promptfoo suite's assertions name MissingContentError and SchemaError: a line that asks
    for their cause is deleted first, else the instruction against it is added."""
    prompt = "Classify the ticket.\n- Paraphrase the customer in your own words.\n- Use any format you like.\n"
    kinds = [p.edit.kind for _, p in candidates(context({"MissingContentError": 6, "SchemaError": 3},
                                                        prompt=prompt))]
    assert kinds == ["delete-line:required-content", "delete-line:schema"]
    plain = "Classify the ticket.\n"
    kinds = [p.edit.kind for _, p in candidates(context({"SchemaError": 3}, prompt=plain))]
    assert kinds == ["add-constraint:schema"]


def test_text_failure_patterns_have_rules_and_code_rules_stay_with_code() -> None:
    """What a text answer's output shows (suites/assertions.diagnose) has a rule each: the line
    asking for it is deleted, else the instruction against it is added. A code writer's rules are
    never offered for a suite's cases, whatever class their checks name."""
    prompt = ("Classify the ticket.\n- Format the answer nicely in a markdown code block.\n"
              "- Capitalize the labels so they stand out.\n- Only include the fields you are sure of.\n"
              "- Be thorough: capture every detail.\n- If unsure, politely decline.\n")
    counts = {"FencedAnswerError": 9, "LabelCaseError": 7, "MissingFieldError": 5, "TooLongError": 4,
              "RefusalError": 3}
    kinds = [p.edit.kind for _, p in candidates(context(counts, prompt=prompt))]
    assert kinds == ["delete-line:no-fences", "delete-line:label-case", "delete-line:every-field",
                     "delete-line:concise", "delete-line:always-answer"]
    plain = context(counts, prompt="Classify the ticket.\n")
    assert [p.edit.kind for _, p in candidates(plain)] == [
        "add-constraint:no-fences", "add-constraint:label-case", "add-constraint:every-field",
        "add-constraint:concise", "add-constraint:always-answer"]
    code_classes = {"AssertionError": 8, "SyntaxError": 6, "KeyError": 2}
    as_code = candidates(context(code_classes, prompt="Classify the ticket.\n"))
    assert {p.edit.kind for _, p in as_code} == {"add-constraint:boundaries", "add-constraint:output-format",
                                                 "add-constraint:edge-cases"}
    as_cases = dataclasses.replace(context(code_classes, prompt="Classify the ticket.\n"),
                                   command_kind=CASE_COMMAND)
    assert candidates(as_cases) == []
