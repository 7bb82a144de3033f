"""The sealed test set: never read by a decision or shown to a proposer (a poisoned test set
changes no decision), run for the session's starting and final prompts only when an edit was
kept, its figure in the summary with an interval that holds the simulator's true change."""

from __future__ import annotations

import re
from contextlib import nullcontext
from pathlib import Path

from overseer.commands.demo import DEMO_MAX_REPEATS, build_demo_repo
from overseer.commands.init import EXAMPLE_TARGET
from overseer.config import load_config
from overseer.decision import Decision
from overseer.optimize import Hooks, OptimizeOptions, SessionSummary, optimize_target
from overseer.optimize.runs import SessionRuns
from overseer.sim import expected_pass_rate
from overseer.sim.fast import fast_evaluator
from overseer.tasks import target_task_sets, target_test_set

VARYING = {"decision_id", "time", "session_id"}


def _session(root: Path, test: str, iterations: int = 3) -> tuple[SessionSummary, list[str]]:
    config = root / "overseer.yaml"
    config.write_text(config.read_text().replace("    holdout: 0.25", f"    holdout: 0.25\n    test: {test}"))
    loaded = load_config(config)
    target = loaded.target(EXAMPLE_TARGET)
    proposer_saw: list[str] = []
    original = SessionRuns.side_by_side

    def watched(self: SessionRuns, wants, label):  # type: ignore[no-untyped-def]
        if label != "sealed test":
            proposer_saw.extend(t.id for w in wants for t in w.task_set.tasks)
        return original(self, wants, label)

    SessionRuns.side_by_side = watched  # type: ignore[method-assign]
    try:
        summary = optimize_target(loaded, EXAMPLE_TARGET,
                                  OptimizeOptions(iterations=iterations, max_repeats=DEMO_MAX_REPEATS, race=1),
                                  Hooks(progress=lambda label, total: nullcontext(lambda record: None)),
                                  evaluator=fast_evaluator(EXAMPLE_TARGET, target.command, target.seed))
    finally:
        SessionRuns.side_by_side = original  # type: ignore[method-assign]
    return summary, proposer_saw


def _decisions(decisions: list[Decision]) -> list[dict[str, object]]:
    return [d.model_dump(mode="json", exclude=VARYING) for d in decisions]


def test_a_sealed_test_set_changes_no_decision_and_measures_the_session(tmp_path: Path) -> None:
    build_demo_repo(tmp_path / "a")
    summary, seen = _session(tmp_path / "a", "0.2")
    loaded = load_config(tmp_path / "a" / "overseer.yaml")
    target = loaded.target(EXAMPLE_TARGET)
    sealed = target_test_set(loaded, target)
    assert sealed is not None and len(sealed) == 10
    train, holdout = target_task_sets(loaded, target)
    sealed_ids = {t.id for t in sealed.tasks}
    assert not sealed_ids & {t.id for t in (*train.tasks, *holdout.tasks)}
    assert not sealed_ids & set(seen)       # no comparison the decisions used ran a sealed task
    assert summary.accepted >= 1 and summary.sealed is not None
    figure = summary.sealed
    start = expected_pass_rate(summary.state.start_text, sealed.tasks)
    final = expected_pass_rate(summary.state.current_text, sealed.tasks)
    assert figure.low <= final - start <= figure.high, (figure, final - start)
    assert figure.tasks == 10 and figure.repeats == target.repeats

    # the same session with the sealed tasks poisoned (the simulated model fails them far more
    # often: complexity 5): the same decisions; only the sealed figure moves
    build_demo_repo(tmp_path / "b")
    for task in sealed.tasks:
        task_yaml = tmp_path / "b" / "tasks" / "pyfuncs" / task.id / "task.yaml"
        task_yaml.write_text(re.sub(r"(?m)^complexity: \d", "complexity: 5", task_yaml.read_text()))
    poisoned, _ = _session(tmp_path / "b", "0.2")
    assert _decisions(poisoned.decisions) == _decisions(summary.decisions)
    assert poisoned.sealed is not None and poisoned.sealed.before < figure.before


def test_a_session_that_kept_nothing_does_not_run_the_sealed_set(tmp_path: Path) -> None:
    build_demo_repo(tmp_path / "a")
    config = tmp_path / "a" / "overseer.yaml"
    config.write_text(config.read_text().replace("    seed: 0", "    seed: 0\n    accept: {min_gain: 0.9}"))
    summary, _ = _session(tmp_path / "a", "0.2", iterations=1)
    assert summary.accepted == 0 and summary.sealed is None
