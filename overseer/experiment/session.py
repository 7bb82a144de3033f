"""One experiment: the current and the changed setting, side by side on a band of tasks, round by
round until the non-inferiority test stops (verdict.py); then the band's holdout tasks; then the
rule is written and committed (promote.py) when every criterion holds.

Both arms run the current prompt, in the same batches (one round each: a new repeat of every
train task in the band), each (task, repeat) with the same seed, so that the comparison is paired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import git
from pydantic import BaseModel, ConfigDict, ValidationError

from overseer.config import LoadedConfig, Target, load_config
from overseer.errors import FatalError, validation_message
from overseer.evaluate import Arm, evaluate_batch, session_log_path
from overseer.executor import RunExecutor, session_executor
from overseer.experiment.promote import require_clean, with_route, without_route, write_and_commit
from overseer.experiment.verdict import Cheaper, Experiment, look_verdict, verdict
from overseer.faults import checkpoint
from overseer.lock import target_lock
from overseer.prompts import read_prompt
from overseer.records import RecordLog, RunRecord, new_session_id, read_jsonl
from overseer.routing import Proven, Route, Scalar, Selector
from overseer.seeds import order_seed
from overseer.tasks import Task, TaskSet, target_task_sets
from overseer.vcs import atomic_write, open_repo

EXPERIMENTS_LOG = "experiments.jsonl"
PENDING = "experiment.pending.json"   # a rule change whose write, commit or record a kill cut short


@dataclass(frozen=True)
class ExperimentOptions:
    changes: dict[str, Scalar]
    selector: Selector
    margin: float = 0.02
    cheaper: Cheaper = "cost"
    jobs: int | None = None
    max_repeats: int | None = None
    commit: bool = True


@dataclass(frozen=True)
class Band:
    """The experiment's tasks and its two targets: the configured one and one with the rule."""

    train: TaskSet
    holdout: TaskSet
    current: Target
    changed: Target
    rule: Route
    before: dict[str, list[str]]


def band_of(loaded: LoadedConfig, name: str, options: ExperimentOptions) -> Band:
    """What the experiment compares, checked before anything runs (one line and exit 2)."""
    target = loaded.target(name)
    undeclared = sorted(set(options.changes) - set(target.settings))
    if undeclared:
        declared = ", ".join(sorted(target.settings)) or "none"
        raise FatalError(f"--set {undeclared[0]}: not a setting of targets.{name} in {loaded.path} "
                         f"(declared: {declared}); declare it under settings: first")
    train, holdout = target_task_sets(loaded, target)
    in_band = [t for t in train.tasks if options.selector.matches(t)]
    if not in_band:
        raise FatalError(f"{options.selector.describe()} matches no train task of {target.tasks} "
                         f"(complexities there: {sorted({t.complexity for t in train.tasks})})")
    rule = Route(where=options.selector.where, tag=options.selector.tag, set=options.changes)
    changed = target.model_copy(update={"routing": [*target.routing, rule]})
    if all(target.settings_for(t) == changed.settings_for(t) for t in in_band):
        raise FatalError(f"{rule.label()}: the band already runs with these settings")
    before = {setting: sorted({target.settings_for(t)[setting] for t in in_band}) for setting in options.changes}
    return Band(train.subset("train", in_band),
                holdout.subset("holdout", [t for t in holdout.tasks if options.selector.matches(t)]),
                target, changed, rule, before)


def read_experiments(directory: Path) -> list[Experiment]:
    """Every experiment recorded in ``directory`` (runs/<target>), oldest first."""
    path = directory / EXPERIMENTS_LOG
    return read_jsonl(path, Experiment)[0] if path.is_file() else []


class PendingRule(BaseModel):
    """A promotion or revert of a routing rule, saved before overseer.yaml is touched and removed
    once it is recorded in experiments.jsonl: what finish_interrupted needs to complete it."""

    model_config = ConfigDict(extra="forbid")
    experiment: Experiment
    old_text: str
    new_text: str
    message: str
    commit: bool


def _keep_rule(loaded: LoadedConfig, name: str, experiment: Experiment, old_text: str, new_text: str,
               message: str, repo: git.Repo | None) -> Experiment:
    """Write the rule change into overseer.yaml and commit it with its diffs/ record, after saving
    it as pending (the caller records the experiment, which clears the pending file)."""
    pending = PendingRule(experiment=experiment, old_text=old_text, new_text=new_text, message=message,
                          commit=repo is not None)
    atomic_write(loaded.root / "runs" / name / PENDING, pending.model_dump_json().encode("utf-8"),
                 fault_prefix="pending-write")
    checkpoint("experiment:pending-saved")
    sha = write_and_commit(config_path=loaded.path, diffs_dir=loaded.root / "diffs" / name, repo=repo,
                           experiment=experiment, new_text=new_text, old_text=old_text, message=message)
    checkpoint("experiment:committed")
    return experiment.model_copy(update={"commit": sha})


