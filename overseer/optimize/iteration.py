"""One iteration: propose up to ``race`` edits, validate them, screen each on a minibatch, race
the survivors against the current prompt on train look after look (race.py), measure the first
proven one on the holdout, and decide. Returns the Decisions; keeping or recording them is the
caller's (see keep.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from overseer.acceptance import Thresholds
from overseer.decide import screen
from overseer.decision import Decision
from overseer.directives import violation
from overseer.edits import EditRejected, apply_edit
from overseer.effects import KindEffect
from overseer.errors import FatalError
from overseer.evidence.looks import DETERMINISTIC, clears_min_gain
from overseer.evidence.paired import mean_gain, paired_differences
from overseer.faults import checkpoint
from overseer.optimize.race import Entry, race
from overseer.optimize.runs import SessionRuns
from overseer.prompts import prompt_hash, read_source, replace_prompt
from overseer.proposers import PastEdit, Proposal, ProposalFailed, Proposer, build_context, propose_up_to

# A candidate is continued, max_repeats more rounds at a time, up to this many times max_repeats
# rounds in all; after that a proposal of it only replays what is recorded.
CONTINUE_LIMIT = 4


@dataclass
class Evidence:
    """What the proposer is told beyond the current runs (earlier edits, the edit-kind prior),
    and the candidates whose test may go on (see ``resumable``)."""

    history: list[PastEdit]
    prior: dict[str, KindEffect]
    resumable: dict[tuple[str, str], Decision] = field(default_factory=dict)


def resumable(decisions: list[Decision], thresholds: Thresholds) -> dict[tuple[str, str], Decision]:
    """(parent hash, candidate hash) -> the last decision about that candidate, when its test may
    go on from where it stopped, on the runs already recorded: it ran out of rounds "unproven",
    or it was stopped on its gain so far (at or below futility_gain) while its confidence
    sequence still reached min_gain (a noisy first look is no proof of uselessness; the betting
    test may be continued at any time without spending α)."""
    last: dict[tuple[str, str], Decision] = {}
    for decision in decisions:
        if decision.candidate_hash and decision.outcome not in ("invalid", "no_proposal", "failed"):
            last[(decision.parent_hash, decision.candidate_hash)] = decision
    return {key: d for key, d in last.items() if d.outcome == "unproven" or _stopped_early(d, thresholds)}


def _stopped_early(decision: Decision, thresholds: Thresholds) -> bool:
    """Rejected on train by its gain so far, not by its confidence sequence (nor on the holdout,
    tokens or time, which are measured only once train proved it), and not because the command
    is deterministic (more rounds would add nothing)."""
    return (decision.outcome == "rejected" and decision.holdout_after is None
            and decision.interval is not None and clears_min_gain(decision.interval[1], thresholds)
            and not any(DETERMINISTIC in c.note for c in decision.criteria))


def continuation(runs: SessionRuns, evidence: Evidence) -> Proposal | None:
    """When the proposer has nothing new: a candidate of the current prompt whose test may still
    be continued, proposed again: the unproven one with the largest gain so far, else the one
    stopped early whose confidence sequence reaches highest."""
    cap = CONTINUE_LIMIT * _max_rounds(runs)
    open_ = [d for (parent, _), d in evidence.resumable.items()
             if parent == runs.state.current_hash and d.edit is not None and (d.repeats or 0) < cap]
    if not open_:
        return None
    best = max(open_, key=lambda d: (d.outcome == "unproven", d.gain or 0.0 if d.outcome == "unproven"
                                     else (d.interval or [0.0, 0.0])[1], d.time))
    assert best.edit is not None
    why = "unproven" if best.outcome == "unproven" else "stopped on its gain so far"
    return Proposal(edit=best.edit, hypothesis=best.hypothesis, rationale=(
        f"continued: {why} after {best.repeats} rounds (gain {best.gain or 0:+.3f}); the runs "
        f"recorded so far are reused. {best.rationale}").strip())


def _max_rounds(runs: SessionRuns) -> int:
    return max(runs.setup.repeats, runs.setup.accept.max_repeats or runs.setup.repeats)


def _rounds(runs: SessionRuns, evidence: Evidence, candidate_hash: str) -> tuple[int | None, int | None]:
    """(the round of its first look, its last round) when this candidate continues an earlier
    test against the same prompt (max_repeats more rounds, at most CONTINUE_LIMIT x max_repeats),
    else (None, None): a first look at ``repeats`` rounds, the last at max_repeats."""
    earlier = evidence.resumable.get((runs.state.current_hash, candidate_hash))
    if earlier is None or not earlier.repeats:
        return None, None
    step = _max_rounds(runs)
    cap = CONTINUE_LIMIT * step
    if earlier.repeats >= cap:
        return None, None
    return earlier.repeats + 1, min(earlier.repeats + step, cap)


def iterate(runs: SessionRuns, proposer: Proposer, evidence: Evidence) -> list[tuple[Decision, str]]:
    """The Decisions about this iteration's candidates (up to ``race`` of them, raced against the
    current prompt, race.py), the kept one last with its text ("" for the others)."""
    state, setup = runs.state, runs.setup

    def fresh(**fields: object) -> Decision:
        return Decision(session_id=state.session_id, target=setup.name, iteration=state.iteration,
                        parent_hash=state.current_hash, proposer=proposer.name, **fields)

    runs.remeasure()
    runs.hooks.phase(f"iteration {state.iteration + 1}: proposing ({proposer.name})")
    try:
        proposals = propose(runs, proposer, evidence)
    except ProposalFailed as exc:
        return [(fresh(outcome="failed", reason=str(exc)), "")]
    checkpoint("propose:done")
    if not proposals and (continued := continuation(runs, evidence)) is not None:
        proposals = [continued]
    if not proposals:
        return [(fresh(outcome="no_proposal", reason="nothing left to propose"), "")]
    done: list[tuple[Decision, str]] = []
    entries: list[Entry] = []
    for proposal in proposals:
        decision, text = prepared(runs, fresh(edit=proposal.edit, hypothesis=proposal.hypothesis,
                                              rationale=proposal.rationale, panel=proposal.panel))
        if text and proposal.vetoed:
            done.append((decision.model_copy(update={"outcome": "vetoed", "reason": _veto(proposal)}), ""))
        elif not text:
            done.append((decision, ""))
        elif all(e.text != text for e in entries):
            start, cap = _rounds(runs, evidence, prompt_hash(text))
            entries.append(Entry(decision, text, cap, start))
    design, why = runs.design()
    runs.hooks.phase(f"iteration {state.iteration + 1}: comparing {design} ({why})")
    for entry in entries:
        entry.design = design
    entries, refused = fit_to_budget(runs, entries)
    done += refused
    survivors = []
    for entry in entries:
        if (screened := screen_candidate(runs, entry)) is None:
            survivors.append(entry)
        else:
            done.append((entry.decision.model_copy(update=screened), ""))
    return done + race(runs, survivors)


def _veto(proposal: Proposal) -> str:
    critiques = [c for entry in (proposal.panel.proposals if proposal.panel else [])
                 if entry.key == proposal.edit.key() for c in entry.critiques]
    return "vetoed by the panel's reviewer (no run spent): " + ("; ".join(critiques) or "no reason given")


def prepared(runs: SessionRuns, base: Decision) -> tuple[Decision, str]:
    """The proposal's edit applied to the current prompt: its Decision with the candidate's hash
    and diff, and its text; or an "invalid" Decision and ""."""
    setup = runs.setup
    assert base.edit is not None
    try:
        applied = apply_edit(runs.state.current_text, base.edit, start_length=runs.state.start_length,
                             name=setup.target.prompt.file,
                             max_edit_chars=setup.target.edits.max_edit_chars,
                             max_growth=setup.target.edits.max_growth)
    except EditRejected as exc:
        return base.model_copy(update={"outcome": "invalid", "reason": f"invalid edit: {exc}"}), ""
    base = base.model_copy(update={"candidate_hash": prompt_hash(applied.text), "diff": applied.diff})
    problem = unwritable(runs, applied.text) or violation(
        setup.target.directives, runs.state.current_text, applied.text)
    if problem:
        return base.model_copy(update={"outcome": "invalid", "reason": f"invalid edit: {problem}"}), ""
    return base, applied.text


def unwritable(runs: SessionRuns, candidate: str) -> str | None:
    """Why the edited prompt could not be written back where it lives (e.g. a new text that holds
    an `overseer:end` marker would cut a region short), or None. A dry run on the user's file."""
    path, location = runs.setup.prompt_path, runs.setup.target.prompt
    try:
        replace_prompt(read_source(path), location, candidate, location.file)
    except FatalError as exc:
        return f"the edited prompt cannot be written back: {exc}"
    return None


