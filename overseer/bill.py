"""The bill in advance: what a candidate and a session are expected to cost under the current
acceptance rule, from the target's own recorded runs.

A candidate is simulated through the whole rule as the optimizer runs it (the minibatch screen,
the looks of evidence/looks.py, the holdout and decide()), with the per-task pass
rates the current prompt showed, for a useless edit (true gain 0) and a good one (+10 points).
The runs it takes depend on whether the command's model uses the run seed (``seeded``: both
prompts draw alike wherever the edit does not matter) or not (``fresh``), so both are given.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from overseer.acceptance import Thresholds
from overseer.decide import decide, holdout_rounds, screen
from overseer.decision import Decision
from overseer.evidence.allocate import gather
from overseer.evidence.coupling import Coupling
from overseer.evidence.looks import look_verdict, looks
from overseer.metrics import RunCosts
from overseer.records import RunRecord, Usage
from overseer.seeds import plan_draws

_TEMPLATE = RunRecord(session_id="plan", target="plan", command="plan", prompt_hash="plan",
                      task_id="", task_hash="", task_set_hash="", repeat=0, seed=0, started_at="",
                      exit_code=0, timed_out=False, command_s=1.0, usage=Usage(input_tokens=100))


def _passed(record: RunRecord) -> float:
    return float(record.passed)


class SimulatedPrompt:
    """One prompt's outcomes, drawn lazily per (task, repeat) and then fixed, like cached runs.
    With ``shared`` uniforms (seeded sampling) every prompt draws the same uniform at a (task,
    repeat); without, each draws its own (fresh sampling)."""

    def __init__(self, probabilities: dict[str, float], rng: random.Random,
                 shared: dict[tuple[str, int], float] | None = None, seed: int = 0,
                 coupling: float = 1.0) -> None:
        self.probabilities, self.rng, self.shared, self.seed = probabilities, rng, shared, seed
        self.coupling = coupling
        self.drawn: dict[tuple[str, int], RunRecord] = {}

    def uniform(self, task: str, repeat: int) -> float:
        """Seeded: the uniform every prompt shares at (task, repeat); partly coupled, that one at a
        share ``coupling`` of the (task, repeat) pairs (a coin both prompts share), else its own."""
        if self.shared is None:
            return self.rng.random()
        if self.coupling < 1 and self.shared.setdefault((task, -1 - repeat), self.rng.random()) >= self.coupling:
            return self.rng.random()
        return self.shared.setdefault((task, repeat), self.rng.random())

    def runs(self, tasks: Sequence[str], repeats: int) -> list[RunRecord]:
        return self.pairs([(t, r) for r in range(repeats) for t in tasks])

    def pairs(self, pairs: Sequence[tuple[str, int]]) -> list[RunRecord]:
        for task, repeat in pairs:
            if (task, repeat) not in self.drawn:
                ok = self.uniform(task, repeat) < self.probabilities[task]
                self.drawn[(task, repeat)] = _TEMPLATE.model_copy(
                    update={"task_id": task, "repeat": repeat, "passed": ok, "score": float(ok),
                            "seed": self.seed})
        return [self.drawn[pair] for pair in pairs]


@dataclass(frozen=True)
class Trial:
    accepted: bool
    own_runs: int          # the candidate's runs
    parent_runs: int       # the parent's runs beyond the baseline (shared by later candidates)
    interval: list[float] | None


def simulate_candidate(train: dict[str, float], holdout: dict[str, float], effect: float,
                       repeats: int, thresholds: Thresholds, rng: random.Random,
                       seeded: bool = False, coupling: float = 1.0,
                       holdout_effect: float | None = None) -> Trial:
    """One candidate with true effect ``effect`` (pass probability + effect on every task; on the
    holdout tasks ``holdout_effect`` when given, an edit that does not carry over) through the
    whole rule, against a parent with these per-task pass probabilities."""
    shared: dict[tuple[str, int], float] | None = {} if seeded else None
    seed = rng.randrange(2 ** 31)  # the target's seed: it fixes which rounds run a settled task
    parent = SimulatedPrompt({**train, **holdout}, rng, shared, seed, coupling)
    moved = {**{t: p + effect for t, p in train.items()},
             **{t: p + (effect if holdout_effect is None else holdout_effect) for t, p in holdout.items()}}
    candidate = SimulatedPrompt({t: min(0.99, max(0.01, p)) for t, p in moved.items()}, rng, shared, seed, coupling)
    train_ids, holdout_ids = sorted(train), sorted(holdout)
    parent.runs(train_ids, repeats)
    parent.runs(holdout_ids, repeats)
    first = len(parent.drawn)

    def result(accepted: bool, interval: list[float] | None = None) -> Trial:
        return Trial(accepted, len(candidate.drawn), len(parent.drawn) - first, interval)

    minibatch = sorted(rng.sample(train_ids, min(thresholds.screen_tasks, len(train_ids))))
    if thresholds.screen_tasks and len(minibatch) < len(train_ids) and not screen(
            parent.runs(minibatch, repeats), candidate.runs(minibatch, repeats), thresholds,
            "pass_rate").passed:
        return result(False)
    before: list[RunRecord] = []
    after: list[RunRecord] = []
    verdict, look = "futile", looks(repeats, thresholds)[0]
    for look in looks(repeats, thresholds):
        before, after = gather(train_ids, seed, look.repeats, _passed,
                               lambda pairs: (parent.pairs(pairs), candidate.pairs(pairs)))
        verdict = look_verdict(before, after, thresholds, "pass_rate", look)
        if verdict != "continue":
            break
    if verdict != "proven":
        return result(False)
    holdout_before, holdout_after = parent.runs(holdout_ids, look.repeats), candidate.runs(holdout_ids, look.repeats)
    again = holdout_rounds(holdout_before, holdout_after, look.repeats, thresholds, "pass_rate")
    if again is not None:
        holdout_before, holdout_after = parent.runs(holdout_ids, again), candidate.runs(holdout_ids, again)
    decision = decide(train_before=before, train_after=after, holdout_before=holdout_before,
                      holdout_after=holdout_after, thresholds=thresholds, objective="pass_rate", look=look)
    return result(decision.outcome == "accepted", decision.interval)


@dataclass(frozen=True)
class CandidateCost:
    runs: float            # mean runs per candidate, its own and the parent's extra rounds
    kept: float            # the share of candidates kept


def candidate_cost(train: dict[str, float], holdout: dict[str, float], effect: float,
                   repeats: int, thresholds: Thresholds, *, seeded: bool, trials: int = 200,
                   seed: int = 0) -> CandidateCost:
    rng = plan_draws(seed, effect, seeded)
    results = [simulate_candidate(train, holdout, effect, repeats, thresholds, rng, seeded)
               for _ in range(trials)]
    return CandidateCost(statistics.fmean(t.own_runs + t.parent_runs for t in results),
                         statistics.fmean(t.accepted for t in results))


def pass_rates(records: Sequence[RunRecord]) -> dict[str, float]:
    """Each task's pass rate in these runs, kept inside [0.01, 0.99]."""
    by_task: dict[str, list[bool]] = {}
    for r in records:
        if not r.infra:
            by_task.setdefault(r.task_id, []).append(r.passed)
    return {task: min(0.99, max(0.01, statistics.fmean(v))) for task, v in by_task.items()}


