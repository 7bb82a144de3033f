"""Candidates raced against one parent, sharing its runs: the candidate with the largest gain on
the screen's minibatch gets the runs, look after look, until its test stops; then the next one;
the first proven is kept (still ONE edit per kept commit) and the race ends.

Each candidate has its own betting test (evidence/betting.py) at the full α: racing changes only
which candidate gets runs and when, never what a candidate's evidence says, so the chance of
keeping a useless or harmful edit stays at most α per candidate. Runs go to one candidate at a time
because giving every candidate a round per look (lockstep) ended lower at equal budget on
benchmarks/peers.py (median holdout truth 0.681 against 0.748 for one candidate at a time, at 1,000
runs), and so did switching to whichever candidate led after each look (0.727): the runs spent on
candidates that lose are lost once the winner is kept. When one candidate is kept, the others end
"unfinished": their evidence was about the prompt it replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from overseer.decide import decide, holdout_rounds, unproven
from overseer.decision import Decision
from overseer.evidence.looks import Look, LookVerdict, look_verdict, looks
from overseer.faults import checkpoint
from overseer.optimize.runs import Design, SessionRuns
from overseer.records import RunRecord


@dataclass
class Entry:
    """One candidate in the race: its proposal's Decision fields so far, its text, and its train
    evidence at its last look."""

    decision: Decision
    text: str
    cap: int | None = None       # its last round (a continued candidate's), else max_repeats
    start: int | None = None     # its first look's round (a continued candidate's), else repeats
    before: list[RunRecord] = field(default_factory=list)
    after: list[RunRecord] = field(default_factory=list)
    look: Look | None = None
    verdict: LookVerdict = "continue"
    estimate: float = 0.0        # its mean paired gain on the screen's minibatch
    runs_used: int = 0           # its own runs and the parent's made beside them
    design: Design = "paired"    # how it is compared with the parent (SessionRuns.design)

    @property
    def rounds(self) -> int:
        return self.look.repeats if self.look else 0


def leader(entries: Sequence[Entry]) -> Entry:
    """The entry that gets the next look: the one whose test is under way, else the best on the
    screen, the proposer's order breaking ties."""
    started = [e for e in entries if e.look is not None]
    return started[0] if started else max(entries, key=lambda e: e.estimate)


def race(runs: SessionRuns, entries: list[Entry]) -> list[tuple[Decision, str]]:
    """Race the entries (already screened) to the first proven; every entry's Decision, in the
    order decided, the kept one last, with its text ("" for those not kept)."""
    done: list[tuple[Decision, str]] = []
    open_ = list(entries)
    while open_:
        entry = leader(open_)
        if (stopped := _over_budget(runs, entry)):
            done.extend((_unfinished(runs, e, stopped), "") for e in open_)
            return done
        _look(runs, entry, len(open_))
        if entry.verdict == "continue":
            continue
        open_.remove(entry)
        decision = _finish(runs, entry)
        if decision.outcome != "accepted":
            done.append((decision, ""))
            continue
        done.extend((_unfinished(runs, other, (
            f"outraced: candidate {decision.candidate_hash} was proven first and kept; this "
            "evidence was about the prompt it replaced")), "") for other in open_)
        done.append((decision, entry.text))
        return done
    return done


def _look(runs: SessionRuns, entry: Entry, racing: int) -> None:
    """One more round for the entry (its first look: ``repeats`` rounds, or the round after those a
    continued candidate has), in one batch with the parent's runs it lacks; its look verdict."""
    setup, state = runs.setup, runs.state
    rounds = entry.rounds + 1 if entry.look else max(setup.repeats, entry.start or 0)
    plan = looks(setup.repeats, setup.accept, entry.cap)
    look = plan[rounds - setup.repeats]
    which = f"candidate {entry.decision.candidate_hash} of {racing}" if racing > 1 else "the candidate"
    runs.hooks.phase(f"iteration {state.iteration + 1}: evaluating {which}"
                     + (f" ({look.describe()})" if look.of > 1 else ""))
    used = state.runs_used
    entry.before, entry.after = runs.train_rounds(entry.text, rounds, entry.design)
    entry.look, entry.runs_used = look, entry.runs_used + state.runs_used - used
    entry.verdict = look_verdict(entry.before, entry.after, setup.accept, setup.target.objective,
                                 look, setup.target.infra.max_share)


def _over_budget(runs: SessionRuns, entry: Entry) -> str:
    """Why the entry's next look may not start (it could overrun --max-runs), or "". A first
    look that fits was checked before the race (iteration.fit_to_budget)."""
    setup, state = runs.setup, runs.state
    max_runs = setup.options.max_runs
    if max_runs is None or entry.look is None:
        return ""
    if state.runs_used + 2 * len(setup.train) <= max_runs:
        return ""
    return (f"the look at {entry.rounds + 1} repeats was not started: it could overrun the run "
            f"budget ({max_runs})")


def _finish(runs: SessionRuns, entry: Entry) -> Decision:
    """The entry's Decision once its train test stopped: a proven one is measured on the holdout
    (and side by side for time) and decided; the others are decided on train alone."""
    setup, state = runs.setup, runs.state
    assert entry.look is not None
    proven = entry.verdict == "proven"
    used = state.runs_used
    holdout_before, holdout_after = runs.compare(entry.text, "holdout", entry.rounds, entry.design) \
        if proven else ([], [])
    again = holdout_rounds(holdout_before, holdout_after, entry.rounds, setup.accept, setup.target.objective) \
        if proven else None
    if again is not None:   # a loss within its noise: judged on twice the holdout runs
        holdout_before, holdout_after = runs.compare(entry.text, "holdout", again, entry.design)
    timed = runs.timing(entry.text, [*entry.before, *holdout_before], [*entry.after, *holdout_after]) \
        if proven and setup.accept.max_time_increase is not None else None
    checkpoint("evaluate:done")
    verdict = decide(
        train_before=entry.before, train_after=entry.after,
        holdout_before=holdout_before, holdout_after=holdout_after,
        thresholds=setup.accept, objective=setup.target.objective,
        holdout_measured=proven, look=entry.look, max_infra_share=setup.target.infra.max_share,
        timed=timed)
    if entry.verdict == "unproven":
        verdict = unproven(verdict, entry.look, setup.accept)
    if verdict.outcome == "accepted":
        runs.baseline.train, runs.baseline.holdout = entry.after, holdout_after
    entry.runs_used += state.runs_used - used
    return entry.decision.model_copy(update={**dict(verdict), "runs_used": entry.runs_used})


def _unfinished(runs: SessionRuns, entry: Entry, why: str) -> Decision:
    """An entry whose test was cut short (the budget, or another candidate kept): what its evidence
    said so far, as "unfinished", which is no evidence against it."""
    setup = runs.setup
    fields: dict[str, object] = {}
    if entry.look is not None:
        verdict = decide(train_before=entry.before, train_after=entry.after, holdout_before=[],
                         holdout_after=[], thresholds=setup.accept, objective=setup.target.objective,
                         holdout_measured=False, look=entry.look,
                         max_infra_share=setup.target.infra.max_share)
        fields = dict(verdict)
    return entry.decision.model_copy(update={
        **fields, "outcome": "unfinished", "reason": f"unfinished: {why}",
        "runs_used": entry.runs_used})
