"""``overseer experiment``: a changed setting on a band of tasks, against the current one, side by
side; promoted to a routing rule in overseer.yaml (committed alone) only when proven not worse and
cheaper. The toy command is a real process: the "big" model answers every task, the "small" one
costs a tenth and fails the tasks of complexity 4."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from overseer.config import load_config
from overseer.records import read_records
from tests.helpers import changed_files, git, overseer, overseer_process

CONFIG = """\
schema_version: 1
targets:
  # The toy router: which model answers which task.
  toy:
    command: "sh answer.sh {model} {task_dir} {workdir} {usage_file}"
    settings: {model: big}   # the model every task gets unless a rule says otherwise
    prompt: prompts/system.md
    tasks: tasks/toy
    holdout: 0.2
    repeats: 1
    jobs: 2
    timeout_s: 30
"""

ANSWER = """\
complexity=$(sed -n 's/^complexity: //p' "$2/task.yaml")
if [ "$1" = big ] || [ "$complexity" -lt 4 ]; then echo ok; else echo bad; fi > "$3/answer.txt"
if [ "$1" = big ]; then cost=0.01; else cost=0.001; fi
printf '{"model": "%s", "input_tokens": 100, "output_tokens": 10, "cost_usd": %s}' "$1" "$cost" > "$4"
"""


@pytest.fixture
def router(tmp_path: Path) -> Path:
    root = tmp_path / "router"
    (root / "prompts").mkdir(parents=True)
    (root / "prompts" / "system.md").write_text("Answer ok.\n")
    (root / "overseer.yaml").write_text(CONFIG)
    (root / "answer.sh").write_text(ANSWER)
    for i in range(16):
        task = root / "tasks" / "toy" / f"t{i:02d}"
        task.mkdir(parents=True)
        (task / "task.yaml").write_text(textwrap.dedent(f"""\
            id: t{i:02d}
            title: toy task {i}
            spec: Say ok.
            check: "grep -qx ok answer.txt"
            timeout_s: 10
            complexity: {4 if i % 3 == 0 else 1 + i % 2}
        """))
    (root / ".gitignore").write_text("runs/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "toy router")
    return root


def _experiments(root: Path) -> list[dict]:
    path = root / "runs" / "toy" / "experiments.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_cheaper_model_as_good_on_the_easy_band_is_promoted_and_committed_alone(router: Path) -> None:
    before = git(router, "rev-parse", "HEAD").strip()
    result = overseer("experiment", "toy", "--set", "model=small", "--where", "complexity<=2",
                      "--margin", "0.2", "--json", cwd=router)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["outcome"] == "promoted" and shown["difference"] == 0.0
    assert shown["cost_after"] < shown["cost_before"] and shown["commit"]
    criteria = {c["name"]: c["passed"] for c in shown["criteria"]}
    assert criteria == {"not worse on train": True, "holdout difference": True, "cheaper (cost)": True}
    # the rule is in overseer.yaml, with the user's comments kept, and committed alone
    text = (router / "overseer.yaml").read_text()
    assert "# The toy router: which model answers which task." in text
    assert "settings: {model: big}   # the model every task gets" in text
    [rule] = load_config(router / "overseer.yaml").config.targets["toy"].routing
    assert (rule.where, rule.set) == ("complexity<=2", {"model": "small"})
    assert rule.proven is not None and rule.proven.experiment == shown["experiment_id"]
    head = git(router, "rev-parse", "HEAD").strip()
    assert git(router, "rev-parse", "HEAD~1").strip() == before
    record = f"diffs/toy/experiment-{shown['time'][:10]}-{shown['experiment_id']}.md"
    assert changed_files(router, head) == sorted(["overseer.yaml", record])
    assert "complexity<=2" in git(router, "log", "-1", "--format=%s")
    assert not git(router, "status", "--porcelain", "--untracked-files=no")
    assert [e["outcome"] for e in _experiments(router)] == ["promoted"]
    # later runs follow the rule: the easy tasks get the small model, the others the big one
    assert overseer("run", "toy", cwd=router).returncode == 0
    runs = [json.loads(line) for p in sorted((router / "runs" / "toy").glob("*.jsonl"))
            if p.name != "experiments.jsonl" for line in p.read_text().splitlines()]
    last = [r for r in runs if r["session_id"] == runs[-1]["session_id"]]
    assert {r["complexity"]: r["settings"]["model"] for r in last} == {1: "small", 2: "small", 4: "big"}


def test_a_cheaper_model_worse_on_the_hard_band_is_refused_and_nothing_changes(router: Path) -> None:
    before = git(router, "rev-parse", "HEAD").strip()
    config = (router / "overseer.yaml").read_bytes()
    result = overseer("experiment", "toy", "--set", "model=small", "--where", "complexity>=4", "--json",
                      cwd=router)
    assert result.returncode == 1, result.stderr
    shown = json.loads(result.stdout)
    assert shown["outcome"] == "refused" and shown["difference"] == -1.0
    assert shown["interval"][1] < -0.02 and shown["holdout_after"] is None   # the holdout was not run
    assert shown["repeats"] <= 2   # proven worse at once: not the 16 rounds it could have had
    assert (router / "overseer.yaml").read_bytes() == config
    assert git(router, "rev-parse", "HEAD").strip() == before
    assert [e["outcome"] for e in _experiments(router)] == ["refused"]


def test_an_experiment_whose_runs_fail_for_infrastructure_stops_after_one_round(router: Path) -> None:
    """The small model's provider fails half the time (exit 75: a provider error) and is cheap
    when it answers: no verdict, and no more rounds spent on it than the first."""
    (router / "answer.sh").write_text(
        'case "$2" in *[02468]) [ "$1" = small ] && exit 75;; esac\n' + ANSWER)
    config = router / "overseer.yaml"
    config.write_text(config.read_text().replace("timeout_s: 30", "timeout_s: 30\n    infra: {retries: 0}"))
    git(router, "commit", "-qam", "a provider that fails")
    result = overseer("experiment", "toy", "--set", "model=small", "--where", "complexity<=2", "--json",
                      cwd=router)
    assert result.returncode == 1, result.stderr
    shown = json.loads(result.stdout)
    assert shown["outcome"] == "inconclusive" and "infrastructure" in shown["reason"]
    assert shown["holdout_after"] is None
    records = [r for log in (router / "runs" / "toy").glob("2*.jsonl") for r in read_records(log)[0]]
    assert records and {r.repeat for r in records} == {0}   # one round, not accept.max_repeats
    small = [r for r in records if r.settings["model"] == "small"]
    assert any(r.infra for r in small) and not all(r.infra for r in small)
    assert git(router, "status", "--porcelain", "overseer.yaml") == ""


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "temperature=0.2", "--where", "complexity<=2"], "--set temperature: not a setting of targets.toy"),
    (["--set", "model=small", "--where", "complexity>=5"], "complexity>=5 matches no train task"),
    (["--set", "model=small", "--where", "size<3"], "'size<3' is not a comparison like complexity<=2"),
    (["--set", "model", "--where", "complexity<=2"], "--set 'model': expected NAME=VALUE"),
    (["--set", "model=small"], "a rule needs where (e.g. complexity<=2), tag, or both"),
    (["--set", "model=big", "--where", "complexity<=2"], "the band already runs with these settings"),
])
def test_bad_input_is_one_line_and_exit_2_with_nothing_written(router: Path, args: list[str], message: str) -> None:
    result = overseer("experiment", "toy", *args, cwd=router)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (router / "runs").exists()
    assert not git(router, "status", "--porcelain")


def test_a_malformed_routing_rule_in_overseer_yaml_is_one_line_and_exit_2(router: Path) -> None:
    config = router / "overseer.yaml"
    config.write_text(CONFIG + "    routing: [{where: complexity<=2, set: {temperature: 0}}]\n")
    result = overseer("run", "toy", cwd=router)
    assert result.returncode == 2
    assert "routing rule 1 (complexity<=2) sets 'temperature', which is not one of the target's settings" \
        in result.stderr
    config.write_text(CONFIG + "    routing: [{where: 'complexity<=9', set: {model: small}}]\n")
    result = overseer("run", "toy", cwd=router)
    assert result.returncode == 2 and "is not a comparison like complexity<=2" in result.stderr
    assert not (router / "runs").exists()


def test_uncommitted_changes_to_overseer_yaml_are_never_swept_into_the_rules_commit(router: Path) -> None:
    config = router / "overseer.yaml"
    config.write_text(config.read_text() + "# my own note\n")
    result = overseer("experiment", "toy", "--set", "model=small", "--where", "complexity<=2", cwd=router)
    assert result.returncode == 2 and "has uncommitted changes; commit them first" in result.stderr
    assert config.read_text().endswith("# my own note\n")
    assert not (router / "runs").exists()


def test_a_routed_band_that_drifts_is_flagged_and_reverting_restores_the_routing(router: Path, tmp_path: Path) -> None:
    promoted = overseer("experiment", "toy", "--set", "model=small", "--where", "complexity<=2",
                        "--margin", "0.2", "--json", cwd=router)
    assert promoted.returncode == 0, promoted.stderr
    experiment_id = json.loads(promoted.stdout)["experiment_id"]
    assert overseer("run", "toy", "--tasks", "all", cwd=router).returncode == 0
    holding = json.loads(overseer("insights", "toy", "--json", cwd=router).stdout)["routing"]
    assert [(w["rule"], w["runs"], w["pass_rate"], w["flagged"]) for w in holding] == [(1, 10, 1.0, False)]
    # the small model degrades on complexity 1: half the band's runs fail from now on
    script = router / "answer.sh"
    script.write_text(script.read_text().replace('[ "$complexity" -lt 4 ]', '[ "$complexity" -gt 1 ] && [ "$complexity" -lt 4 ]'))
    git(router, "commit", "-qam", "the small model got worse")
    assert overseer("run", "toy", "--tasks", "all", "--repeats", "4", cwd=router).returncode == 0
    found = json.loads(overseer("insights", "toy", "--json", cwd=router).stdout)
    [drift] = found["routing"]   # the window: the 10 runs before and the 40 since, 30 passed
    assert (drift["runs"], drift["passed"], drift["floor"], drift["flagged"]) == (50, 30, 0.8, True)
    assert drift["experiment"] == experiment_id and drift["p_value"] < 0.05
    assert "DRIFT" in overseer("insights", "toy", cwd=router).stdout
    report = tmp_path / "report.html"
    assert overseer("report", "toy", "-o", str(report), cwd=router).returncode == 0
    assert "Routing experiments and routed bands" in report.read_text() and "DRIFT" in report.read_text()
    # --revert takes the rule out, recorded and committed alone
    reverted = overseer("experiment", "toy", "--revert", "1", "--json", cwd=router)
    assert reverted.returncode == 0, reverted.stderr
    record = json.loads(reverted.stdout)
    assert record["kind"] == "revert" and record["outcome"] == "reverted" and record["commit"]
    assert load_config(router / "overseer.yaml").config.targets["toy"].routing == []
    assert (router / "overseer.yaml").read_text() == CONFIG   # byte for byte what it was
    assert changed_files(router, "HEAD") == sorted(
        ["overseer.yaml", f"diffs/toy/experiment-{record['time'][:10]}-{record['experiment_id']}.md"])
    assert [e["outcome"] for e in _experiments(router)] == ["promoted", "reverted"]
    assert "\nexperiments\n" in overseer("history", "toy", cwd=router).stdout
    shown = overseer("show", "toy", experiment_id, "--json", cwd=router)
    assert json.loads(shown.stdout)["outcome"] == "promoted"
    again = overseer("experiment", "toy", "--revert", "1", cwd=router)
    assert again.returncode == 2 and "--revert 1: no such routing rule in targets.toy (rules: none)" in again.stderr


def test_cheaper_in_time_is_judged_on_runs_made_side_by_side(router: Path) -> None:
    """The big model takes half a second longer per run; the sign test over side-by-side pairs
    (the same task and repeat, in one batch) says the small one is faster whatever the load."""
    script = router / "answer.sh"
    script.write_text('[ "$1" = big ] && sleep 0.5\n' + script.read_text())
    git(router, "commit", "-qam", "the big model is slow")
    result = overseer("experiment", "toy", "--set", "model=small", "--where", "complexity<=2", "--margin", "0.2",
                      "--cheaper", "time", "--no-commit", "--json", cwd=router)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    [timed] = [c for c in shown["criteria"] if c["name"] == "cheaper (time)"]
    assert timed["passed"] and "pairs run side by side" in timed["note"]
    assert shown["cost_before"] - shown["cost_after"] > 0.3   # median seconds per run
    assert shown["commit"] is None and "routing:" in (router / "overseer.yaml").read_text()
    assert git(router, "status", "--porcelain", "--untracked-files=no") == " M overseer.yaml\n"


@pytest.mark.parametrize("point", ["experiment:pending-saved", "config-write:replaced", "experiment:committed"])
def test_a_promotion_killed_midway_is_finished_by_the_next_experiment(router: Path, point: str) -> None:
    before = git(router, "rev-parse", "HEAD").strip()
    killed = overseer_process("experiment", "toy", "--set", "model=small", "--where", "complexity<=2",
                              "--margin", "0.2", "--json", cwd=router, env={"OVERSEER_FAULT": point})
    assert killed.returncode == -9, killed.stderr
    assert not _experiments(router)                       # killed before it was recorded
    assert (router / "runs" / "toy" / "experiment.pending.json").is_file()
    # the next experiment (another band, refused) first finishes the interrupted promotion
    nxt = overseer_process("experiment", "toy", "--set", "model=small", "--where", "complexity>=4",
                           "--margin", "0.2", "--json", cwd=router)
    assert nxt.returncode == 1, nxt.stderr
    assert "finished the interrupted promoted rule of experiment" in nxt.stderr
    assert [e["outcome"] for e in _experiments(router)] == ["promoted", "refused"]
    promoted = _experiments(router)[0]
    assert promoted["commit"] == git(router, "rev-parse", "HEAD").strip()
    assert git(router, "rev-parse", "HEAD~1").strip() == before    # one commit: the rule, alone
    assert sorted(changed_files(router, promoted["commit"])) == sorted(
        ["overseer.yaml", f"diffs/toy/experiment-{promoted['time'][:10]}-{promoted['experiment_id']}.md"])
    [rule] = load_config(router / "overseer.yaml").config.targets["toy"].routing
    assert rule.where == "complexity<=2" and rule.proven is not None
    assert not (router / "runs" / "toy" / "experiment.pending.json").exists()
    assert not git(router, "status", "--porcelain", "--untracked-files=no")


def test_an_interrupted_promotion_never_overwrites_a_file_changed_since(router: Path) -> None:
    overseer_process("experiment", "toy", "--set", "model=small", "--where", "complexity<=2",
                     "--margin", "0.2", cwd=router, env={"OVERSEER_FAULT": "experiment:pending-saved"})
    config = router / "overseer.yaml"
    config.write_text(config.read_text() + "# my own note\n")
    result = overseer("experiment", "toy", "--revert", "1", cwd=router)
    assert result.returncode == 2
    assert "changed since the promoted rule of experiment" in result.stderr.strip().splitlines()[-1]
    assert config.read_text().endswith("# my own note\n")
