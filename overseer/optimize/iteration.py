"""One iteration: propose ONE edit, validate it, screen it on a minibatch, evaluate it on train
look after look, then on the holdout once proven, and decide. Returns the Decision; keeping or
recording it is the caller's (see keep.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from overseer.decide import Decision, Look, LookVerdict, decide, look_verdict, looks, screen
from overseer.edits import EditRejected, apply_edit
from overseer.effects import KindEffect
from overseer.errors import FatalError
from overseer.faults import checkpoint
from overseer.optimize.runs import SessionRuns
from overseer.prompts import prompt_hash, read_source, replace_prompt
from overseer.proposers import PastEdit, Proposal, ProposalFailed, Proposer, build_context
from overseer.records import RunRecord

# An unproven candidate is continued, max_repeats more rounds at a time, up to this many times
# max_repeats rounds in all; after that a proposal of it only replays what is recorded.
CONTINUE_LIMIT = 4


@dataclass
class Evidence:
    """What the proposer is told beyond the current runs (earlier edits, the edit-kind prior),
    and the candidates whose test ran out of rounds unproven (see ``open_unproven``)."""

    history: list[PastEdit]
    prior: dict[str, KindEffect]
    unproven: dict[tuple[str, str], Decision] = field(default_factory=dict)


def open_unproven(decisions: list[Decision]) -> dict[tuple[str, str], Decision]:
    """(parent hash, candidate hash) -> the last decision about that candidate, when it was
    "unproven": its test may go on from where it stopped, on the runs already recorded."""
    last: dict[tuple[str, str], Decision] = {}
    for decision in decisions:
        if decision.candidate_hash and decision.outcome not in ("invalid", "no_proposal", "failed"):
            last[(decision.parent_hash, decision.candidate_hash)] = decision
    return {key: d for key, d in last.items() if d.outcome == "unproven"}


def continuation(runs: SessionRuns, evidence: Evidence) -> Proposal | None:
    """When the proposer has nothing new: the unproven candidate of the current prompt with the
    largest gain so far whose test may still be continued, proposed again."""
    cap = CONTINUE_LIMIT * _max_rounds(runs)
    open_ = [d for (parent, _), d in evidence.unproven.items()
             if parent == runs.state.current_hash and d.edit is not None and (d.repeats or 0) < cap]
    if not open_:
        return None
    best = max(open_, key=lambda d: (d.gain or 0.0, d.time))
    assert best.edit is not None
    return Proposal(edit=best.edit, hypothesis=best.hypothesis, rationale=(
        f"continued: unproven after {best.repeats} rounds (gain {best.gain or 0:+.3f}); the runs "
        f"recorded so far are reused. {best.rationale}").strip())


def _max_rounds(runs: SessionRuns) -> int:
    return max(runs.setup.repeats, runs.setup.accept.max_repeats or runs.setup.repeats)


def _rounds_cap(runs: SessionRuns, evidence: Evidence, candidate_hash: str) -> int | None:
    """How far the train test of this candidate may go: further than max_repeats when it is the
    continuation of an unproven test of the same candidate against the same prompt."""
    earlier = evidence.unproven.get((runs.state.current_hash, candidate_hash))
    if earlier is None or not earlier.repeats:
        return None
    step = _max_rounds(runs)
    cap = CONTINUE_LIMIT * step
    return None if earlier.repeats >= cap else min(earlier.repeats + step, cap)


@dataclass
class TrainResult:
    before: list[RunRecord]
    after: list[RunRecord]
    look: Look
    verdict: LookVerdict
    stopped: str = ""


def iterate(runs: SessionRuns, proposer: Proposer, evidence: Evidence) -> tuple[Decision, str]:
    """The Decision about this iteration's candidate, and the candidate's text ("" if none)."""
    state, setup = runs.state, runs.setup
    base = Decision(session_id=state.session_id, target=setup.name, iteration=state.iteration,
                    parent_hash=state.current_hash, proposer=proposer.name)
    runs.hooks.phase(f"iteration {state.iteration + 1}: proposing ({proposer.name})")
    try:
        proposal = propose(runs, proposer, evidence)
    except ProposalFailed as exc:
        return base.model_copy(update={"outcome": "failed", "reason": str(exc)}), ""
    checkpoint("propose:done")
    if proposal is None:
        proposal = continuation(runs, evidence)
    if proposal is None:
        return base.model_copy(update={"outcome": "no_proposal", "reason": "nothing left to propose"}), ""
    base = base.model_copy(update={"edit": proposal.edit, "hypothesis": proposal.hypothesis,
                                   "rationale": proposal.rationale})
    try:
        applied = apply_edit(state.current_text, proposal.edit, start_length=state.start_length,
                             name=setup.target.prompt.file,
                             max_edit_chars=setup.target.edits.max_edit_chars,
                             max_growth=setup.target.edits.max_growth)
    except EditRejected as exc:
        return base.model_copy(update={"outcome": "invalid", "reason": f"invalid edit: {exc}"}), ""
    base = base.model_copy(update={"candidate_hash": prompt_hash(applied.text), "diff": applied.diff})
    if problem := unwritable(runs, applied.text):
        return base.model_copy(update={"outcome": "invalid", "reason": f"invalid edit: {problem}"}), ""
    return evaluate_candidate(runs, base, applied.text,
                              rounds=_rounds_cap(runs, evidence, prompt_hash(applied.text))), applied.text


def unwritable(runs: SessionRuns, candidate: str) -> str | None:
    """Why the edited prompt could not be written back where it lives (e.g. a new text that holds
    an `overseer:end` marker would cut a region short), or None. A dry run on the user's file."""
    path, location = runs.setup.prompt_path, runs.setup.target.prompt
    try:
        replace_prompt(read_source(path), location, candidate, location.file)
    except FatalError as exc:
        return f"the edited prompt cannot be written back: {exc}"
    return None


