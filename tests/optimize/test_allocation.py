"""Runs where outcomes vary, in a whole session: with seeded sampling the tasks on which both
prompts agreed are run in only some later rounds, the decision says so, and its test is the one
that the recorded runs rebuild."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from overseer.commands.demo import build_demo_repo
from overseer.config import load_config
from overseer.decision import Decision
from overseer.evidence.allocate import walk_records
from overseer.evidence.looks import evidence_for
from overseer.evidence.paired import walked_rounds
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.records import RunRecord, read_records
from overseer.sim.fast import fast_evaluator
from overseer.tasks import target_task_sets


def test_a_session_runs_settled_tasks_in_only_some_rounds(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_demo_repo(root)
    loaded = load_config(root / "overseer.yaml")
    target = loaded.config.targets["codewriter"]
    decisions: list[Decision] = []
    hooks = Hooks(progress=lambda label, total: nullcontext(lambda record: None),
                  decided=decisions.append)
    optimize_target(loaded, "codewriter", OptimizeOptions(iterations=4, race=1, commit=False), hooks,
                    evaluator=fast_evaluator("codewriter", target.command, target.seed))
    records: list[RunRecord] = [r for jsonl in sorted((root / "runs" / "codewriter").glob("2*.jsonl"))
                                for r in read_records(jsonl)[0]]
    train = {t.id for t in target_task_sets(loaded, target)[0].tasks}
    long = [d for d in decisions if d.repeats and d.repeats > 2 and d.candidate_hash]
    assert long, [(d.outcome, d.repeats) for d in decisions]
    for decision in long:
        # its runs up to its last round (some were run later, when it was the parent of others)
        after = [r for r in records if r.prompt_hash == decision.candidate_hash
                 and r.task_id in train and r.repeat < decision.repeats]
        before = [r for r in records if r.prompt_hash == decision.parent_hash]
        walk = walk_records(before, after, lambda r: float(r.passed))
        assert walk.sampled and len(walk.rounds) == decision.repeats
        # the runs made for its later rounds, side by side with its parent's, were fewer than
        # one per task and round
        beside = {r.batch for r in before}
        later = [r for r in after if r.repeat >= 2 and r.batch in beside]
        assert 0 < len(later) < (decision.repeats - 2) * len(train)
        p_value = next(c for c in decision.criteria if c.name == "p-value")
        assert "run in only some later rounds" in p_value.note
        gain, p = evidence_for(walked_rounds(before, after, target.objective))
        assert round(p, 4) == decision.p_value and round(gain, 4) == decision.gain
