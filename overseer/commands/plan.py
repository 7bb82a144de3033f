"""``overseer plan TARGET``: the bill in advance, from the target's recorded runs (bill.py)."""

from __future__ import annotations

import statistics
from pathlib import Path

from overseer import report
from overseer.bill import EFFECTS, SAMPLINGS, Plan, candidate_cost, plan_json, recent_spending
from overseer.config import LoadedConfig, load_config
from overseer.errors import EXIT_OK, FatalError
from overseer.evaluate import runs_dir
from overseer.evidence.coupling import RECENT_COMPARISONS, Coupling, of_comparisons
from overseer.fingerprint import environment_fingerprint
from overseer.prompts import prompt_hash, read_prompt
from overseer.redact import redact
from overseer.store import open_store
from overseer.store.queries import Queries
from overseer.tasks import target_task_sets


def recorded_coupling(store: Queries, target: str) -> Coupling | None:
    """The coupling of the target's recent comparisons (its last RECENT_COMPARISONS decisions
    about a candidate), from their runs at the parent's seeds: the screens' and paired tests'."""
    pairs = [(d.parent_hash, d.candidate_hash) for d in store.decisions(target)
             if d.candidate_hash and d.parent_hash][-RECENT_COMPARISONS:]
    hashes = sorted({h for pair in pairs for h in pair})
    return of_comparisons(store.runs_of_prompts(target, hashes), pairs) if pairs else None


def make_plan(*, loaded: LoadedConfig, target_name: str, iterations: int, max_runs: int | None,
              jobs: int | None, trials: int = 200, race: int | None = None) -> Plan:
    target = loaded.target(target_name)
    nothing = FatalError(f"{target_name}: no recorded runs to plan from (none under the current command "
                         f"and environment); `overseer run {target_name}` first (one evaluation of the "
                         "current prompt)")
    if not any((runs_dir(loaded) / target_name).glob("*.jsonl")):   # and the index is not created
        raise nothing
    train, holdout = target_task_sets(loaded, target)
    current = prompt_hash(read_prompt(loaded.root, target.prompt))
    with open_store(runs_dir(loaded)) as store:
        recorded = store.run_costs(target_name, environment_fingerprint(target, loaded.root),
                                   redact(target.command))
        spent = recent_spending(store.decisions(target_name), store.session_runs(target_name))
        rates = {r.task_id: r for r in store.task_rates(target_name, [current])}
        coupled = recorded_coupling(store, target_name)
    if not recorded.runs:
        raise nothing
    known = [r.rate for r in rates.values()]
    fallback = statistics.fmean(known) if known else 0.5

    def rate(task_id: str) -> float:
        return min(0.99, max(0.01, rates[task_id].rate if task_id in rates else fallback))

    missing = sum(max(0, target.repeats - (rates[t.id].runs if t.id in rates else 0))
                  for t in [*train.tasks, *holdout.tasks])
    train_rates = {t.id: rate(t.id) for t in train.tasks}
    holdout_rates = {t.id: rate(t.id) for t in holdout.tasks}
    candidates = {
        sampling: {name: candidate_cost(train_rates, holdout_rates, effect, target.repeats,
                                        target.accept, seeded=seeded, trials=trials, seed=target.seed)
                   for name, effect in EFFECTS.items()}
        for sampling, seeded in SAMPLINGS.items()}
    screened = target.accept.screen_tasks
    screen_runs = screened * target.repeats if 0 < screened < len(train) else 0
    return Plan(target=target_name, train_tasks=len(train), holdout_tasks=len(holdout),
                repeats=target.repeats, max_repeats=max(target.repeats, target.accept.max_repeats or 0),
                recorded=recorded, baseline_runs=missing, candidates=candidates,
                iterations=iterations, jobs=jobs or target.jobs, max_runs=max_runs,
                race=race or target.race, screen_runs=screen_runs, spent=spent, coupling=coupled)


def main(*, config: Path | None, target: str, iterations: int, max_runs: int | None,
         jobs: int | None, json_output: bool, race: int | None = None) -> int:
    plan = make_plan(loaded=load_config(config), target_name=target, iterations=iterations,
                     max_runs=max_runs, jobs=jobs, race=race)
    if json_output:
        report.print_json(plan_json(plan))
    else:
        report.show_plan(plan)
    return EXIT_OK