def propose(runs: SessionRuns, proposer: Proposer, evidence: Evidence) -> Proposal | None:
    state, setup = runs.state, runs.setup
    context = build_context(
        prompt=state.current_text, prompt_hash=state.current_hash,
        start_length=state.start_length, records=runs.baseline.train,
        tasks=setup.train.tasks, artifacts_base=setup.loaded.root, history=evidence.history,
        max_failures=setup.target.proposer.max_failures, prior=evidence.prior,
        iteration=state.iteration, session_id=state.session_id)
    return proposer.propose(context)


def evaluate_candidate(runs: SessionRuns, base: Decision, candidate: str, *,
                       rounds: int | None = None) -> Decision:
    """Screen, train looks, holdout, decide: ``base`` (the proposal's fields) merged with the
    verdict. ``rounds``: how far the train test may go (a continued candidate's; max_repeats
    otherwise)."""
    state, setup = runs.state, runs.setup
    runs_before = state.runs_used
    if (cost := first_look_cost(runs)) and setup.options.max_runs is not None \
            and state.runs_used + cost > setup.options.max_runs:
        return base.model_copy(update={"outcome": "unfinished", "reason": (
            f"not started: its first look could take {cost} runs, over the run budget "
            f"({setup.options.max_runs}, {state.runs_used} used)")})
    max_cost = setup.options.max_cost
    if max_cost is not None and state.runs_used and state.cost_usd \
            + (dollars := cost * state.cost_usd / state.runs_used) > max_cost:
        return base.model_copy(update={"outcome": "unfinished", "reason": (
            f"not started: its first look could cost ${dollars:.4g} ({cost} runs at this "
            f"session's ${state.cost_usd / state.runs_used:.4g} per run), over the cost budget "
            f"(${max_cost:g}, ${state.cost_usd:.4g} spent)")})
    screened = screen_candidate(runs, candidate)
    if screened is not None:
        return base.model_copy(update={**screened, "runs_used": state.runs_used - runs_before})
    train = sequential_train(runs, candidate, rounds)
    proven = train.verdict == "proven"
    holdout_before, holdout_after = runs.compare(candidate, "holdout", train.look.repeats) \
        if proven else ([], [])
    timed = runs.timing(candidate, [*train.before, *holdout_before], [*train.after, *holdout_after]) \
        if proven and setup.accept.max_time_increase is not None else None
    checkpoint("evaluate:done")
    verdict = decide(
        train_before=train.before, train_after=train.after,
        holdout_before=holdout_before, holdout_after=holdout_after,
        thresholds=setup.accept, objective=setup.target.objective,
        holdout_measured=proven, look=train.look, max_infra_share=setup.target.infra.max_share,
        timed=timed)
    if train.stopped:  # it was promising, the budget ended its test: not evidence against it
        verdict.outcome, verdict.reason = "unfinished", f"unfinished: {train.stopped}"
    elif train.verdict == "unproven":
        verdict.outcome, verdict.reason = "unproven", (
            f"unproven after {train.look.repeats} rounds: the test ran out of rounds with the gain "
            f"still above {setup.accept.futility_gain:g}; it is continued from here when it is "
            "proposed again or the proposer has nothing new")
    if verdict.outcome == "accepted":
        runs.baseline.train, runs.baseline.holdout = train.after, holdout_after
    return base.model_copy(update={**dict(verdict), "runs_used": state.runs_used - runs_before})