def _record(directory: Path, experiment: Experiment) -> None:
    with RecordLog(directory / EXPERIMENTS_LOG) as experiments:
        experiments.append(experiment)
    (directory / PENDING).unlink(missing_ok=True)


def finish_interrupted(loaded: LoadedConfig, name: str) -> Experiment | None:
    """Complete a rule change that a kill cut short, or None when there is none: overseer.yaml still
    as it was (redo the write and the commit), or already changed (commit it, unless HEAD holds it);
    then record it. An overseer.yaml changed otherwise since is refused in one line, nothing lost."""
    directory = loaded.root / "runs" / name
    path = directory / PENDING
    if not path.is_file():
        return None
    try:
        pending = PendingRule.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError) as exc:
        detail = validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
        raise FatalError(f"{path}: not a pending rule change ({detail}); remove it to go on") from None
    with target_lock(directory, name):
        experiment = pending.experiment
        if any(e.experiment_id == experiment.experiment_id for e in read_experiments(directory)):
            path.unlink(missing_ok=True)   # recorded: only the pending file was left
            return None
        repo = open_repo(loaded.root) if pending.commit else None
        current = loaded.path.read_text(encoding="utf-8")
        if repo is not None and current == pending.new_text and _committed(repo, loaded.path) == current:
            sha: str | None = repo.git.log("-1", "--format=%H", "--", str(loaded.path)).strip()
        elif current in (pending.old_text, pending.new_text):
            sha = write_and_commit(config_path=loaded.path, diffs_dir=loaded.root / "diffs" / name, repo=repo,
                                   experiment=experiment, new_text=pending.new_text, old_text=pending.old_text,
                                   message=pending.message)
        else:
            raise FatalError(f"{loaded.path}: changed since the {experiment.outcome} rule of experiment "
                             f"{experiment.experiment_id} was interrupted; make overseer.yaml what it was, "
                             f"or remove {path} to drop that change")
        experiment = experiment.model_copy(update={"commit": sha})
        _record(directory, experiment)
    return experiment


def _committed(repo: git.Repo, path: Path) -> str | None:
    """``path`` as HEAD holds it, or None."""
    try:
        return str(repo.git.show(f"HEAD:{path.resolve().relative_to(Path(repo.working_dir).resolve())}",
                                 strip_newline_in_stdout=False))
    except (git.GitCommandError, ValueError):
        return None


def rule_index(target: Target, which: str, name: str) -> int:
    """The 0-based index of the rule ``which`` names: its number (1 first) or its experiment's id."""
    for index, route in enumerate(target.routing):
        if which == str(index + 1) or (route.proven and route.proven.experiment == which):
            return index
    rules = ", ".join(f"{i}: {r.label()}" for i, r in enumerate(target.routing, start=1)) or "none"
    raise FatalError(f"--revert {which}: no such routing rule in targets.{name} (rules: {rules})")


def revert_rule(loaded: LoadedConfig, name: str, which: str, *, commit: bool = True) -> Experiment:
    """Remove one routing rule from overseer.yaml, recorded and committed like a promotion."""
    if finish_interrupted(loaded, name) is not None:
        loaded = load_config(loaded.path)
    target = loaded.target(name)
    index = rule_index(target, which, name)
    rule = target.routing[index]
    repo = open_repo(loaded.root)
    if commit:
        require_clean(repo, loaded.path)
    directory = loaded.root / "runs" / name
    with target_lock(directory, name):
        experiment = Experiment(
            target=name, kind="revert", selector=Selector(where=rule.where, tag=rule.tag), set=rule.set,
            outcome="reverted", rule=rule, margin=rule.proven.margin if rule.proven else 0.0,
            alpha=rule.proven.alpha if rule.proven else target.accept.alpha,
            reason=f"rule {index + 1} removed" + (f" (promoted by experiment {rule.proven.experiment})"
                                                   if rule.proven else ""))
        old_text = loaded.path.read_text(encoding="utf-8")
        new_text = without_route(old_text, loaded.path, name, index)
        experiment = _keep_rule(loaded, name, experiment, old_text, new_text,
                                f"overseer: revert route {rule.label()} ({name})\n\n{experiment.reason}.",
                                repo if commit else None)
        _record(directory, experiment)
    return experiment


