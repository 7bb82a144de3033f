from __future__ import annotations

import pytest

from overseer.acceptance import Thresholds, Weight, WeightedObjective
from overseer.config import PromptLocation
from overseer.decide import decide, holdout_error, holdout_gain, holdout_rounds, screen, unproven
from overseer.decision import Verdict
from overseer.evidence.looks import look_verdict, looks, smallest_p_value
from overseer.evidence.paired import infra_share, paired_differences
from overseer.evidence.signflip import binomial_tail
from overseer.prompts import read_prompt
from overseer.records import RunRecord
from overseer.sim.fast import simulated_records
from overseer.tasks import load_task_set, split_holdout
from tests.helpers import REPO_ROOT, make_rounds, make_run, make_runs


def test_clear_improvement_is_accepted_with_every_criterion_recorded() -> None:
    decision = decide(train_before=make_runs([False] * 8 + [True] * 4), train_after=make_runs([True] * 12),
                      holdout_before=make_runs([False, True]), holdout_after=make_runs([True, True]),
                      thresholds=Thresholds(), objective="pass_rate")
    assert decision.outcome == "accepted", decision.reason
    assert [c.name for c in decision.criteria] == [
        "train gain", "p-value", "holdout gain", "tokens per run", "median run time"]
    assert decision.gain == pytest.approx(8 / 12, abs=1e-4) and decision.p_value == pytest.approx(1 / 256, abs=1e-4)


@pytest.mark.parametrize("change, failing", [
    ({"holdout_after": make_runs([False, True])}, "holdout gain"),
    ({"train_after": make_runs([True] * 12, tokens=130)}, "tokens per run"),
    ({"train_after": make_runs([True] * 12, seconds=2.0)}, "median run time"),  # +1 s: beyond noise
    ({"train_after": make_runs([False] * 7 + [True] * 5)}, "p-value"),
])
def test_each_criterion_can_reject(change: dict, failing: str) -> None:
    args = dict(train_before=make_runs([False] * 8 + [True] * 4), train_after=make_runs([True] * 12),
                holdout_before=make_runs([True, True]), holdout_after=make_runs([True, True]))
    args.update(change)
    decision = decide(**args, thresholds=Thresholds(), objective="pass_rate")
    assert decision.outcome == "rejected"
    assert failing in decision.reason
    assert next(c for c in decision.criteria if c.name == failing).passed is False


def test_run_times_are_compared_only_between_runs_made_side_by_side() -> None:
    before = make_runs([False] * 8 + [True] * 4)
    common = dict(train_before=before, holdout_before=[], holdout_after=[], thresholds=Thresholds(),
                  objective="pass_rate")
    slower = make_runs([True] * 12, seconds=2.0)  # same batch as ``before``: measured under the same load
    time = next(c for c in decide(train_after=slower, **common).criteria if c.name == "median run time")
    assert not time.passed and time.value == 1.0 and "12 pairs run side by side; 12 over" in time.note
    later = make_runs([True] * 12, seconds=2.0, batch="b2")  # another batch: another moment, another load
    decision = decide(train_after=later, **common)
    time = next(c for c in decision.criteria if c.name == "median run time")
    assert decision.outcome == "accepted" and time.passed and time.value is None
    assert time.note == "not measured: no runs made side by side"
    timed = (make_runs([True] * 6, batch="b3"), make_runs([True] * 6, seconds=3.0, batch="b3"))
    decision = decide(train_after=later, timed=timed, **common)
    assert decision.outcome == "rejected" and decision.reason == "failed: median run time"
    # one pair slowed by a load spike is not evidence that the candidate is slower
    spike = make_runs([True] * 12, batch="b1")
    spike[3] = spike[3].model_copy(update={"command_s": 30.0})
    assert decide(train_after=spike, **common).outcome == "accepted"
    assert binomial_tail(12, 12) == 0.5 ** 12 and binomial_tail(0, 12) == 1.0


def test_min_gain_rejects_a_significant_but_tiny_gain() -> None:
    before = [make_run(f"t{i}", False, r) for i in range(40) for r in range(3)]
    after = [make_run(f"t{i}", i < 3 and r == 0, r) for i in range(40) for r in range(3)]
    decision = decide(train_before=before, train_after=after, holdout_before=[], holdout_after=[],
                      thresholds=Thresholds(alpha=0.2), objective="pass_rate")
    assert decision.gain == pytest.approx(0.025) and "train gain" in decision.reason


def test_screen_drops_only_a_clearly_worse_candidate() -> None:
    worse = screen(make_runs([True] * 6), make_runs([False] * 5 + [True]), Thresholds(), "pass_rate")
    assert not worse.passed and worse.value == pytest.approx(1 / 32, abs=1e-4)
    unsure = screen(make_runs([True] * 6), make_runs([False, True] * 3), Thresholds(), "pass_rate")
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


