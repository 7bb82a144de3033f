from __future__ import annotations

import pytest

from overseer.acceptance import Thresholds, Weight, WeightedObjective
from overseer.config import PromptLocation
from overseer.decide import decide, screen
from overseer.evidence.looks import look_verdict, looks, smallest_p_value
from overseer.evidence.paired import infra_share, paired_differences, run_value
from overseer.evidence.signflip import binomial_tail, sign_flip_p_value
from overseer.prompts import read_prompt
from overseer.records import RunRecord, Usage
from overseer.sim.fast import simulated_records
from overseer.tasks import load_task_set, split_holdout
from tests.helpers import REPO_ROOT


def run(task: str, passed: bool, repeat: int = 0, tokens: int = 100, seconds: float = 1.0,
        batch: str = "b1") -> RunRecord:
    return RunRecord(session_id="s", target="t", command="c", prompt_hash="p", task_id=task,
                     task_hash="h", task_set_hash="hs", repeat=repeat, seed=0, started_at="",
                     exit_code=0, timed_out=False, command_s=seconds, passed=passed,
                     score=1.0 if passed else 0.0, usage=Usage(input_tokens=tokens), batch=batch)


def runs(outcomes: list[bool], **kw: object) -> list[RunRecord]:
    return [run(f"t{i}", ok, **kw) for i, ok in enumerate(outcomes)]  # type: ignore[arg-type]


def test_exact_sign_flip_p_values() -> None:
    assert sign_flip_p_value([1, 1, 1, 1, 1]) == 1 / 32
    assert sign_flip_p_value([1, 1, 1, -1]) == 5 / 16
    assert sign_flip_p_value([0, 0, 0]) == 1.0
    assert sign_flip_p_value([-1, -1]) == 1.0
    assert sign_flip_p_value([0.5, 0.5, 1.0, 0.0]) == 1 / 8


def test_pairing_is_by_task_and_repeat() -> None:
    before = [run("a", False, 0), run("a", True, 1), run("b", True, 0)]
    after = [run("a", True, 0), run("a", True, 1), run("c", True, 0)]
    assert paired_differences(before, after, "pass_rate") == {"a": 0.5}


def test_clear_improvement_is_accepted_with_every_criterion_recorded() -> None:
    decision = decide(train_before=runs([False] * 8 + [True] * 4), train_after=runs([True] * 12),
                      holdout_before=runs([False, True]), holdout_after=runs([True, True]),
                      thresholds=Thresholds(), objective="pass_rate")
    assert decision.outcome == "accepted", decision.reason
    assert [c.name for c in decision.criteria] == [
        "train gain", "p-value", "holdout gain", "tokens per run", "median run time"]
    assert decision.gain == pytest.approx(8 / 12, abs=1e-4) and decision.p_value == pytest.approx(1 / 256, abs=1e-4)


@pytest.mark.parametrize("change, failing", [
    ({"holdout_after": runs([False, True])}, "holdout gain"),
    ({"train_after": runs([True] * 12, tokens=130)}, "tokens per run"),
    ({"train_after": runs([True] * 12, seconds=2.0)}, "median run time"),  # +1 s: beyond noise
    ({"train_after": runs([False] * 7 + [True] * 5)}, "p-value"),
])
def test_each_criterion_can_reject(change: dict, failing: str) -> None:
    args = dict(train_before=runs([False] * 8 + [True] * 4), train_after=runs([True] * 12),
                holdout_before=runs([True, True]), holdout_after=runs([True, True]))
    args.update(change)
    decision = decide(**args, thresholds=Thresholds(), objective="pass_rate")
    assert decision.outcome == "rejected"
    assert failing in decision.reason
    assert next(c for c in decision.criteria if c.name == failing).passed is False


def test_run_times_are_compared_only_between_runs_made_side_by_side() -> None:
    before = runs([False] * 8 + [True] * 4)
    common = dict(train_before=before, holdout_before=[], holdout_after=[], thresholds=Thresholds(),
                  objective="pass_rate")
    slower = runs([True] * 12, seconds=2.0)  # same batch as ``before``: measured under the same load
    time = next(c for c in decide(train_after=slower, **common).criteria if c.name == "median run time")
    assert not time.passed and time.value == 1.0 and "12 pairs run side by side; 12 over" in time.note
    later = runs([True] * 12, seconds=2.0, batch="b2")  # another batch: another moment, another load
    decision = decide(train_after=later, **common)
    time = next(c for c in decision.criteria if c.name == "median run time")
    assert decision.outcome == "accepted" and time.passed and time.value is None
    assert time.note == "not measured: no runs made side by side"
    timed = (runs([True] * 6, batch="b3"), runs([True] * 6, seconds=3.0, batch="b3"))
    decision = decide(train_after=later, timed=timed, **common)
    assert decision.outcome == "rejected" and decision.reason == "failed: median run time"
    # one pair slowed by a load spike is not evidence that the candidate is slower
    spike = runs([True] * 12, batch="b1")
    spike[3] = spike[3].model_copy(update={"command_s": 30.0})
    assert decide(train_after=spike, **common).outcome == "accepted"
    assert binomial_tail(12, 12) == 0.5 ** 12 and binomial_tail(0, 12) == 1.0