def propose(runs: SessionRuns, proposer: Proposer, evidence: Evidence) -> list[Proposal]:
    state, setup = runs.state, runs.setup
    context = build_context(
        prompt=state.current_text, prompt_hash=state.current_hash,
        start_length=state.start_length, records=runs.baseline.train,
        tasks=setup.train.tasks, artifacts_base=setup.loaded.root, history=evidence.history,
        max_failures=setup.target.proposer.max_failures, prior=evidence.prior,
        iteration=state.iteration, session_id=state.session_id,
        directives=setup.target.directives, directive_text=setup.directive_text)
    return propose_up_to(proposer, context, setup.race)


def fit_to_budget(runs: SessionRuns, entries: list[Entry]) -> tuple[list[Entry], list[tuple[Decision, str]]]:
    """The entries whose first looks fit in --max-runs and --max-cost together (the race shrinks
    to what the budget allows), and, when not even one fits, each as "unfinished: not started"."""
    state, options = runs.state, runs.setup.options
    if not entries:
        return [], []
    each, shared = candidate_look_cost(runs), first_look_cost(runs) - candidate_look_cost(runs)
    fits, reason = len(entries), ""
    if options.max_runs is not None:
        fits = min(fits, max(0, (options.max_runs - state.runs_used - shared) // each))
        reason = (f"not started: its first look could take {each + shared} runs, over the run "
                  f"budget ({options.max_runs}, {state.runs_used} used)")
    per_run = state.cost_usd / state.runs_used if state.runs_used else 0.0
    if options.max_cost is not None and per_run and fits:
        room_usd = options.max_cost - state.cost_usd - shared * per_run
        fits = min(fits, max(0, int(room_usd // (each * per_run))))
        if not fits:
            reason = (f"not started: its first look could cost ${(each + shared) * per_run:.4g} "
                      f"({each + shared} runs at this session's ${per_run:.4g} per run), over the "
                      f"cost budget (${options.max_cost:g}, ${state.cost_usd:.4g} spent)")
    if fits:
        return entries[:fits], []
    return [], [(e.decision.model_copy(update={"outcome": "unfinished", "reason": reason}), "")
                for e in entries]


def first_look_cost(runs: SessionRuns) -> int:
    """Most runs a candidate's first look can take: its train runs (the screen's are among them)
    and its holdout runs, and the parent's runs made again beside them to compare run times; the
    parent's other runs at the first look are the baseline, already there."""
    setup = runs.setup
    return candidate_look_cost(runs) + len(setup.holdout) * setup.repeats + timing_runs(runs)


def candidate_look_cost(runs: SessionRuns) -> int:
    """The train runs of a candidate's first look: what each more raced candidate adds."""
    return len(runs.setup.train) * runs.setup.repeats


def timing_runs(runs: SessionRuns) -> int:
    """Most runs a proven candidate adds so that run times are compared side by side."""
    accept = runs.setup.accept
    return 0 if accept.max_time_increase is None else 2 * accept.time_pairs


def screen_candidate(runs: SessionRuns, entry: Entry) -> dict[str, object] | None:
    """The Decision fields of a candidate dropped on the minibatch, or None if it goes on (its
    estimate then is its gain on the minibatch, which orders the race)."""
    minibatch = runs.minibatch(runs.state.iteration)
    if not minibatch:
        return None
    setup, state = runs.setup, runs.state
    runs.hooks.phase(f"iteration {state.iteration + 1}: screening on {len(minibatch)} tasks")
    used = state.runs_used
    screened = runs.of(entry.text, minibatch, setup.train, "screen")
    entry.runs_used += state.runs_used - used
    ids = {t.id for t in minibatch}
    parent = [r for r in runs.baseline.train if r.task_id in ids]
    runs.probes.append((parent, screened))
    check = screen(parent, screened, setup.accept, setup.target.objective)
    checkpoint("screen:done")
    entry.estimate = mean_gain(paired_differences(parent, screened, setup.target.objective))
    if check.passed:
        return None
    return {"outcome": "screened_out", "criteria": [check], "runs_used": entry.runs_used,
            "reason": f"screen: worse on the minibatch (p {check.value} <= {check.limit})"}
