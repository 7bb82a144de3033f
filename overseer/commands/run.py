"""``overseer run``: evaluate a target's current prompt on its tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from overseer import report
from overseer.commands.plan import recorded_coupling
from overseer.config import LoadedConfig, Target, load_config
from overseer.errors import EXIT_FAIL_UNDER, EXIT_OK, FatalError
from overseer.evaluate import Evaluation, evaluate_prompt, runs_dir, session_log_path
from overseer.executor import session_executor
from overseer.health import broken_nodes, diagnose, nothing_to_improve
from overseer.metrics import Summary, summarize
from overseer.prompts import read_prompt
from overseer.records import RecordLog, RunRecord, new_session_id
from overseer.report.junit import write_junit
from overseer.sanitizers import sanitizer
from overseer.store import DB_NAME, open_store
from overseer.suites.promptfoo import unused_note
from overseer.tasks import TaskSet, select_tasks, target_task_sets


@dataclass
class RunPlan:
    loaded: LoadedConfig
    target_name: str
    target: Target
    prompt_text: str
    task_set: TaskSet
    repeats: int
    jobs: int
    splits: dict[str, set[str]] = field(default_factory=dict)

    @property
    def total_runs(self) -> int:
        return len(self.task_set) * self.repeats


@dataclass
class RunOutcome:
    session_id: str
    evaluation: Evaluation
    by_split: dict[str, Summary]
    warnings: list[str]


def plan_run(*, loaded: LoadedConfig, target_name: str, which: str = "all",
             repeats: int | None = None, jobs: int | None = None) -> RunPlan:
    target = loaded.target(target_name)
    for name in target.sanitizers:
        sanitizer(name, f"{loaded.path}: targets.{target_name}.sanitizers")
    task_set = select_tasks(loaded, target, which)
    splits: dict[str, set[str]] = {}
    if which == "all":
        train, holdout = target_task_sets(loaded, target)
        splits = {"train": {t.id for t in train.tasks}, "holdout": {t.id for t in holdout.tasks}}
    return RunPlan(
        loaded=loaded, target_name=target_name, target=target,
        prompt_text=read_prompt(loaded.root, target.prompt), task_set=task_set,
        repeats=repeats or target.repeats, jobs=jobs or target.jobs, splits=splits,
    )


def execute_run(plan: RunPlan, on_run: Callable[[RunRecord], None]) -> RunOutcome:
    session_id = new_session_id()
    path = session_log_path(plan.loaded, plan.target_name, session_id)
    with session_executor(plan.loaded.root, plan.target, [plan.task_set], plan.jobs) as executor, \
            RecordLog(path) as log:
        evaluation = evaluate_prompt(
            loaded=plan.loaded, target_name=plan.target_name, prompt_text=plan.prompt_text,
            task_set=plan.task_set, repeats=plan.repeats, jobs=plan.jobs,
            session_id=session_id, log=log, on_run=on_run, executor=executor,
        )
    by_split = {
        name: summarize([r for r in evaluation.records if r.task_id in ids])
        for name, ids in plan.splits.items()
    }
    return RunOutcome(session_id, evaluation, by_split, log.warnings)


def outcome_json(plan: RunPlan, outcome: RunOutcome) -> dict[str, object]:
    return {
        "target": plan.target_name,
        "session": outcome.session_id,
        "prompt_hash": outcome.evaluation.records[0].prompt_hash if outcome.evaluation.records else None,
        "task_set": {"name": plan.task_set.name, "hash": plan.task_set.content_hash,
                     "tasks": len(plan.task_set)},
        "repeats": plan.repeats,
        "jobs": plan.jobs,
        "summary": outcome.evaluation.summary.to_dict(),
        "splits": {name: s.to_dict() for name, s in outcome.by_split.items()},
        "jsonl": str(outcome.evaluation.log_path),
        "warnings": outcome.warnings,
    }


def main(*, config: Path | None, target: str, tasks: str, repeats: int | None, jobs: int | None,
         fail_under: float | None, json_output: bool, executor: str | None = None,
         executor_address: str | None = None, junit: Path | None = None) -> int:
    if junit is not None and junit.is_dir():
        raise FatalError(f"{junit}: --junit names a directory; give the path of the XML file to write")
    loaded = load_config(config).with_executor(target, executor, executor_address)
    plan = plan_run(loaded=loaded, target_name=target, which=tasks, repeats=repeats, jobs=jobs)
    if note := unused_note(loaded.root / plan.target.tasks, plan.target.command):
        report.warn(note)
    with report.run_progress(target, plan.total_runs) as on_run:
        outcome = execute_run(plan, on_run)
    for warning in outcome.warnings:
        report.warn(warning)
    if node := broken_nodes(outcome.evaluation.records):
        report.warn(node)
    if problem := diagnose(outcome.evaluation.records):
        report.warn(f"these runs are not evidence about the prompt: {problem}")
    elif done := nothing_to_improve(outcome.evaluation.records):
        report.note(done)
    summary = outcome.evaluation.summary
    if junit is not None:
        write_junit(junit, outcome.evaluation.records, target=target, task_set=plan.task_set.name,
                    session_id=outcome.session_id)
    coupled = None
    if (runs_dir(plan.loaded) / DB_NAME).is_file():   # what the index holds; `run` never indexes
        with open_store(runs_dir(plan.loaded), update=False) as store:
            coupled = recorded_coupling(store, target)
    if json_output:
        facts = outcome_json(plan, outcome)
        facts["coupling"] = None if coupled is None else {
            "same_seed": coupled.same_seed, "other_seed": coupled.other_seed, "pairs": coupled.pairs,
            "strength": round(coupled.strength, 4), "words": coupled.describe()}
        report.print_json(facts)
    else:
        report.show_evaluation(f"{target}: {plan.task_set.name} ({len(plan.task_set)} tasks × {plan.repeats})",
                               summary, outcome.evaluation.log_path, outcome.by_split)
    report.note(report.coupling_words(coupled))
    if fail_under is not None and summary.pass_rate < fail_under:
        report.note(f"pass rate {summary.pass_rate:.3f} is below --fail-under {fail_under}")
        return EXIT_FAIL_UNDER
    return EXIT_OK