def test_decide_records_the_betting_test_and_its_interval() -> None:
    look = looks(2, Thresholds(max_repeats=8))[0]
    before, after = make_rounds([[False] * 12] * 2, [[True] * 12] * 2)
    decision = decide(train_before=before, train_after=after,
                      holdout_before=make_runs([False] * 3), holdout_after=make_runs([True] * 3),
                      thresholds=Thresholds(max_repeats=8), objective="pass_rate", look=look)
    p_value = next(c for c in decision.criteria if c.name == "p-value")
    assert decision.outcome == "accepted" and decision.repeats == 2 and p_value.limit == 0.05
    assert "anytime-valid betting test: 1/e-value after 2 rounds of 12 tasks" in p_value.note
    assert decision.interval is not None and 0 < decision.interval[0] < 1.0 <= decision.interval[1]
    assert smallest_p_value(12, 2) < 0.05 < smallest_p_value(2, 1)


def test_infrastructure_failures_are_no_evidence() -> None:
    """A pair with an infrastructure failure on either side is left out; the figures say how many."""
    before = make_runs([False] * 12)
    after = [r.model_copy(update={"passed": False, "score": 0.0, "infra": True}) if i < 2 else r
             for i, r in enumerate(make_runs([True] * 12))]
    assert infra_share(before, after) == 2 / 12
    assert len(paired_differences(before, after, "pass_rate")) == 10
    verdict = decide(train_before=before, train_after=after, holdout_before=make_runs([False] * 4),
                     holdout_after=make_runs([True] * 4), thresholds=Thresholds(), objective="pass_rate",
                     max_infra_share=0.2)
    assert verdict.outcome == "accepted" and verdict.gain == 1.0
    assert verdict.train_after is not None and verdict.train_after.infra_runs == 2
    assert verdict.train_after.runs == 10 and verdict.train_after.pass_rate == 1.0


def test_a_comparison_that_lost_too_many_pairs_is_inconclusive() -> None:
    before = make_runs([False] * 12)
    after = [r.model_copy(update={"infra": True}) if i < 4 else r for i, r in enumerate(make_runs([True] * 12))]
    verdict = decide(train_before=before, train_after=after, holdout_before=[], holdout_after=[],
                     thresholds=Thresholds(), objective="pass_rate", max_infra_share=0.2)
    assert verdict.outcome == "inconclusive" and "33% of the pairs" in verdict.reason
    look = looks(1, Thresholds(max_repeats=None))[0]
    assert look_verdict(before, after, Thresholds(), "pass_rate", look, max_infra_share=0.2) == "futile"


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


def test_an_unproven_verdict_says_why_and_whether_it_is_already_better_than_its_parent() -> None:
    thresholds = Thresholds(min_gain=0.05, futility_gain=0.0)
    better = Verdict(outcome="rejected", interval=[0.01, 0.2])
    last = looks(2, thresholds)[-1]
    verdict = unproven(better, last, thresholds)
    assert verdict.outcome == "unproven" and better.outcome == "rejected"   # a new verdict
    assert verdict.reason.startswith("unproven after 16 rounds: the test ran out of rounds")
    assert "better than the parent" in verdict.reason and "min_gain (0.05" in verdict.reason
    unsure = unproven(Verdict(interval=[-0.1, 0.2]), last, thresholds)
    assert "better than the parent" not in unsure.reason
    early = unproven(better, looks(2, thresholds)[6], thresholds)
    assert early.reason.startswith("unproven after 8 rounds: stopped before round 16: even a gain 2 standard")


def test_a_holdout_loss_within_its_noise_is_judged_again_on_twice_the_runs() -> None:
    """holdout_rounds: a gain below the tolerance by less than one standard error asks for twice
    the rounds; a clear loss, a gain, and a loss beyond the tolerance's noise do not."""
    thresholds = Thresholds()
    before, after = make_rounds([[True] * 12, [False] * 12], [[True] * 12, [False] * 11 + [True]])   # 12 tasks, 2 rounds
    assert holdout_gain(before, after, "pass_rate") > 0
    assert holdout_rounds(before, after, 2, thresholds, "pass_rate") is None           # not a loss
    def changed(records: list[RunRecord], pairs: dict[tuple[str, int], bool]) -> list[RunRecord]:
        return [r.model_copy(update={"passed": pairs[(r.task_id, r.repeat)], "score": float(pairs[(r.task_id, r.repeat)])})
                if (r.task_id, r.repeat) in pairs else r for r in records]
    mixed = changed(before, {("t0", 0): False, ("t1", 0): False, ("t2", 1): True})   # two lost, one won
    assert holdout_gain(before, mixed, "pass_rate") == pytest.approx(-1 / 24)
    assert holdout_error(before, mixed, "pass_rate") > 1 / 24
    assert holdout_rounds(before, mixed, 2, thresholds, "pass_rate") == 4             # within its noise
    clear = changed(before, {(f"t{i}", 0): False for i in range(12)})
    assert holdout_gain(before, clear, "pass_rate") == pytest.approx(-0.5)
    assert holdout_error(before, clear, "pass_rate") == 0.0
    assert holdout_rounds(before, clear, 2, thresholds, "pass_rate") is None           # a loss: judged now
    tolerant = Thresholds(holdout_tolerance=0.05)
    assert holdout_rounds(before, mixed, 2, tolerant, "pass_rate") is None             # within the tolerance