RECENT_SESSIONS = 3  # the sessions whose spending predicts the next one's


@dataclass(frozen=True)
class Spent:
    """What this target's recent sessions spent, the figure to expect if the next candidates cost
    what the last ones did: runs per iteration (its candidates', with the parent's runs made beside
    them) and per session outside any candidate (baselines, drift probes)."""

    sessions: int
    iterations: int
    per_iteration: float
    per_session: float


def recent_spending(decisions: Sequence[Decision], session_runs: dict[str, int],
                    recent: int = RECENT_SESSIONS) -> Spent | None:
    """The spending of the last ``recent`` sessions that decided a candidate, or None."""
    by_session: dict[str, dict[int, int]] = {}
    for d in decisions:
        if d.session_id in session_runs and d.outcome not in ("no_proposal", "failed"):
            per_iteration = by_session.setdefault(d.session_id, {})
            per_iteration[d.iteration] = per_iteration.get(d.iteration, 0) + d.runs_used
    sessions = sorted(by_session)[-recent:]   # session ids start with their UTC start time
    if not sessions:
        return None
    iterations = sum(len(by_session[s]) for s in sessions)
    in_candidates = {s: sum(by_session[s].values()) for s in sessions}
    return Spent(sessions=len(sessions), iterations=iterations,
                 per_iteration=sum(in_candidates.values()) / iterations,
                 per_session=statistics.fmean(max(0, session_runs[s] - in_candidates[s]) for s in sessions))


