from __future__ import annotations

from overseer.acceptance import Thresholds
from overseer.evidence.looks import (
    clears_min_gain,
    evidence_for,
    look_verdict,
    looks,
    measured_out_of_reach,
    out_of_reach,
    smallest_p_value,
    tasks_note,
)
from overseer.evidence.measured import Streams
from overseer.evidence.paired import walked_rounds
from tests.helpers import make_rounds


def walked(before, after):  # type: ignore[no-untyped-def]
    return walked_rounds(before, after, "pass_rate")


def test_looks_add_one_round_each_and_test_at_the_full_alpha() -> None:
    plan = looks(2, Thresholds(alpha=0.05, max_repeats=6))
    assert [look.repeats for look in plan] == [2, 3, 4, 5, 6]
    assert [look.number for look in plan] == [1, 2, 3, 4, 5] and {look.of for look in plan} == {5}
    assert {look.alpha for look in plan} == {0.05}  # anytime-valid: no α is spent per look
    single = looks(4, Thresholds(max_repeats=None))
    assert single == looks(4, Thresholds(max_repeats=2)) and len(single) == 1

def test_look_verdicts() -> None:
    first, last = looks(1, Thresholds(max_repeats=16))[::15]
    clear = make_rounds([[False] * 20], [[True] * 20])
    assert look_verdict(*clear, Thresholds(), "pass_rate", first) == "proven"
    promising = make_rounds([[False] * 10 + [True] * 10], [[True] * 12 + [False] * 8])
    assert look_verdict(*promising, Thresholds(), "pass_rate", first) == "continue"
    assert look_verdict(*promising, Thresholds(), "pass_rate", last) == "unproven"  # no look left, promising
    worse = make_rounds([[True] * 20], [[False] * 3 + [True] * 17])
    assert look_verdict(*worse, Thresholds(), "pass_rate", first) == "futile"
    # with futility_gain off a loss is not stopped on its gain, but 15 more rounds of 20 tasks
    # could not prove it even two standard errors better: out of reach, unproven
    assert look_verdict(*worse, Thresholds(futility_gain=-1.0), "pass_rate", first) == "unproven"
    # nothing changes in 12 rounds of 30 tasks: the confidence sequence is below min_gain: futile
    same = make_rounds([[True] * 30] * 12, [[True] * 30] * 12)
    assert look_verdict(*same, Thresholds(futility_gain=-1.0, max_repeats=20), "pass_rate",
                        looks(12, Thresholds(max_repeats=20))[0]) == "futile"


def test_a_gain_too_small_to_prove_in_the_rounds_left_stops_the_test_unproven() -> None:
    """At round 12 of 16, 36 tasks whose pairs differ as independent draws do: +3 points seen cannot
    be proven in 4 more rounds even at two standard errors above it, +8 points may be, and the last
    look is never cut short."""

    def rounds_at(wins: int, losses: int) -> tuple[list[list[bool]], list[list[bool]]]:
        pattern = [(True, False)] * wins + [(False, True)] * losses + [(False, False)] * (36 - wins - losses)
        turned = [pattern[k:] + pattern[:k] for k in range(0, 12 * 5, 5)]   # other tasks each round
        return [[b for _, b in p] for p in turned], [[c for c, _ in p] for p in turned]

    plan = looks(2, Thresholds(max_repeats=16))
    small, large = make_rounds(*rounds_at(9, 8)), make_rounds(*rounds_at(10, 7))
    assert out_of_reach(walked(*small), plan[10]) and not out_of_reach(walked(*large), plan[10])
    assert not out_of_reach(walked(*small), plan[-1])
    assert look_verdict(*small, Thresholds(futility_gain=-1.0, max_repeats=16), "pass_rate", plan[10]) == "unproven"
    assert look_verdict(*large, Thresholds(futility_gain=-1.0, max_repeats=16), "pass_rate", plan[10]) == "continue"


def test_a_measured_candidate_is_out_of_reach_when_even_an_optimistic_end_could_not_prove_it() -> None:
    """36 tasks, the candidate at 12 rounds of its own seeds against the parent at 36: a gain of
    +0.03 so far could not become a proof in the 4 rounds left (the projection ends near +0.055),
    a gain of +0.08 still could; at the last look nothing is cut (the test ran out), and at round
    4 a small gain still has 12 rounds to grow."""
    thresholds = Thresholds(max_repeats=16)
    plan = looks(2, thresholds)

    def at(gain: float, rounds: int) -> Streams:
        own, parent = 36 * rounds, 36 * 3 * rounds
        return Streams(0.4 * parent, parent, (0.4 + gain) * own, own)

    assert plan[10].repeats == 12
    assert measured_out_of_reach(at(0.03, 12), plan[10], thresholds)
    assert not measured_out_of_reach(at(0.08, 12), plan[10], thresholds)
    assert not measured_out_of_reach(at(0.03, 16), plan[-1], thresholds)
    assert not measured_out_of_reach(at(0.01, 4), plan[2], thresholds)
    few = Streams(0.4 * 12, 12, 0.43 * 4 * 12, 4 * 12)    # 4 tasks a round: no projection
    assert not measured_out_of_reach(few, plan[10], thresholds)


def test_min_gain_is_judged_in_one_place() -> None:
    thresholds = Thresholds(min_gain=0.03)
    assert clears_min_gain(0.03, thresholds) and clears_min_gain(0.2, thresholds)
    assert not clears_min_gain(0.0299, thresholds)


def test_evidence_is_the_mean_gain_and_the_anytime_valid_p_value() -> None:
    gain, p = evidence_for([[1.0] * 10, [0.0] * 10])
    assert gain == 0.5 and 0 < p < 1
    assert evidence_for([]) == (0.0, 1.0)
    assert smallest_p_value(12, 2) < smallest_p_value(12, 1) < smallest_p_value(2, 1) <= 1.0


def test_a_deterministic_command_is_told_how_many_tasks_it_would_take() -> None:
    note = tasks_note({"t0": 1.0, "t1": 0.0, "t2": 0.0, "t3": 0.0})
    assert "the evidence is limited by the number of tasks (4)" in note
    assert "would need about" in note
    assert "would need" not in tasks_note({"t0": -1.0, "t1": 0.0})   # no gain to prove
