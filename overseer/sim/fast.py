"""Outcomes of simulated runs without running anything: for benchmarks and tests of the decision
rule, which need thousands of runs, drawn with the same seeding as a real run. A code task's run
passes exactly when no failure mode fires (the premise `overseer sim check-tasks` verifies for a
task set); a promptfoo case's when its assertions pass the reply, judged as its check judges."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence

from overseer.evaluate import Arm
from overseer.prompts import prompt_hash
from overseer.records import RunRecord, Usage
from overseer.redact import redact
from overseer.seeds import run_seed
from overseer.sim.text import case_passes, is_text_task, load_reference, sim_grade
from overseer.sim.writer import SimReply, complete
from overseer.suites.check import judge_case
from overseer.tasks import Task

_ERROR_CLASS = {"prose": "SyntaxError", "rename": "ImportError", "missing_import": "NameError",
                "empty_input": "IndexError", "off_by_one": "AssertionError", "slow": "Timeout"}


def _error_class(task: Task, reply: SimReply) -> str | None:
    """None for a pass, else the class a real check would name: for code, the first failure mode's
    (a code task fails exactly when one fires); for a promptfoo case, its first failing assertion's,
    judged in-process as its check judges it (a text mode need not break every case)."""
    if is_text_task(task.directory):
        reference = load_reference(task.directory)
        if case_passes(reference, reply.modes):
            return None
        results, _, _ = judge_case(json.loads(reference.case), reply.text, sim_grade)
        return next((o.error_class for _, o, w in results if not o.passed and w > 0), "AssertionError")
    failed = sorted(reply.modes)
    return _ERROR_CLASS[failed[0]] if failed else None


def simulated_records(prompt: str, tasks: Sequence[Task], repeats: int, seed: int = 0,
                      session_id: str = "fast", *, target: str = "sim", command: str = "sim",
                      task_set_hash: str = "fast", batch: str = "",
                      only: Collection[tuple[str, int]] | None = None,
                      model: str | None = None) -> list[RunRecord]:
    records = []
    digest = prompt_hash(prompt)
    for repeat in range(repeats):
        for task in tasks:
            if only is not None and (task.id, repeat) not in only:
                continue
            reply = complete(prompt, task.directory, repeat=repeat, seed=run_seed(seed, task.id, repeat),
                             model=model)
            error = _error_class(task, reply)
            records.append(RunRecord(
                session_id=session_id, target=target, command=command, prompt_hash=digest,
                task_id=task.id, task_hash=task.content_hash, task_set_hash=task_set_hash, repeat=repeat,
                seed=seed, started_at="", batch=batch, exit_code=0, timed_out=False, command_s=0.3,
                check_s=6.0 if "slow" in reply.modes else 0.4,
                tests_passed=0 if error else 1, tests_total=1, score=0.0 if error else 1.0,
                passed=not error, error_class=error, signature=error, complexity=task.complexity,
                usage=Usage(model=str(reply.usage()["model"]), input_tokens=reply.input_tokens,
                            output_tokens=reply.output_tokens, cost_usd=reply.cost_usd),
            ))
    return records


def fast_evaluator(target: str, command: str, seed: int,
                   charge: Callable[[int], None] = lambda runs: None
                   ) -> Callable[[Sequence[Arm], str, str], list[list[RunRecord]]]:
    """An evaluator for optimize_target (optimize.Evaluator) that simulates each batch's runs
    in-process; ``charge`` is told how many runs each batch makes (a benchmark's budget).
    ``command`` is the target's: records hold it redacted, as the runner's do, so that the run
    cache finds them again."""
    command = redact(command)
    def evaluate(arms: Sequence[Arm], session_id: str, batch: str) -> list[list[RunRecord]]:
        results = []
        for arm in arms:
            pairs = arm.jobs()
            charge(len(pairs))
            results.append(simulated_records(
                arm.text, arm.task_set.tasks, max((r for _, r in pairs), default=-1) + 1, seed,
                session_id, target=target, command=command, task_set_hash=arm.task_set.content_hash,
                batch=batch, only={(task.id, repeat) for task, repeat in pairs}))
        return results
    return evaluate
