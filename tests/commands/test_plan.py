"""overseer plan: the bill in advance from recorded runs; --max-cost refuses a candidate that
could not finish inside it."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

from overseer.bill import plan_json
from overseer.commands.demo import DEMO_ITERATIONS, DEMO_MAX_REPEATS, DEMO_RACE, build_demo_repo
from overseer.commands.init import EXAMPLE_TARGET
from overseer.commands.plan import make_plan
from overseer.config import LoadedConfig, load_config
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.sim.fast import fast_evaluator
from overseer.store import open_store
from tests.helpers import git, overseer
from tests.toyloop import make_loop_project


def test_plan_gives_per_run_per_candidate_and_per_session_figures(optimized: Path) -> None:
    result = overseer("plan", "toy", "--iterations", "4", "--json", cwd=optimized)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    with open_store(optimized / "runs") as store:
        recorded = store.run_costs("toy")
    assert facts["recorded"]["runs"] == recorded.runs > 0
    assert facts["train_tasks"] == 8 and facts["holdout_tasks"] == 2 and facts["baseline_runs"] == 0
    seeded, fresh = facts["candidates"]["seeded"], facts["candidates"]["fresh"]
    # the kept prompt passes every task: an edit cannot gain, so a useless one stops at its first
    # look (8 runs), and "+10 points" is capped at a pass rate of 0.99 (also no real gain)
    assert seeded["useless"]["runs"] == fresh["useless"]["runs"] == 8
    # a race of 3 per iteration: every useless candidate runs to its end; of good ones the first
    # is kept and the other two cost their screens (4 tasks x 1 repeat)
    assert facts["race"] == 3 and facts["screen_runs"] == 4
    assert facts["session"]["seeded"]["useless"]["runs"] == 4 * 3 * 8
    assert facts["session"]["seeded"]["plus_10"]["runs"] == round(4 * (seeded["plus_10"]["runs"] + 2 * 4))
    one = json.loads(overseer("plan", "toy", "--iterations", "4", "--race", "1", "--json", cwd=optimized).stdout)
    assert one["session"]["seeded"]["useless"]["runs"] == 4 * 8
    shown = overseer("plan", "toy", cwd=optimized)
    assert shown.returncode == 0 and "a session of 10 iterations" in shown.stdout


def test_plan_needs_recorded_runs(loop_project: Path) -> None:
    result = overseer("plan", "toy", cwd=loop_project)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].endswith(
        "no recorded runs to plan from (none under the current command and environment); "
        "`overseer run toy` first (one evaluation of the current prompt)")


def test_plan_reads_costs_only_from_runs_under_the_current_command(optimized: Path) -> None:
    assert overseer("plan", "toy", cwd=optimized).returncode == 0
    config = optimized / "overseer.yaml"
    text = config.read_text()
    command = next(line for line in text.splitlines() if line.strip().startswith("command:"))
    config.write_text(text.replace(command, command.rstrip('"') + ' --changed"' if command.endswith('"')
                                   else command + " --changed"))
    result = overseer("plan", "toy", cwd=optimized)
    assert result.returncode == 2 and "none under the current command and environment" in result.stderr


def test_max_cost_refuses_a_candidate_that_could_not_finish_inside_it(tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop")
    config = project / "overseer.yaml"
    config.write_text(config.read_text().replace(
        "fi > {workdir}/answer.txt", "fi > {workdir}/answer.txt; echo '{{\\\"cost_usd\\\": 0.01}}' > {usage_file}"))
    git(project, "commit", "-qam", "every run costs a cent")
    result = overseer("optimize", "toy", "--max-cost", "0.15", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    # baseline: 10 runs, $0.10; a first look could take 26 runs ($0.26): not started
    assert summary["runs_used"] == 10
    assert summary["iterations"][0]["outcome"] == "unfinished"
    assert "over the cost budget ($0.15, $0.1 spent)" in summary["iterations"][0]["reason"]
    assert summary["stop_reason"] == "cost budget ($0.15): the next candidate could not finish inside it"


def test_optimize_starts_with_the_bill(optimized: Path, tmp_path: Path) -> None:
    fresh = overseer("optimize", "toy", "--iterations", "1", cwd=make_loop_project(tmp_path / "fresh"))
    assert "the bill in advance: no recorded runs yet" in fresh.stderr
    planned = json.loads(overseer("plan", "toy", "--iterations", "3", "--json", cwd=optimized).stdout)
    runs = sorted(round(cell["runs"]) for sampling in planned["session"].values() for cell in sampling.values())
    again = overseer("optimize", "toy", "--iterations", "3", cwd=optimized)
    assert again.returncode == 0, again.stderr
    assert f"the bill in advance: about {runs[0]} to {runs[-1]} runs for 3 iterations" in again.stderr


def _demo_session(loaded: LoadedConfig) -> int:
    """A session as `overseer demo` runs it, on the simulator's in-process fast path: its runs."""
    target = loaded.target(EXAMPLE_TARGET)
    options = OptimizeOptions(iterations=DEMO_ITERATIONS, max_repeats=DEMO_MAX_REPEATS, race=DEMO_RACE)
    summary = optimize_target(loaded, EXAMPLE_TARGET, options,
                              Hooks(progress=lambda label, total: nullcontext(lambda record: None)),
                              evaluator=fast_evaluator(EXAMPLE_TARGET, target.command, target.seed))
    return summary.state.runs_used


def test_the_plan_after_the_demo_foresees_its_next_session_within_30_percent(tmp_path: Path) -> None:
    build_demo_repo(tmp_path / "demo")
    loaded = load_config(tmp_path / "demo" / "overseer.yaml")
    first = _demo_session(loaded)
    plan = make_plan(loaded=loaded, target_name=EXAMPLE_TARGET, iterations=DEMO_ITERATIONS,
                     max_runs=None, jobs=None, race=DEMO_RACE, trials=20)
    expected = plan.recent_session_runs()
    assert plan.spent is not None and plan.spent.sessions == 1 and plan.spent.iterations == 3
    assert expected is not None and round(expected) == first   # one session so far: the estimate
    assert plan_json(plan)["recent_session"]["runs"] == first  # type: ignore[index]
    used = _demo_session(loaded)
    assert abs(expected - used) <= 0.3 * used, (expected, used)
    shown = overseer("plan", EXAMPLE_TARGET, "--iterations", "3", cwd=tmp_path / "demo")
    assert shown.returncode == 0, shown.stderr
    assert "whose candidates cost what the last 6 iterations' did" in " ".join(shown.stdout.split())


def test_the_plan_and_run_say_what_the_seed_does_from_the_targets_comparisons(tmp_path: Path) -> None:
    build_demo_repo(tmp_path / "demo")
    loaded = load_config(tmp_path / "demo" / "overseer.yaml")
    _demo_session(loaded)   # the simulator's default sampling is seeded: the seed couples runs
    plan = make_plan(loaded=loaded, target_name=EXAMPLE_TARGET, iterations=3, max_runs=None, jobs=None,
                     trials=5)
    assert plan.coupling is not None and plan.coupling.trusted and plan.coupling.strength >= 0.75
    assert plan.applies() == "seeded"
    facts = plan_json(plan)["coupling"]
    assert facts["applies"] == "seeded" and "the model uses the seed" in facts["words"]  # type: ignore[index]
    shown = " ".join(overseer("plan", EXAMPLE_TARGET, "--iterations", "3", cwd=tmp_path / "demo").stdout.split())
    assert "the model uses the run seed (this target)" in shown
    assert "the target's recent comparisons: runs at the same seed agree" in shown
    assert "paired comparisons pay" in shown
