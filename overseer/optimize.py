"""The loop: baseline → propose → validate → screen → evaluate → decide → keep or record.

Crash safety: an accepted edit is first saved as ``pending`` in the session's state file; then the
prompt file is replaced atomically, the diffs/ record written and the commit made; every step is
idempotent, so ``--resume`` after a kill at any point finishes the pending accept, and the prompt
file is always either the last accepted text or the new accepted text.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock
from pydantic import BaseModel, ConfigDict

from overseer.cache import RunCache
from overseer.config import LoadedConfig, Target
from overseer.decide import (
    Criterion,
    Decision,
    Look,
    LookVerdict,
    decide,
    look_verdict,
    looks,
    metrics,
    screen,
    smallest_p_value,
)
from overseer.edits import EditRejected, apply_edit
from overseer.errors import FatalError
from overseer.evaluate import evaluate_prompt, runs_dir, session_log_path
from overseer.faults import checkpoint
from overseer.insights import edit_prior
from overseer.llm import client_for
from overseer.prompts import extract_prompt, prompt_hash, read_prompt, read_source, replace_prompt
from overseer.proposers import PastEdit, Proposal, ProposalFailed, Proposer, build_context
from overseer.proposers.llm import LLMProposer, load_template
from overseer.proposers.rules import RulesProposer
from overseer.records import RecordLog, RunRecord, new_session_id, now_iso
from overseer.registry import PromptVersion, TargetLog
from overseer.store import open_store
from overseer.tasks import Task, TaskSet, target_task_sets
from overseer.vcs import (
    atomic_write,
    commit_paths,
    head_bytes,
    is_dirty,
    open_repo,
    remove_stale_temps,
    switch_branch,
    sync_index,
)

ProgressFactory = Callable[[str, int], AbstractContextManager[Callable[[RunRecord], None]]]


@dataclass
class OptimizeOptions:
    iterations: int = 10
    max_runs: int | None = None
    max_cost: float | None = None
    max_time_s: float | None = None
    patience: int = 5
    commit: bool = True
    branch: str | None = None
    allow_dirty: bool = False
    resume: bool = False
    jobs: int | None = None
    repeats: int | None = None
    max_repeats: int | None = None  # overrides the target's accept.max_repeats
    use_prior: bool = True


# Runs a prompt on the given (task, repeat) pairs and returns their records: the default runs the
# target's command for real; benchmarks pass the simulator's fast path.
Evaluator = Callable[[str, TaskSet, set[tuple[str, int]], int, str], list[RunRecord]]


@dataclass
class Hooks:
    """How the loop reports while it works (the CLI renders; tests may ignore)."""

    progress: ProgressFactory
    phase: Callable[[str], None] = lambda message: None
    decided: Callable[[Decision], None] = lambda decision: None


class Pending(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Decision
    text: str
    number: int


class SessionState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str
    target: str
    started_at: str
    commit: bool
    start_hash: str
    start_length: int
    current_hash: str
    current_text: str
    iteration: int = 0
    consecutive_rejections: int = 0
    runs_used: int = 0
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    pending: Pending | None = None
    finished: bool = False
    stop_reason: str = ""


@dataclass
class SessionSummary:
    state: SessionState
    decisions: list[Decision]
    baseline: dict[str, Any]
    final: dict[str, Any]
    log_path: Path
    commits: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        accepted = [d for d in self.decisions if d.outcome == "accepted"]
        return {
            "target": self.state.target, "session": self.state.session_id,
            "start_hash": self.state.start_hash, "final_hash": self.state.current_hash,
            "baseline": self.baseline, "final": self.final,
            "accepted": len(accepted), "rejected": len(self.decisions) - len(accepted),
            "runs_used": self.state.runs_used, "cost_usd": round(self.state.cost_usd, 6),
            "stop_reason": self.state.stop_reason, "commits": self.commits,
            "jsonl": str(self.log_path),
            "iterations": [{
                "iteration": d.iteration, "edit": d.edit.summary() if d.edit else None,
                "kind": d.edit.kind if d.edit else None, "outcome": d.outcome,
                "gain": d.gain, "p_value": d.p_value,
                "holdout_gain": next((c.value for c in d.criteria if c.name == "holdout gain"), None),
                "reason": d.reason,
            } for d in self.decisions],
        }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "edit"


def make_proposer(loaded: LoadedConfig, target: Target) -> Proposer:
    if target.proposer.kind == "rules":
        return RulesProposer()
    assert target.proposer.model is not None
    template_path = (loaded.root / target.proposer.reflection_prompt
                     if target.proposer.reflection_prompt else None)
    return LLMProposer(client_for(target.proposer.model), load_template(template_path),
                       target.edits.max_edit_chars)


@contextmanager
def target_lock(directory: Path, target: str) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(directory / ".lock")
    pid_file = directory / ".lock.pid"
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        holder = pid_file.read_text().strip() if pid_file.exists() else "unknown"
        raise FatalError(
            f"target {target} is being optimized by another overseer (pid {holder}); "
            f"lock file {directory / '.lock'}") from None
    try:
        pid_file.write_text(str(os.getpid()))
        yield
    finally:
        pid_file.unlink(missing_ok=True)
        lock.release()


class Optimizer:
    def __init__(self, loaded: LoadedConfig, target_name: str, options: OptimizeOptions,
                 hooks: Hooks, proposer: Proposer | None = None,
                 evaluator: Evaluator | None = None) -> None:
        self.evaluator = evaluator
        self.loaded = loaded
        self.name = target_name
        self.target = loaded.target(target_name)
        self.options = options
        self.hooks = hooks
        self.proposer = proposer or make_proposer(loaded, self.target)
        self.repeats = options.repeats or self.target.repeats
        self.accept = self.target.accept if options.max_repeats is None else \
            self.target.accept.model_copy(update={"max_repeats": options.max_repeats})
        self.jobs = options.jobs or self.target.jobs
        self.directory = runs_dir(loaded) / target_name
        self.targetlog = TargetLog(runs_dir(loaded), target_name)
        self.prompt_path = loaded.root / self.target.prompt.file
        self.repo = open_repo(loaded.root)
        self.train, self.holdout = target_task_sets(loaded, self.target)
        last, floor = looks(self.repeats, self.accept)[-1], smallest_p_value(len(self.train))
        if floor > last.alpha:
            raise FatalError(
                f"{loaded.path}: targets.{target_name}: {len(self.train)} train tasks can never prove "
                f"an edit: their smallest p-value is {floor:.3g}, above "
                f"the last look's α {last.alpha:.3g}; add tasks or raise accept.alpha")
        self.cache = RunCache()
        self.session_decisions: list[Decision] = []
        self.commits: list[str] = []

    # ---- state -------------------------------------------------------------------------------

    def _state_path(self, session_id: str) -> Path:
        return self.directory / f"{session_id}.state.json"

    def _save(self, state: SessionState) -> None:
        atomic_write(self._state_path(state.session_id), state.model_dump_json(indent=1).encode(),
                     fault_prefix="state-write")
        checkpoint("state:saved")

    def _latest_unfinished(self) -> SessionState | None:
        for path in sorted(self.directory.glob("*.state.json"), reverse=True):
            try:
                state = SessionState.model_validate_json(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise FatalError(f"{path}: unreadable session state: {exc}") from None
            if not state.finished:
                return state
        return None

    def _new_state(self, text: str) -> SessionState:
        return SessionState(
            session_id=new_session_id(), target=self.name, started_at=now_iso(),
            commit=self.options.commit, start_hash=prompt_hash(text), start_length=len(text),
            current_hash=prompt_hash(text), current_text=text,
        )

    # ---- evaluation --------------------------------------------------------------------------

    def _evaluate(self, state: SessionState, log: RecordLog, text: str, tasks: list[Task],
                  task_set: TaskSet, label: str, repeats: int | None = None) -> list[RunRecord]:
        """Runs of ``text`` on ``tasks`` for repeats 0..repeats-1: reused when already run (this
        session, an earlier one, or a killed one), run otherwise."""
        repeats = repeats or self.repeats
        digest = prompt_hash(text)
        found: dict[tuple[str, int], RunRecord] = {}
        missing: set[tuple[str, int]] = set()
        for repeat in range(repeats):
            for task in tasks:
                key = (digest, task_set.content_hash, task.id, task.content_hash,
                       self.target.command, repeat, self.target.seed)
                record = self.cache.get(key)
                if record is None:
                    missing.add((task.id, repeat))
                else:
                    found[(task.id, repeat)] = record
        if missing:
            subset = task_set.subset(task_set.name, tasks)
            if self.evaluator is not None:
                records = self.evaluator(text, subset, missing, repeats, state.session_id)
                for record in records:
                    log.append(record)
            else:
                with self.hooks.progress(label, len(missing)) as on_run:
                    records = evaluate_prompt(
                        loaded=self.loaded, target_name=self.name, prompt_text=text,
                        task_set=subset, repeats=repeats, jobs=self.jobs,
                        session_id=state.session_id, log=log, on_run=on_run, only=missing,
                    ).records
            self.cache.add(records)
            state.runs_used += len(records)
            state.cost_usd += sum(r.usage.cost_usd for r in records if r.usage)
            found.update({(r.task_id, r.repeat): r for r in records})
        order = {t.id: i for i, t in enumerate(tasks)}
        return sorted(found.values(), key=lambda r: (r.repeat, order[r.task_id]))

    def _baseline(self, state: SessionState, log: RecordLog, baseline: dict[str, list[RunRecord]],
                  split: str, repeats: int) -> list[RunRecord]:
        """The current prompt's runs with ``repeats`` repeats, run now only where a look needs
        more repeats than it has; ``baseline`` keeps the largest set for later iterations."""
        task_set = self.train if split == "train" else self.holdout
        records = self._evaluate(state, log, state.current_text, list(task_set.tasks), task_set,
                                 f"baseline {split}", repeats)
        if len(records) > len(baseline[split]):
            baseline[split] = records
        return records

    def _minibatch(self, iteration: int) -> list[Task]:
        size = self.accept.screen_tasks
        if size == 0 or size >= len(self.train):
            return []
        ranked = sorted(self.train.tasks,
                        key=lambda t: hashlib.sha256(f"{iteration}:{t.id}".encode()).hexdigest())
        return ranked[:size]

    # ---- keeping an accepted edit ------------------------------------------------------------

    def _diff_paths(self, pending: Pending) -> tuple[Path, Path]:
        kind = pending.decision.edit.kind if pending.decision.edit else ""
        stem = f"{pending.number:04d}-{_slug(kind or pending.decision.hypothesis)}"
        base = self.loaded.root / "diffs" / self.name
        return base / f"{stem}.diff", base / f"{stem}.md"

    def _next_number(self) -> int:
        base = self.loaded.root / "diffs" / self.name
        numbers = [int(p.name[:4]) for p in base.glob("[0-9][0-9][0-9][0-9]-*.diff")] if base.exists() else []
        return max(numbers, default=0) + 1

    def _commit_message(self, decision: Decision) -> str:
        def rate(m: Any) -> str:
            return f"{m.pass_rate:.3f}" if m else "?"

        tokens = next((c for c in decision.criteria if c.name == "tokens per run"), None)
        token_note = f", tokens {tokens.value:+.1%}" if tokens and tokens.value is not None else ""
        title = " ".join(decision.hypothesis.split())
        title = title if len(title) <= 72 else title[:71] + "…"
        return (f"{title}\n\ntrain {rate(decision.train_before)} → {rate(decision.train_after)}, "
                f"holdout {rate(decision.holdout_before)} → {rate(decision.holdout_after)}, "
                f"p = {decision.p_value}{token_note}\n\n"
                f"overseer decision {decision.decision_id}, session {decision.session_id}")

    def _complete_accept(self, state: SessionState) -> None:
        """Steps after the pending accept was saved; each is idempotent (see the module doc)."""
        pending = state.pending
        assert pending is not None
        decision = pending.decision
        source = read_source(self.prompt_path)
        now = prompt_hash(extract_prompt(source, self.target.prompt, str(self.prompt_path)))
        if now not in (decision.parent_hash, decision.candidate_hash):
            raise FatalError(f"{self.prompt_path}: changed by someone else while an accepted edit "
                             "was being kept; resolve it by hand, then start a new session")
        new_source = replace_prompt(source, self.target.prompt, pending.text, str(self.prompt_path))
        if new_source != source:
            atomic_write(self.prompt_path, new_source.encode("utf-8"))
        diff_path, md_path = self._diff_paths(pending)
        atomic_write(diff_path, decision.diff.encode("utf-8"), fault_prefix="diff-write")
        atomic_write(md_path, decision_markdown(decision, pending.number).encode("utf-8"),
                     fault_prefix="diff-write")
        checkpoint("diffs:written")
        sha = None
        if state.commit and self.repo is not None:
            if head_bytes(self.repo, self.prompt_path) != new_source.encode("utf-8") \
                    or head_bytes(self.repo, diff_path) is None:
                sha = commit_paths(self.repo, [self.prompt_path, diff_path, md_path],
                                   self._commit_message(decision))
            else:  # committed before an interruption; only the user's index may lag behind
                sync_index(self.repo, [self.prompt_path, diff_path, md_path])
                sha = self.repo.head.commit.hexsha
            self.commits.append(sha)
        self.targetlog.add_decision(decision)
        self.targetlog.add_version(PromptVersion(
            hash=prompt_hash(pending.text), parent=decision.parent_hash, status="accepted",
            text=pending.text, edit=decision.edit, decision_id=decision.decision_id,
            session_id=state.session_id,
            train_pass_rate=decision.train_after.pass_rate if decision.train_after else None,
            holdout_pass_rate=decision.holdout_after.pass_rate if decision.holdout_after else None,
            commit=sha,
        ))
        checkpoint("registry:appended")
        state.current_text = pending.text
        state.current_hash = prompt_hash(pending.text)
        state.consecutive_rejections = 0
        state.iteration = max(state.iteration, decision.iteration + 1)
        state.pending = None
        self._save(state)

    # ---- one iteration -----------------------------------------------------------------------

    def _history(self) -> list[PastEdit]:
        return [PastEdit(d.edit, d.outcome, d.gain, d.parent_hash, d.hypothesis)
                for d in self.targetlog.decisions() if d.edit is not None]

    def _record_rejection(self, state: SessionState, decision: Decision) -> None:
        self.targetlog.add_decision(decision)
        if decision.candidate_hash and decision.edit is not None and decision.outcome != "invalid":
            self.targetlog.add_version(PromptVersion(
                hash=decision.candidate_hash, parent=decision.parent_hash, status="rejected",
                text=candidate_text(state.current_text, decision), edit=decision.edit, decision_id=decision.decision_id,
                session_id=state.session_id, reason=decision.reason,
                train_pass_rate=decision.train_after.pass_rate if decision.train_after else None,
                holdout_pass_rate=decision.holdout_after.pass_rate if decision.holdout_after else None,
            ))
        checkpoint("decision:recorded")
        state.consecutive_rejections += 1
        state.iteration = decision.iteration + 1
        self._save(state)

    def _iterate(self, state: SessionState, log: RecordLog, baseline: dict[str, list[RunRecord]]) -> Decision:
        iteration = state.iteration
        base = Decision(session_id=state.session_id, target=self.name, iteration=iteration,
                        parent_hash=state.current_hash, proposer=self.proposer.name)
        self.hooks.phase(f"iteration {iteration + 1}: proposing ({self.proposer.name})")
        prior = {}
        if self.options.use_prior:
            with open_store(runs_dir(self.loaded)) as store:
                prior = edit_prior(store)
        context = build_context(
            prompt=state.current_text, prompt_hash=state.current_hash,
            start_length=state.start_length, records=baseline["train"],
            tasks=self.train.tasks, artifacts_base=self.loaded.root, history=self._history(),
            max_failures=self.target.proposer.max_failures, prior=prior, iteration=iteration)
        try:
            proposal: Proposal | None = self.proposer.propose(context)
        except ProposalFailed as exc:
            return base.model_copy(update={"outcome": "failed", "reason": str(exc)})
        checkpoint("propose:done")
        if proposal is None:
            return base.model_copy(update={"outcome": "no_proposal", "reason": "nothing left to propose"})
        base = base.model_copy(update={"edit": proposal.edit, "hypothesis": proposal.hypothesis,
                                       "rationale": proposal.rationale})
        try:
            applied = apply_edit(state.current_text, proposal.edit, start_length=state.start_length,
                                 name=self.target.prompt.file,
                                 max_edit_chars=self.target.edits.max_edit_chars,
                                 max_growth=self.target.edits.max_growth)
        except EditRejected as exc:
            return base.model_copy(update={"outcome": "invalid", "reason": f"invalid edit: {exc}"})
        candidate = applied.text
        base = base.model_copy(update={"candidate_hash": prompt_hash(candidate), "diff": applied.diff})
        runs_before = state.runs_used
        minibatch = self._minibatch(iteration)
        if minibatch:
            self.hooks.phase(f"iteration {iteration + 1}: screening on {len(minibatch)} tasks")
            screened = self._evaluate(state, log, candidate, minibatch, self.train, "screen")
            ids = {t.id for t in minibatch}
            screen_check: Criterion = screen([r for r in baseline["train"] if r.task_id in ids],
                                             screened, self.accept, self.target.objective)
            checkpoint("screen:done")
            if not screen_check.passed:
                return base.model_copy(update={
                    "outcome": "screened_out", "criteria": [screen_check],
                    "reason": f"screen: worse on the minibatch (p {screen_check.value} <= {screen_check.limit})",
                    "runs_used": state.runs_used - runs_before})
        train_before, train_after, look, verdict, stopped = self._sequential_train(
            state, log, baseline, candidate, iteration)
        proven = verdict == "proven"
        holdout_before = self._baseline(state, log, baseline, "holdout", look.repeats) if proven else []
        holdout_after = self._evaluate(state, log, candidate, list(self.holdout.tasks), self.holdout,
                                       "holdout", look.repeats) if proven else []
        checkpoint("evaluate:done")
        verdict_decision = decide(
            train_before=train_before, train_after=train_after,
            holdout_before=holdout_before, holdout_after=holdout_after,
            thresholds=self.accept, objective=self.target.objective,
            holdout_measured=proven, look=look)
        decision = verdict_decision.model_copy(update={
            k: getattr(base, k) for k in ("decision_id", "session_id", "target", "iteration",
                                          "parent_hash", "candidate_hash", "proposer", "edit",
                                          "hypothesis", "rationale", "diff")})
        decision.runs_used = state.runs_used - runs_before
        if stopped:
            decision.reason = f"{decision.reason}; {stopped}"
        if decision.outcome == "accepted":
            baseline["train"], baseline["holdout"] = train_after, holdout_after
            state.pending = Pending(decision=decision, text=candidate, number=self._next_number())
            self._save(state)
            checkpoint("accept:pending-saved")
            self._complete_accept(state)
        return decision

    def _sequential_train(self, state: SessionState, log: RecordLog,
                          baseline: dict[str, list[RunRecord]], candidate: str,
                          iteration: int) -> tuple[list[RunRecord], list[RunRecord], Look, LookVerdict, str]:
        """Train runs of parent and candidate, look after look (see decide.looks), until the
        candidate is proven, futile, or at the last look; or until the next look could overrun
        --max-runs (then the note says so and the candidate counts as not proven)."""
        plan = looks(self.repeats, self.accept)
        train_before: list[RunRecord] = []
        train_after: list[RunRecord] = []
        for look in plan:
            if look.number > 1 and self.options.max_runs is not None:
                upper = 2 * len(self.train) * (look.repeats - plan[look.number - 2].repeats)
                if state.runs_used + upper > self.options.max_runs:
                    return train_before, train_after, plan[look.number - 2], "futile", (
                        f"escalation to {look.repeats} repeats stopped: it could overrun the run "
                        f"budget ({self.options.max_runs})")
            label = "evaluating the candidate" + (f" ({look.describe()})" if look.of > 1 else "")
            self.hooks.phase(f"iteration {iteration + 1}: {label}")
            train_before = self._baseline(state, log, baseline, "train", look.repeats)
            train_after = self._evaluate(state, log, candidate, list(self.train.tasks), self.train,
                                         "train", look.repeats)
            verdict = look_verdict(train_before, train_after, self.accept,
                                   self.target.objective, look)
            if verdict != "continue":
                break
        return train_before, train_after, look, verdict, ""

    # ---- the session -------------------------------------------------------------------------

    def _stop_reason(self, state: SessionState, started: float) -> str:
        o = self.options
        elapsed = state.elapsed_s + time.monotonic() - started
        if state.iteration >= o.iterations:
            return f"iteration budget ({o.iterations}) reached"
        if o.max_runs is not None and state.runs_used >= o.max_runs:
            return f"run budget ({o.max_runs}) reached"
        if o.max_cost is not None and state.cost_usd >= o.max_cost:
            return f"cost budget (${o.max_cost}) reached"
        if o.max_time_s is not None and elapsed >= o.max_time_s:
            return f"time budget ({o.max_time_s:g}s) reached"
        if state.consecutive_rejections >= o.patience:
            return f"plateau: {o.patience} rejections in a row"
        return ""

    def _prepare(self) -> SessionState:
        remove_stale_temps(self.prompt_path)
        for state_file in self.directory.glob("*.state.json"):
            remove_stale_temps(state_file)
        text = read_prompt(self.loaded.root, self.target.prompt)
        state = self._latest_unfinished() if self.options.resume else None
        if state is None and self.options.resume:
            self.hooks.phase("no interrupted session to resume; starting a new one")
        if state is not None:
            if state.pending is not None:
                self.hooks.phase("finishing the accepted edit that was interrupted")
                self._complete_accept(state)
                text = read_prompt(self.loaded.root, self.target.prompt)
            if prompt_hash(text) != state.current_hash:
                raise FatalError(
                    f"{self.prompt_path}: the prompt changed since session {state.session_id} "
                    "was interrupted; start a new session instead of --resume")
            return state
        if self.options.commit and self.repo is None:
            raise FatalError(f"{self.loaded.root}: not in a git repository; use --no-commit")
        if self.repo is not None and self.options.branch:
            switch_branch(self.repo, self.options.branch)
            text = read_prompt(self.loaded.root, self.target.prompt)
        if self.repo is not None and not self.options.allow_dirty and is_dirty(self.repo, self.prompt_path):
            raise FatalError(f"{self.prompt_path}: has uncommitted changes; commit them first "
                             "(or pass --allow-dirty)")
        state = self._new_state(text)
        self._save(state)
        return state

    def run(self) -> SessionSummary:
        with target_lock(self.directory, self.name):
            self.cache = RunCache(runs_dir(self.loaded), self.name)
            state = self._prepare()
            started = time.monotonic()
            log_path = session_log_path(self.loaded, self.name, state.session_id)
            with RecordLog(log_path) as log:
                self.hooks.phase(f"baseline of {state.current_hash}")
                baseline = {
                    "train": self._evaluate(state, log, state.current_text, list(self.train.tasks), self.train, "baseline train"),
                    "holdout": self._evaluate(state, log, state.current_text, list(self.holdout.tasks), self.holdout, "baseline holdout"),
                }
                start_metrics = {k: metrics(v).model_dump() for k, v in baseline.items()}
                if not any(v.hash == state.current_hash and v.status != "rejected"
                           for v in self.targetlog.versions()):
                    self.targetlog.add_version(PromptVersion(
                        hash=state.current_hash, status="baseline", text=state.current_text,
                        session_id=state.session_id,
                        train_pass_rate=start_metrics["train"]["pass_rate"],
                        holdout_pass_rate=start_metrics["holdout"]["pass_rate"]))
                checkpoint("baseline:done")
                while not (reason := self._stop_reason(state, started)):
                    decision = self._iterate(state, log, baseline)
                    self.session_decisions.append(decision)
                    self.hooks.decided(decision)
                    if decision.outcome != "accepted":
                        self._record_rejection(state, decision)
                    if decision.outcome == "no_proposal":
                        reason = "no more proposals"
                        break
                state.stop_reason = reason
                state.finished = True
                state.elapsed_s += time.monotonic() - started
                self._save(state)
                final = {k: metrics(v).model_dump() for k, v in baseline.items()}
        return SessionSummary(state, self.session_decisions, start_metrics, final, log_path, self.commits)


def candidate_text(parent: str, decision: Decision) -> str:
    """The text a decision's edit made from ``parent`` (for the registry of rejected versions)."""
    if decision.edit is None:
        return ""
    try:
        return apply_edit(parent, decision.edit, start_length=len(parent), max_edit_chars=10**9,
                          max_growth=10.0).text
    except EditRejected:
        return ""