EFFECTS = {"useless": 0.0, "plus_10": 0.10}
SAMPLINGS = {"seeded": True, "fresh": False}


@dataclass(frozen=True)
class Plan:
    target: str
    train_tasks: int
    holdout_tasks: int
    repeats: int
    max_repeats: int
    recorded: RunCosts
    baseline_runs: int  # runs the current prompt still lacks for a baseline (0: measured)
    # sampling -> effect -> expected runs per candidate (own + parent's extra) and share kept
    candidates: dict[str, dict[str, CandidateCost]]
    iterations: int
    jobs: int
    max_runs: int | None
    race: int = 1          # candidates per iteration (optimize/race.py)
    screen_runs: int = 0   # a candidate's screen: what each other raced candidate costs at least
    spent: Spent | None = None  # what the last sessions spent (recent_spending)
    coupling: Coupling | None = None  # measured on the target's recent comparisons

    def applies(self) -> str | None:
        """The sampling row the target's own runs say applies, or None when they do not say."""
        if self.coupling is None or not self.coupling.trusted:
            return None
        return "seeded" if self.coupling.pairs_pay else "fresh"

    def recent_session_runs(self) -> float | None:
        """Expected runs of a session if its candidates cost what the last sessions' did."""
        if self.spent is None:
            return None
        runs = self.spent.per_session + self.iterations * self.spent.per_iteration
        return min(runs, self.max_runs) if self.max_runs is not None else runs

    def session_runs(self, sampling: str, effect: str) -> float:
        """Expected runs of a session whose every candidate has this effect (within --max-runs):
        useless candidates are each evaluated to their end, race by race; of good ones the first
        is kept and the others of its race cost their screen."""
        cost = self.candidates[sampling][effect]
        per_iteration = self.race * cost.runs if effect == "useless" \
            else cost.runs + (self.race - 1) * self.screen_runs
        runs = self.baseline_runs + self.iterations * per_iteration
        return min(runs, self.max_runs) if self.max_runs is not None else runs


def plan_json(plan: Plan) -> dict[str, object]:
    facts = asdict(plan)
    facts["session"] = {
        sampling: {effect: {"runs": round(plan.session_runs(sampling, effect)),
                            "cost_usd": round(plan.session_runs(sampling, effect) * plan.recorded.cost_usd, 4),
                            "hours": round(plan.session_runs(sampling, effect) * plan.recorded.seconds
                                           / plan.jobs / 3600, 3)}
                   for effect in EFFECTS}
        for sampling in SAMPLINGS}
    if plan.coupling is not None:
        facts["coupling"] = {**asdict(plan.coupling), "strength": round(plan.coupling.strength, 4),
                             "words": plan.coupling.describe(), "applies": plan.applies()}
    if (recent := plan.recent_session_runs()) is not None:
        facts["recent_session"] = {"runs": round(recent),
                                   "cost_usd": round(recent * plan.recorded.cost_usd, 4),
                                   "hours": round(recent * plan.recorded.seconds / plan.jobs / 3600, 3)}
    return facts
