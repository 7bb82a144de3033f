"""The session: prepare (or resume) under the target's lock, measure the baseline, iterate until a
budget, a plateau or the proposer's end, and say why it stopped."""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from overseer.cache import RunCache
from overseer.config import LoadedConfig
from overseer.decision import Decision
from overseer.errors import FatalError
from overseer.evaluate import session_log_path
from overseer.executor import session_executor
from overseer.faults import checkpoint
from overseer.fingerprint import described, environment_fingerprint
from overseer.health import UnhealthyBaseline, broken_nodes, diagnose, nothing_to_improve
from overseer.insights import edit_prior
from overseer.lock import target_lock
from overseer.metrics import Metrics, metrics
from overseer.optimize.drift import compare, probe_sample
from overseer.optimize.iteration import Evidence, iterate, resumable
from overseer.optimize.keep import keep_accepted, next_number, record_not_kept, uncommitted_changes
from overseer.optimize.options import Evaluator, Hooks, OptimizeOptions
from overseer.optimize.runs import SessionRuns
from overseer.optimize.sealed import SealedFigure, measure
from overseer.optimize.setup import Setup, make_proposer, make_setup
from overseer.optimize.state import (
    Pending,
    SessionState,
    latest_unfinished,
    new_state,
    remove_stale_state_temps,
    save_state,
)
from overseer.prompts import prompt_hash, read_prompt
from overseer.proposers import PastEdit, Proposer
from overseer.records import RecordLog, RunRecord
from overseer.registry import KEPT_STATUSES, PromptVersion, TargetLog
from overseer.store import open_store
from overseer.vcs import has_commits, is_dirty, remove_stale_temps, switch_branch


@dataclass
class SessionSummary:
    state: SessionState
    decisions: list[Decision]
    baseline: dict[str, Metrics]
    final: dict[str, Metrics]
    log_path: Path
    commits: list[str] = field(default_factory=list)
    sealed: SealedFigure | None = None   # the sealed test set's figure (sealed.py), when run

    @property
    def accepted(self) -> int:
        return sum(d.outcome == "accepted" for d in self.decisions)


def stop_reason(options: OptimizeOptions, state: SessionState, elapsed_s: float) -> str:
    """Why the session stops now, or "" to go on."""
    o = options
    if state.iteration >= o.iterations:
        return f"iteration budget ({o.iterations}) reached"
    if o.max_runs is not None and state.runs_used >= o.max_runs:
        return f"run budget ({o.max_runs}) reached"
    if o.max_cost is not None and state.cost_usd >= o.max_cost:
        return f"cost budget (${o.max_cost}) reached"
    if o.max_time_s is not None and elapsed_s >= o.max_time_s:
        return f"time budget ({o.max_time_s:g}s) reached"
    if state.consecutive_rejections >= o.patience:
        return f"plateau: {o.patience} rejections in a row"
    return ""


def _resume(setup: Setup, hooks: Hooks, log: TargetLog, commits: list[str]) -> SessionState | None:
    state = latest_unfinished(setup.directory)
    if state is None:
        hooks.phase("no interrupted session to resume; starting a new one")
        return None
    if state.pending is not None:
        hooks.phase("finishing the accepted edit that was interrupted")
        sha = keep_accepted(setup, state, log)
        commits.extend([sha] if sha else [])
    if prompt_hash(read_prompt(setup.loaded.root, setup.target.prompt)) != state.current_hash:
        raise FatalError(
            f"{setup.prompt_path}: the prompt changed since session {state.session_id} "
            "was interrupted; start a new session instead of --resume")
    return state


def _half_kept(setup: Setup) -> str | None:
    """The session whose accepted edit the prompt file holds half-kept (its keeping interrupted
    before the commit was whole: committing "the uncommitted changes" by hand would commit half
    of it), or None."""
    interrupted = latest_unfinished(setup.directory)
    if interrupted is None or interrupted.pending is None:
        return None
    if read_prompt(setup.loaded.root, setup.target.prompt) != interrupted.pending.text:
        return None
    dirty = setup.repo is None or is_dirty(setup.repo, setup.prompt_path)
    return interrupted.session_id if dirty else None


