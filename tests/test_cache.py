"""The run cache: earlier runs found by experiment key, only missing ones run."""

from __future__ import annotations

from pathlib import Path

from overseer.cache import RunCache, grid
from overseer.config import load_config
from overseer.fingerprint import environment_fingerprint
from overseer.records import read_records
from overseer.store import open_store
from overseer.tasks import target_task_sets


def test_runs_are_read_back_by_experiment_key(optimized: Path) -> None:
    loaded = load_config(optimized / "overseer.yaml")
    target = loaded.target("toy")
    records = read_records(next((optimized / "runs" / "toy").glob("2*.jsonl")))[0]
    first = records[0]
    with open_store(optimized / "runs") as store:
        text = next(v.text for v in store.versions("toy") if v.hash == first.prompt_hash)
    task_set = next(ts for ts in target_task_sets(loaded, target) if ts.content_hash == first.task_set_hash)
    recorded = {(r.task_id, r.repeat): r for r in records
                if r.prompt_hash == first.prompt_hash and r.task_set_hash == first.task_set_hash}
    cache = RunCache(command=target.command, seed=target.seed, runs_dir=optimized / "runs", target="toy",
                     environment=environment_fingerprint(target, loaded.root))
    first_look = cache.lookup(text, task_set, grid(task_set.tasks, 1))
    assert first_look.missing == set()
    assert first_look.found == {(t.id, 0): recorded[(t.id, 0)] for t in task_set.tasks}
    task_id = task_set.tasks[0].id
    never_run = {(task_id, r) for r in range(20) if (task_id, r) not in recorded}
    assert never_run and cache.lookup(text, task_set, grid(task_set.tasks[:1], 20)).missing == never_run


def test_runs_under_other_settings_are_another_environment(optimized: Path) -> None:
    loaded = load_config(optimized / "overseer.yaml")
    target = loaded.target("toy")

    def fingerprint(**settings: str) -> str:
        return environment_fingerprint(target.model_copy(update={"settings": settings}), loaded.root)

    assert fingerprint() == environment_fingerprint(target, loaded.root)
    assert len({fingerprint(), fingerprint(model="a"), fingerprint(model="b")}) == 3
    assert fingerprint(model="a") == fingerprint(model="a")