def first_look_cost(runs: SessionRuns) -> int:
    """Most runs a candidate's first look can take: its train runs (the screen's are among them)
    and its holdout runs, and the parent's runs made again beside them to compare run times; the
    parent's other runs at the first look are the baseline, already there."""
    setup = runs.setup
    return (len(setup.train) + len(setup.holdout)) * setup.repeats + timing_runs(runs)


def timing_runs(runs: SessionRuns) -> int:
    """Most runs a proven candidate adds so that run times are compared side by side."""
    accept = runs.setup.accept
    return 0 if accept.max_time_increase is None else 2 * accept.time_pairs


def screen_candidate(runs: SessionRuns, candidate: str) -> dict[str, object] | None:
    """The Decision fields of a candidate dropped on the minibatch, or None if it goes on."""
    minibatch = runs.minibatch(runs.state.iteration)
    if not minibatch:
        return None
    setup = runs.setup
    runs.hooks.phase(f"iteration {runs.state.iteration + 1}: screening on {len(minibatch)} tasks")
    screened = runs.of(candidate, minibatch, setup.train, "screen")
    ids = {t.id for t in minibatch}
    check = screen([r for r in runs.baseline.train if r.task_id in ids], screened,
                   setup.accept, setup.target.objective)
    checkpoint("screen:done")
    if check.passed:
        return None
    return {"outcome": "screened_out", "criteria": [check],
            "reason": f"screen: worse on the minibatch (p {check.value} <= {check.limit})"}


def sequential_train(runs: SessionRuns, candidate: str, rounds: int | None = None) -> TrainResult:
    """Train runs of parent and candidate, one more round (repeat) of every train task per look
    (see decide.looks), until the candidate is proven, futile, or at the last look; or until the
    next look could overrun --max-runs (then ``stopped`` says so and the candidate counts as not
    proven)."""
    setup, state = runs.setup, runs.state
    plan, max_runs = looks(setup.repeats, setup.accept, rounds), setup.options.max_runs
    result = TrainResult([], [], plan[0], "futile")
    for look in plan:
        if look.number > 1 and max_runs is not None:
            upper = 2 * len(setup.train) * (look.repeats - result.look.repeats)
            if state.runs_used + upper > max_runs:
                result.verdict = "futile"
                result.stopped = (f"the look at {look.repeats} repeats was not started: it could overrun "
                                  f"the run budget ({max_runs})")
                return result
        label = "evaluating the candidate" + (f" ({look.describe()})" if look.of > 1 else "")
        runs.hooks.phase(f"iteration {state.iteration + 1}: {label}")
        result.before, result.after = runs.compare(candidate, "train", look.repeats)
        result.look = look
        result.verdict = look_verdict(result.before, result.after, setup.accept,
                                      setup.target.objective, look, setup.target.infra.max_share)
        if result.verdict != "continue":
            break
    return result