def prepare(setup: Setup, hooks: Hooks, log: TargetLog, commits: list[str]) -> SessionState:
    """The session to run: the interrupted one (``--resume``) or a new one, checked and saved."""
    options, repo = setup.options, setup.repo
    remove_stale_temps(setup.prompt_path)
    remove_stale_state_temps(setup.directory)
    if options.resume and (state := _resume(setup, hooks, log, commits)) is not None:
        return state
    if options.commit and repo is None:
        raise FatalError(f"{setup.loaded.root}: not in a git repository; use --no-commit")
    if options.commit and repo is not None and not has_commits(repo):
        raise FatalError(f"{setup.loaded.root}: the git repository has no commits yet; commit your "
                         "project first (each kept edit is committed on top of it), or use --no-commit")
    if repo is not None and options.branch:
        switch_branch(repo, options.branch)
    if (half_kept := _half_kept(setup)) is not None:
        raise FatalError(f"session {half_kept} was interrupted while keeping an accepted "
                         f"edit; finish it with `overseer optimize {setup.name} --resume`")
    if repo is not None and not options.allow_dirty and is_dirty(repo, setup.prompt_path):
        raise FatalError(f"{setup.prompt_path}: has uncommitted changes; commit them first "
                         "(or pass --allow-dirty)")
    state = new_state(setup.name, read_prompt(setup.loaded.root, setup.target.prompt),
                      commit=options.commit)
    save_state(setup.directory, state)
    return state


def _evidence(setup: Setup) -> Evidence:
    with open_store(setup.runs_dir) as store:
        decisions = store.decisions(setup.name)
        history = [PastEdit(d.edit, d.outcome, d.gain, d.parent_hash, d.hypothesis, d.session_id)
                   for d in decisions if d.edit is not None]
        return Evidence(history, edit_prior(store) if setup.options.use_prior else {},
                        resumable(decisions, setup.accept))


def _register_baseline(setup: Setup, runs: SessionRuns, log: TargetLog) -> dict[str, Metrics]:
    state = runs.state
    runs.hooks.phase(f"baseline of {state.current_hash}")
    runs.parent("train")
    runs.parent("holdout")
    _probe_for_drift(runs)
    if runs.cache.elsewhere:
        runs.hooks.phase(
            f"{runs.cache.elsewhere} earlier runs of this prompt were made in another environment "
            f"({described(setup.target)} changed since): not reused, the baseline was measured again")
    if node := broken_nodes([*runs.baseline.train, *runs.baseline.holdout]):
        runs.hooks.phase(f"warning: {node}")
    _health_gate(setup, state, [*runs.baseline.train, *runs.baseline.holdout])
    start = {"train": metrics(runs.baseline.train), "holdout": metrics(runs.baseline.holdout)}
    with open_store(setup.runs_dir) as store:
        known = any(v.hash == state.current_hash and v.status in KEPT_STATUSES
                    for v in store.versions(setup.name))
    if not known:
        log.add_version(PromptVersion(
            hash=state.current_hash, status="baseline", text=state.current_text,
            session_id=state.session_id, train_pass_rate=start["train"].pass_rate,
            holdout_pass_rate=start["holdout"].pass_rate))
    checkpoint("baseline:done")
    return start


def _probe_for_drift(runs: SessionRuns) -> None:
    """Run a seeded sample of a baseline reused from earlier sessions again; if the outcomes moved,
    the earlier runs are dropped and the baseline is measured again now (drift.py)."""
    state = runs.state
    earlier = [r for r in runs.baseline.train if r.session_id != state.session_id and not r.infra]
    if not earlier:
        return
    sample = probe_sample(earlier, runs.setup.target.seed)
    runs.hooks.phase(f"drift probe: running {len(sample)} of the reused baseline's runs again")
    result = compare(sample, runs.again(state.current_text, sample, "drift probe"))
    if not result.drifted:
        return
    state.drift = result.describe()
    runs.hooks.phase(f"drift: {state.drift}; the earlier baseline is not reused, measuring it again")
    runs.cache.forget_earlier(state.session_id)
    runs.baseline.train, runs.baseline.holdout = [], []
    runs.parent("train")
    runs.parent("holdout")