def test_min_gain_rejects_a_significant_but_tiny_gain() -> None:
    before = [run(f"t{i}", False, r) for i in range(40) for r in range(3)]
    after = [run(f"t{i}", i < 3 and r == 0, r) for i in range(40) for r in range(3)]
    decision = decide(train_before=before, train_after=after, holdout_before=[], holdout_after=[],
                      thresholds=Thresholds(alpha=0.2), objective="pass_rate")
    assert decision.gain == pytest.approx(0.025) and "train gain" in decision.reason


def test_screen_drops_only_a_clearly_worse_candidate() -> None:
    worse = screen(runs([True] * 6), runs([False] * 5 + [True]), Thresholds(), "pass_rate")
    assert not worse.passed and worse.value == pytest.approx(1 / 32, abs=1e-4)
    unsure = screen(runs([True] * 6), runs([False, True] * 3), Thresholds(), "pass_rate")
    assert unsure.passed


def test_a_neutral_edit_is_almost_never_accepted() -> None:
    """12 seeded trials of the acceptance rule with an edit that truly does nothing, on the
    simulator with the example task set: at most 1 accepted. (The rate itself, over thousands of
    trials and every true effect, is measured by benchmarks/decisions.py.)"""
    prompt = read_prompt(REPO_ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))
    neutral = prompt + "- Write clean, well-structured code.\n"
    train, holdout = split_holdout(load_task_set(REPO_ROOT / "tasks" / "pyfuncs"), 0.25)
    from overseer.sim import expected_pass_rate

    assert expected_pass_rate(neutral, train.tasks) == pytest.approx(expected_pass_rate(prompt, train.tasks))
    accepted = 0
    for seed in range(12):
        decision = decide(
            train_before=simulated_records(prompt, train.tasks, 2, seed),
            train_after=simulated_records(neutral, train.tasks, 2, seed),
            holdout_before=simulated_records(prompt, holdout.tasks, 2, seed),
            holdout_after=simulated_records(neutral, holdout.tasks, 2, seed),
            thresholds=Thresholds(), objective="pass_rate")
        accepted += decision.outcome == "accepted"
    assert accepted <= 1


def test_looks_add_one_round_each_and_test_at_the_full_alpha() -> None:
    plan = looks(2, Thresholds(alpha=0.05, max_repeats=6))
    assert [look.repeats for look in plan] == [2, 3, 4, 5, 6]
    assert [look.number for look in plan] == [1, 2, 3, 4, 5] and {look.of for look in plan} == {5}
    assert {look.alpha for look in plan} == {0.05}  # anytime-valid: no α is spent per look
    single = looks(4, Thresholds(max_repeats=None))
    assert single == looks(4, Thresholds(max_repeats=2)) and len(single) == 1


def rounds(outcomes_before: list[list[bool]], outcomes_after: list[list[bool]]) -> tuple[list[RunRecord], list[RunRecord]]:
    """Runs of repeat k for the k-th list of outcomes, task by task."""
    def records(rows: list[list[bool]]) -> list[RunRecord]:
        return [run(f"t{i}", ok, repeat=k) for k, row in enumerate(rows) for i, ok in enumerate(row)]
    return records(outcomes_before), records(outcomes_after)


def test_look_verdicts() -> None:
    first, _, last = looks(1, Thresholds(max_repeats=3))
    clear = rounds([[False] * 20], [[True] * 20])
    assert look_verdict(*clear, Thresholds(), "pass_rate", first) == "proven"
    promising = rounds([[False] * 10 + [True] * 10], [[True] * 12 + [False] * 8])
    assert look_verdict(*promising, Thresholds(), "pass_rate", first) == "continue"
    assert look_verdict(*promising, Thresholds(), "pass_rate", last) == "unproven"  # no look left, promising
    worse = rounds([[True] * 20], [[False] * 3 + [True] * 17])
    assert look_verdict(*worse, Thresholds(), "pass_rate", first) == "futile"
    assert look_verdict(*worse, Thresholds(futility_gain=-1.0), "pass_rate", first) == "continue"
    # nothing changes in 12 rounds of 30 tasks: the confidence sequence is below min_gain: futile
    same = rounds([[True] * 30] * 12, [[True] * 30] * 12)
    assert look_verdict(*same, Thresholds(futility_gain=-1.0, max_repeats=20), "pass_rate",
                        looks(12, Thresholds(max_repeats=20))[0]) == "futile"


def test_decide_records_the_betting_test_and_its_interval() -> None:
    look = looks(2, Thresholds(max_repeats=8))[0]
    before, after = rounds([[False] * 12] * 2, [[True] * 12] * 2)
    decision = decide(train_before=before, train_after=after,
                      holdout_before=runs([False] * 3), holdout_after=runs([True] * 3),
                      thresholds=Thresholds(max_repeats=8), objective="pass_rate", look=look)
    p_value = next(c for c in decision.criteria if c.name == "p-value")
    assert decision.outcome == "accepted" and decision.repeats == 2 and p_value.limit == 0.05
    assert "anytime-valid betting test: 1/e-value after 2 rounds of 12 tasks" in p_value.note
    assert decision.interval is not None and 0 < decision.interval[0] < 1.0 <= decision.interval[1]
    assert smallest_p_value(12, 2) < 0.05 < smallest_p_value(2, 1)