def decision_markdown(decision: Decision, number: int) -> str:
    rows = "\n".join(
        f"| {c.name} | {c.value if c.value is not None else '-'} | "
        f"{c.limit if c.limit is not None else '-'} | {'pass' if c.passed else 'FAIL'} | {c.note} |"
        for c in decision.criteria)

    def rates(before: Any, after: Any) -> str:
        return f"{before.pass_rate:.3f} → {after.pass_rate:.3f}" if before and after else "-"

    return (
        f"# {number:04d}: {decision.hypothesis}\n\n"
        f"- target: `{decision.target}`, session `{decision.session_id}`, decision `{decision.decision_id}`\n"
        f"- proposer: {decision.proposer}; edit kind: `{decision.edit.kind if decision.edit else '-'}`\n"
        f"- prompt {decision.parent_hash} → {decision.candidate_hash}\n"
        f"- train pass rate {rates(decision.train_before, decision.train_after)}, "
        f"holdout {rates(decision.holdout_before, decision.holdout_after)}\n\n"
        f"## Rationale\n\n{decision.rationale or '-'}\n\n"
        f"## Edit\n\n```diff\n{decision.diff}```\n\n"
        f"## Decision: {decision.outcome}\n\n"
        f"| criterion | value | limit | verdict | note |\n|---|---|---|---|---|\n{rows}\n"
    )