def _health_gate(setup: Setup, state: SessionState, baseline: list[RunRecord]) -> None:
    """Stop before learning from a baseline that is no evidence about the prompt (exit 3)."""
    problem = diagnose(baseline)
    if problem is None:
        return
    state.stop_reason, state.finished = f"unhealthy baseline: {problem}", True
    save_state(setup.directory, state)
    raise UnhealthyBaseline(f"{setup.name}: the baseline is not evidence about the prompt: {problem}")


def _iterations(runs: SessionRuns, proposer: Proposer, log: TargetLog, started: float,
                commits: list[str], decisions: list[Decision]) -> str:
    """Iterate until a stop; returns the reason."""
    setup, state = runs.setup, runs.state
    if done := nothing_to_improve([*runs.baseline.train, *runs.baseline.holdout]):
        return done
    while not (reason := stop_reason(setup.options, state, state.elapsed_s + time.monotonic() - started)):
        decided = iterate(runs, proposer, _evidence(setup))
        for decision, candidate in decided:
            decisions.append(decision)
            runs.hooks.decided(decision)
            if decision.outcome == "accepted":
                state.pending = Pending(decision=decision, text=candidate, number=next_number(setup.diffs_dir),
                                        swept=uncommitted_changes(setup) if state.commit else "")
                save_state(setup.directory, state)
                checkpoint("accept:pending-saved")
                sha = keep_accepted(setup, state, log)
                commits.extend([sha] if sha else [])
            else:
                record_not_kept(setup, state, decision, log)
        if decided[0][0].outcome == "no_proposal":
            return "no more proposals"
        if all(d.outcome == "unfinished" and d.reason.startswith("not started") for d, _ in decided):
            budget = f"cost budget (${setup.options.max_cost:g})" if "cost budget" in decided[0][0].reason \
                else f"run budget ({setup.options.max_runs})"
            return f"{budget}: the next candidate could not finish inside it"
    return reason


def optimize_target(loaded: LoadedConfig, name: str, options: OptimizeOptions, hooks: Hooks, *,
                    proposer: Proposer | None = None, evaluator: Evaluator | None = None) -> SessionSummary:
    """One session on one target; see the module docstring of keep.py for crash safety."""
    setup = make_setup(loaded, name, options)
    proposer = proposer or make_proposer(loaded, setup.target, name)
    log, commits, decisions = TargetLog(setup.runs_dir, name), list[str](), list[Decision]()
    with target_lock(setup.directory, name):
        state = prepare(setup, hooks, log, commits)
        started = time.monotonic()
        log_path = session_log_path(loaded, name, state.session_id)
        cache = RunCache(command=setup.target.command, seed=setup.target.seed, runs_dir=setup.runs_dir,
                         target=name, environment=environment_fingerprint(setup.target, loaded.root))
        executor = nullcontext(None) if evaluator is not None else \
            session_executor(loaded.root, setup.target, [setup.train, setup.holdout], setup.jobs)
        with executor as remote, RecordLog(log_path) as records:
            runs = SessionRuns(setup, state, cache, records, hooks, evaluator, remote)
            start = _register_baseline(setup, runs, log)
            state.stop_reason = _iterations(runs, proposer, log, started, commits, decisions)
            sealed = measure(runs) if state.start_text and any(d.outcome == "accepted" for d in decisions) \
                else None
            state.finished = True
            state.elapsed_s += time.monotonic() - started
            save_state(setup.directory, state)
    final = {"train": metrics(runs.baseline.train), "holdout": metrics(runs.baseline.holdout)}
    return SessionSummary(state, decisions, start, final, log_path, commits, sealed)