def _pairs(tasks: Sequence[Task], start: int, stop: int) -> list[tuple[str, int]]:
    return [(task.id, repeat) for repeat in range(start, stop) for task in tasks]


def run_experiment(loaded: LoadedConfig, name: str, options: ExperimentOptions,
                   on_look: Callable[[int, str], None] = lambda repeats, verdict: None,
                   executor: RunExecutor | None = None) -> Experiment:
    if finish_interrupted(loaded, name) is not None:
        loaded = load_config(loaded.path)
    band = band_of(loaded, name, options)
    target = band.current
    repo = open_repo(loaded.root)
    if options.commit:
        require_clean(repo, loaded.path)
    first = target.repeats
    top = max(first, options.max_repeats or target.accept.max_repeats or first)
    experiment = Experiment(target=name, selector=options.selector, set=options.changes, before=band.before,
                            train_tasks=len(band.train), holdout_tasks=len(band.holdout),
                            margin=options.margin, alpha=target.accept.alpha, cheaper=options.cheaper)
    directory = loaded.root / "runs" / name
    with target_lock(directory, name):
        session_id = new_session_id()
        experiment = experiment.model_copy(update={"session_id": session_id})
        text = read_prompt(loaded.root, target.prompt)
        runs: dict[str, list[RunRecord]] = {"current": [], "changed": [], "hold_current": [], "hold_changed": []}
        session = nullcontext(executor) if executor is not None else session_executor(
            loaded.root, target, [band.train, band.holdout], options.jobs or target.jobs)
        with session as runner, RecordLog(session_log_path(loaded, name, session_id)) as log:
            def batch(task_set: TaskSet, start: int, stop: int, label: str) -> list[list[RunRecord]]:
                pairs = _pairs(task_set.tasks, start, stop)
                return evaluate_batch(
                    loaded=loaded, target_name=name, jobs=options.jobs or target.jobs, session_id=session_id,
                    log=log, batch=f"{session_id}:{label}",
                    order_seed=order_seed(target.seed, f"{session_id}:{label}"),
                    arms=[Arm.of(text, task_set, pairs, band.current), Arm.of(text, task_set, pairs, band.changed)],
                    executor=runner)

            done, stop, look = 0, first, "continue"
            while True:
                current, changed = batch(band.train, done, stop, f"train{stop}")
                runs["current"] += current
                runs["changed"] += changed
                done = stop
                look = look_verdict(runs["current"], runs["changed"], margin=options.margin,
                                    alpha=experiment.alpha, objective=target.objective,
                                    cheaper=options.cheaper, first=stop == first,
                                    max_infra_share=target.infra.max_share)
                on_look(done, look)
                if look != "continue" or done >= top:
                    break
                stop = done + 1
            if look == "not_worse" and len(band.holdout):
                runs["hold_current"], runs["hold_changed"] = batch(band.holdout, 0, first, "holdout")
        experiment = verdict(experiment, train_control=runs["current"], train_changed=runs["changed"],
                             holdout_control=runs["hold_current"], holdout_changed=runs["hold_changed"],
                             objective=target.objective, max_infra_share=target.infra.max_share)
        if experiment.outcome == "promoted":
            experiment = _promote(loaded, name, band, experiment, runs, repo if options.commit else None)
        _record(directory, experiment)
    return experiment


def _promote(loaded: LoadedConfig, name: str, band: Band, experiment: Experiment,
             runs: dict[str, list[RunRecord]], repo: git.Repo | None) -> Experiment:
    changed = [r for r in (*runs["changed"], *runs["hold_changed"]) if not r.infra]
    pass_rate = sum(r.passed for r in changed) / max(1, len(changed))
    proven = Proven(experiment=experiment.experiment_id, session=experiment.session_id,
                    pass_rate=round(pass_rate, 4), margin=experiment.margin, alpha=experiment.alpha)
    rule = band.rule.model_copy(update={"proven": proven})
    experiment = experiment.model_copy(update={"rule": rule})
    old_text = loaded.path.read_text(encoding="utf-8")
    new_text = with_route(old_text, loaded.path, name, rule)
    message = (f"overseer: route {rule.label()} ({name})\n\nExperiment {experiment.experiment_id}: "
               f"{experiment.reason}; difference on train {experiment.difference:+.3f} "
               f"in [{experiment.interval[0]:+.3f}, {experiment.interval[1]:+.3f}] "
               f"(margin {experiment.margin:g}, α {experiment.alpha:g}), {experiment.runs_used} runs."
               if experiment.interval else f"overseer: route {rule.label()} ({name})")
    return _keep_rule(loaded, name, experiment, old_text, new_text, message, repo)