def test_infrastructure_failures_are_no_evidence() -> None:
    """A pair with an infrastructure failure on either side is left out; the figures say how many."""
    before = runs([False] * 12)
    after = [r.model_copy(update={"passed": False, "score": 0.0, "infra": True}) if i < 2 else r
             for i, r in enumerate(runs([True] * 12))]
    assert infra_share(before, after) == 2 / 12
    assert len(paired_differences(before, after, "pass_rate")) == 10
    verdict = decide(train_before=before, train_after=after, holdout_before=runs([False] * 4),
                     holdout_after=runs([True] * 4), thresholds=Thresholds(), objective="pass_rate",
                     max_infra_share=0.2)
    assert verdict.outcome == "accepted" and verdict.gain == 1.0
    assert verdict.train_after is not None and verdict.train_after.infra_runs == 2
    assert verdict.train_after.runs == 10 and verdict.train_after.pass_rate == 1.0


def test_a_comparison_that_lost_too_many_pairs_is_inconclusive() -> None:
    before = runs([False] * 12)
    after = [r.model_copy(update={"infra": True}) if i < 4 else r for i, r in enumerate(runs([True] * 12))]
    verdict = decide(train_before=before, train_after=after, holdout_before=[], holdout_after=[],
                     thresholds=Thresholds(), objective="pass_rate", max_infra_share=0.2)
    assert verdict.outcome == "inconclusive" and "33% of the pairs" in verdict.reason
    look = looks(1, Thresholds(max_repeats=None))[0]
    assert look_verdict(before, after, Thresholds(), "pass_rate", look, max_infra_share=0.2) == "futile"


def test_a_weighted_objective_counts_what_a_run_spends() -> None:
    objective = WeightedObjective(tokens=Weight(weight=0.2, scale=4000))
    assert run_value(run("a", True, tokens=1000), objective) == pytest.approx(0.8 + 0.2 * 0.75)
    assert run_value(run("a", False, tokens=8000), objective) == 0.0   # past the scale: no more cost
    no_usage = run("a", True).model_copy(update={"usage": None})
    assert run_value(no_usage, objective) == pytest.approx(0.8)   # unknown spending earns no credit
    # the same outcomes with half the tokens: no gain on the pass rate, a gain on the weighted score
    before, after = runs([True, False] * 6, tokens=2000), runs([True, False] * 6, tokens=1000)
    assert paired_differences(before, after, "pass_rate") == dict.fromkeys((f"t{i}" for i in range(12)), 0.0)
    assert list(paired_differences(before, after, objective).values()) == [pytest.approx(0.05)] * 12
    with pytest.raises(ValueError, match=r"add up to at most 0\.5"):
        WeightedObjective(tokens=Weight(weight=0.4, scale=1), cost_usd=Weight(weight=0.2, scale=1))


def test_a_weighted_objective_on_the_simulator_prices_tokens() -> None:
    """An edit that gains pass rate only by nearly doubling the tokens (neutral text that dilutes
    the example prompt's harmful instructions) is kept under pass_rate and rejected when tokens
    are charged; one that saves tokens at an equal pass rate (a line the simulated model ignores,
    deleted) is kept only when they are."""
    prompt = read_prompt(REPO_ROOT, PromptLocation(file="examples/codewriter/codewriter.py", variable="PROMPT"))
    train, holdout = split_holdout(load_task_set(REPO_ROOT / "tasks" / "pyfuncs"), 0.25)
    padded = prompt + ("Context for the reader: this tool is maintained by a small team, and the team "
                       "reads the code it writes.\n") * 8
    lean = prompt.replace("- Add type hints and a docstring to every public function.\n", "")
    charged = WeightedObjective(tokens=Weight(weight=0.5, scale=300))
    thresholds = Thresholds(min_gain=0.005, max_token_increase=None, max_time_increase=None)
    rounds = 8

    runs = {text: [simulated_records(text, split.tasks, rounds, model="strong") for split in (train, holdout)]
            for text in (prompt, padded, lean)}

    def verdict(candidate: str, objective: object) -> str:
        (train_before, holdout_before), (train_after, holdout_after) = runs[prompt], runs[candidate]
        return decide(train_before=train_before, train_after=train_after, holdout_before=holdout_before,
                      holdout_after=holdout_after, thresholds=thresholds, objective=objective,  # type: ignore[arg-type]
                      look=looks(rounds, thresholds)[0]).outcome

    def tokens(text: str) -> float:
        records = runs[text][0]
        return sum(r.usage.tokens for r in records if r.usage) / len(records)

    assert tokens(padded) > 1.8 * tokens(prompt) and tokens(lean) < tokens(prompt)
    assert verdict(padded, "pass_rate") == "accepted"
    assert verdict(padded, charged) == "rejected"
    assert verdict(lean, "pass_rate") == "rejected"       # no gain in pass rate at all
    assert verdict(lean, charged) == "accepted"
