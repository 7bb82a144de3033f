from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest

from overseer.config import load_config
from overseer.edits import Edit
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.proposers import Proposal
from overseer.records import read_records
from overseer.report import run_progress
from overseer.store import open_store
from tests.fake_llm import FakeLLM
from tests.helpers import changed_files, git, overseer, overseer_process
from tests.toyloop import GOOD, START, make_loop_project, use_fake_llm


def test_kept_edit_is_written_recorded_and_committed_alone(loop_project: Path) -> None:
    (loop_project / "notes.txt").write_text("mine\n")
    git(loop_project, "add", "notes.txt")  # the user's own staged work must never be swept in
    result = overseer("optimize", "toy", "--iterations", "2", "--json", cwd=loop_project)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [it["outcome"] for it in summary["iterations"]] == ["accepted", "rejected"]
    assert summary["baseline"]["train"]["pass_rate"] == 0.0 and summary["final"]["train"]["pass_rate"] == 1.0
    # baseline 10, candidate 10 and 16 more (both prompts again side by side on the 8 train tasks,
    # for the time criterion), the rejected candidate 8 (its holdout is not run: train failed)
    assert summary["runs_used"] == 44
    assert summary["iterations"][1]["holdout_gain"] is None
    assert (loop_project / "prompts" / "system.md").read_text() == GOOD
    assert git(loop_project, "log", "--format=%s").splitlines()[1:] == ["toy loop project"]
    assert changed_files(loop_project, "HEAD") == [
        "diffs/toy/0001-add-constraint-good.diff", "diffs/toy/0001-add-constraint-good.md",
        "prompts/system.md"]
    message = git(loop_project, "log", "-1", "--format=%B")
    assert message.startswith("Saying GOOD makes every run pass\n\ntrain 0.000 → 1.000, holdout 0.000 → 1.000, "
                              "gain +1.000, in [+0.")
    assert "+1.000], p = 0.0303" in message
    assert "A  notes.txt" in git(loop_project, "status", "--porcelain")
    md = (loop_project / "diffs" / "toy" / "0001-add-constraint-good.md").read_text()
    assert "| p-value | 0.0303 | 0.05 | pass |" in md and "+Be careful. GOOD" in md
    assert "- train gain +1.000, in [+0." in md
    with open_store(loop_project / "runs") as store:
        statuses = [v.status for v in store.versions("toy")]
    assert statuses == ["baseline", "accepted", "rejected"]


def _reply(edit: dict) -> str:
    return json.dumps({"hypothesis": "h", "rationale": "r", "edit": edit})


def test_run_times_are_compared_only_side_by_side(optimized: Path) -> None:
    """The kept candidate's runs were new and the parent's reused, so the parent's and the
    candidate's train runs are made again in one interleaved batch, and only that batch is timed."""
    [log] = (optimized / "runs" / "toy").glob("2*.jsonl")
    records = read_records(log)[0]
    with open_store(optimized / "runs") as store:
        accepted = next(d for d in store.decisions("toy") if d.outcome == "accepted")
    batches: dict[str, set[str]] = {}
    for record in records:
        batches.setdefault(record.batch, set()).add(record.prompt_hash)
    both = [b for b, hashes in batches.items() if {accepted.parent_hash, accepted.candidate_hash} <= hashes]
    assert len(both) == 1 and all(batches) and len(batches) == len(set(batches))
    side_by_side = [r for r in records if r.batch == both[0]]
    assert len(side_by_side) == 16 and len({(r.task_id, r.repeat) for r in side_by_side}) == 8
    time = next(c for c in accepted.criteria if c.name == "median run time")
    assert "over 8 pairs run side by side; 0 over the budget" in time.note, time.note


def test_llm_proposer_end_to_end_against_a_fake_server(loop_project: Path, fake_llm: FakeLLM,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_llm(loop_project, fake_llm.base_url, monkeypatch)
    good = {"op": "insert_after", "old": "Be careful.", "new": " GOOD", "kind": "add-constraint:good"}
    fake_llm.reply("Sure! Here is my idea: add GOOD.")                       # not JSON: retried
    fake_llm.reply("```json\n" + _reply(good) + "\n```")                     # valid after retry
    fake_llm.reply('{"hypothesis": "h"}')                                    # missing edit
    fake_llm.reply('{"hypothesis": "h", "edit": {"op": "explode"}}')         # still invalid: give up
    fake_llm.reply(_reply({"op": "delete", "old": "Be reckless."}))          # outside the prompt
    fake_llm.reply(_reply({"op": "insert_after", "old": "GOOD", "new": "!" * 500}))  # oversize
    fake_llm.reply(_reply({"op": "replace", "old": "e", "new": "E"}))       # matches many times
    fake_llm.reply(status=429, headers={"retry-after-ms": "10"})            # rate limited, retried
    fake_llm.reply(_reply({"op": "replace", "old": "careful", "new": "very careful"}))
    loaded = load_config(loop_project / "overseer.yaml")
    options = OptimizeOptions(iterations=6, patience=10)
    summary = optimize_target(loaded, "toy", options, Hooks(progress=run_progress))
    outcomes = [(d.outcome, d.reason) for d in summary.decisions]
    assert [o for o, _ in outcomes] == ["accepted", "failed", "invalid", "invalid", "invalid", "rejected"]
    assert "invalid twice" in outcomes[1][1] and "schema" in outcomes[1][1]
    assert "does not occur in the prompt" in outcomes[2][1]
    assert "limit is 400" in outcomes[3][1]
    assert f"occurs {GOOD.count('e')} times" in outcomes[4][1]
    assert len(fake_llm.requests) == 9  # 2 + 2 + 1 + 1 + 1 + 2 (one 429 retried by the SDK)
    retry = fake_llm.requests[1]["json"]["messages"][0]["content"]
    assert "Your previous reply was rejected: the reply holds no JSON object" in retry
    later = fake_llm.requests[5]["json"]["messages"][0]["content"]
    assert '"old":"Be reckless."' in later  # the model is shown what was already rejected
    assert "Be careful. GOOD" in later and "sk-fake" not in later
    assert (loop_project / "prompts" / "system.md").read_text() == GOOD
    for path in (loop_project / "runs").rglob("*"):
        if path.is_file():
            assert "sk-fake-key" not in path.read_text(errors="replace")


@pytest.fixture
def escalating(tmp_path: Path) -> Path:
    """The loop project with 2 train tasks and 1 holdout task, up to 8 rounds (repeats) per
    candidate, no time criterion: a clear win needs several rounds before the test can prove it."""
    project = make_loop_project(tmp_path / "loop", n_tasks=3,
                                accept="{screen_tasks: 4, max_repeats: 8, max_time_increase: null}")
    config = project / "overseer.yaml"  # the parent passes now and then (a quarter of the seeds), so
    config.write_text(config.read_text().replace(  # repeats differ: not a deterministic command
        "if grep -q GOOD {prompt_file};", "if grep -q GOOD {prompt_file} || [ $(( {seed} % 4 )) -eq 0 ];"))
    git(project, "commit", "-qam", "a toy whose parent sometimes passes")
    return project


def _optimize(project: Path, *args: str) -> dict[str, Any]:
    """``overseer optimize toy ARGS --json`` that succeeded: its summary."""
    result = overseer("optimize", "toy", *args, "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def _run_keys(loop_project: Path) -> list[tuple[str, str, int]]:
    return [(r.prompt_hash, r.task_id, r.repeat)
            for jsonl in sorted((loop_project / "runs" / "toy").glob("2*.jsonl")) for r in read_records(jsonl)[0]]


def test_a_clear_win_gets_rounds_until_the_test_can_prove_it(escalating: Path) -> None:
    loop_project = escalating
    summary = _optimize(loop_project, "--iterations", "2")
    assert [it["outcome"] for it in summary["iterations"]] == ["accepted", "rejected"]
    # The candidate always passes, the parent in a quarter of the seeds: 9 of the 16 pairs of 8
    # rounds are +1, and only the 8th look's p-value (0.0213) is <= 0.05: candidate train 8 x 2
    # runs, the parent's rounds 2-8 7 x 2, holdout at 8 repeats 8 + 7; baseline 3; the second
    # candidate (all pass, like its parent): gain 0 at its first look, futile (2 runs).
    assert summary["runs_used"] == 3 + 16 + 14 + 8 + 7 + 2
    with open_store(loop_project / "runs") as store:
        kept, rejected = store.decisions("toy")
    assert kept.repeats == 8 and rejected.repeats == 1
    p_value = next(c for c in kept.criteria if c.name == "p-value")
    assert p_value.value == 0.0213 and p_value.limit == 0.05
    assert "1/e-value after 8 rounds of 2 tasks" in p_value.note
    assert kept.interval is not None and 0 < kept.interval[0] < kept.gain == 0.5625 < kept.interval[1] <= 1
    assert (loop_project / "prompts" / "system.md").read_text() == GOOD
    keys = _run_keys(loop_project)
    assert len(keys) == len(set(keys)) == summary["runs_used"]  # nothing run twice


def test_killed_between_rounds_resumes_without_rerunning(escalating: Path) -> None:
    loop_project = escalating
    killed = overseer_process("optimize", "toy", "--iterations", "1", cwd=loop_project,
                              env={"OVERSEER_FAULT": "run:recorded#12"})  # inside the 3rd round
    assert killed.returncode == -signal.SIGKILL
    resumed = overseer("optimize", "toy", "--iterations", "1", "--resume", "--json", cwd=loop_project)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["iterations"][0]["outcome"] == "accepted"
    keys = _run_keys(loop_project)
    assert len(keys) == len(set(keys)) == 3 + 16 + 14 + 8 + 7


def test_a_round_that_could_overrun_max_runs_is_not_started(escalating: Path) -> None:
    loop_project = escalating
    summary = _optimize(loop_project, "--max-runs", "20", "--iterations", "1")
    # baseline 3, round 1 of the candidate 2, rounds 2-4 of both 3 x 4 = 17; round 5 could add 4
    # more: over 20
    assert summary["runs_used"] == 17
    (decision,) = summary["iterations"]
    # promising, but the budget ended its test: unfinished, not evidence against the edit
    assert decision["outcome"] == "unfinished"
    assert "the look at 5 repeats was not started: it could overrun the run budget (20)" in decision["reason"]
    assert (loop_project / "prompts" / "system.md").read_text() == START
    again = _optimize(loop_project, "--iterations", "1")
    assert [it["outcome"] for it in again["iterations"]] == ["accepted"]  # still eligible


def test_a_candidate_that_cannot_fit_the_run_budget_is_not_started(escalating: Path) -> None:
    loop_project = escalating
    summary = _optimize(loop_project, "--max-runs", "5", "--iterations", "3")
    # baseline 3; a first look could take 2 train + 1 holdout more: over 5, so it never starts
    assert summary["runs_used"] == 3
    assert [it["outcome"] for it in summary["iterations"]] == ["unfinished"]
    assert summary["iterations"][0]["reason"].startswith("not started: its first look could take 3 runs")
    assert summary["stop_reason"] == "run budget (5): the next candidate could not finish inside it"


def test_runs_are_reused_only_in_the_same_environment(loop_project: Path, tmp_path: Path) -> None:
    """A baseline from an earlier session is reused under the same environment fingerprint only:
    another simulator profile (or model variable, or overseer version) means measuring again."""
    assert overseer("optimize", "toy", "--iterations", "1", cwd=loop_project).returncode == 0
    same = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project)
    # the kept prompt was measured as the candidate: reused after the drift probe's 8 runs
    assert json.loads(same.stdout)["runs_used"] == 8
    assert "another environment" not in same.stderr
    profile = tmp_path / "other-profile.yaml"
    profile.write_text("a profile the toy command never reads, but the fingerprint does\n")
    moved = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project,
                     env={"OVERSEER_SIM_PROFILE": str(profile)})
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["runs_used"] == 10  # 8 train + 2 holdout, measured again
    # the candidate's 10 runs and 8 more timed side by side in the first session, the probe's 8
    assert "26 earlier runs of this prompt were made in another environment" in moved.stderr
    profile.write_text("the same path with other contents\n")
    edited = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project,
                      env={"OVERSEER_SIM_PROFILE": str(profile)})
    assert json.loads(edited.stdout)["runs_used"] == 10


DRIFTING = 'if grep -q GOOD {prompt_file} && [ -z \\"$TOY_DRIFT\\" ]; then echo ok; else echo bad; fi > {workdir}/answer.txt'


def test_a_drifted_baseline_is_measured_again_and_an_unchanged_one_is_reused(loop_project: Path) -> None:
    """TOY_DRIFT stands for a model update behind the same name: the fingerprint cannot see it,
    the drift probe (8 of the reused runs, run again) can."""
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().replace(
        'command: "if grep -q GOOD {prompt_file}; then echo ok; else echo bad; fi > {workdir}/answer.txt"',
        f'command: "{DRIFTING}"'))
    git(loop_project, "commit", "-qam", "a command whose model can drift")
    assert overseer("optimize", "toy", "--iterations", "1", cwd=loop_project).returncode == 0
    same = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project)
    assert same.returncode == 0, same.stderr
    assert json.loads(same.stdout)["runs_used"] == 8  # the probe: 8 train runs, then reused
    assert "drift:" not in same.stderr
    drifted = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project,
                       env={"TOY_DRIFT": "1"})
    assert drifted.returncode == 0, drifted.stderr
    assert "drift: 8 earlier runs run again: 8 now fail that passed" in drifted.stderr
    facts = json.loads(drifted.stdout)
    assert facts["runs_used"] >= 8 + 2  # the probe, then the holdout measured again
    states = [json.loads(p.read_text()) for p in (loop_project / "runs" / "toy").glob("*.state.json")]
    assert [s["drift"] for s in states if s["drift"]] and \
        next(s for s in states if s["session_id"] == facts["session"])["drift"].startswith("8 earlier runs")


REPORTING = 'if grep -q GOOD {prompt_file}; then echo ok; else echo bad; fi > {workdir}/answer.txt && {python} model.py {usage_file}'


def test_a_baseline_from_another_reported_model_is_not_reused(loop_project: Path) -> None:
    """The provider moved the name to another model: same outcomes, but the usage file says so."""
    (loop_project / "model.py").write_text(
        "import json, os, sys\n"
        "open(sys.argv[1], 'w').write(json.dumps({'model': os.environ.get('TOY_MODEL', 'm-0612')}))\n")
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().replace(
        'command: "if grep -q GOOD {prompt_file}; then echo ok; else echo bad; fi > {workdir}/answer.txt"',
        f"command: '{REPORTING}'"))
    git(loop_project, "add", "-A")
    git(loop_project, "commit", "-qm", "a command that reports its model")
    assert overseer("optimize", "toy", "--iterations", "1", cwd=loop_project).returncode == 0
    moved = overseer("optimize", "toy", "--iterations", "1", "--json", cwd=loop_project,
                     env={"TOY_MODEL": "m-0805"})
    assert moved.returncode == 0, moved.stderr
    assert "drift: the command reports model m-0805 now, m-0612 then; 8 earlier runs run again: " \
        "0 now fail that passed, 0 now pass that failed" in moved.stderr
    assert json.loads(moved.stdout)["runs_used"] >= 8 + 2  # the probe, then the holdout again


def test_an_edit_that_would_break_its_region_is_an_invalid_proposal(loop_project: Path) -> None:
    """A new text holding an `overseer:end` line would cut the region short when written back:
    recorded as an invalid proposal, and the session goes on (it used to exit 2)."""
    (loop_project / "prompts" / "system.md").write_text(f"# overseer:begin P\n{START}# overseer:end\n")
    config = loop_project / "overseer.yaml"
    config.write_text(config.read_text().replace("prompt: prompts/system.md",
                                                 "prompt: {file: prompts/system.md, region: P}"))
    breaking = {"hypothesis": "end the region early", "rationale": "a careless model",
                "edit": {"op": "insert_after", "old": "Be careful.", "new": "\n# overseer:end",
                         "kind": "add-constraint:careless"}}
    (loop_project / "propose.py").write_text(
        f"import sys, json\nsys.stdin.read()\nprint(json.dumps({breaking!r}))\n")
    git(loop_project, "commit", "-qam", "a region prompt and a careless proposer")
    result = overseer("optimize", "toy", "--iterations", "2", "--json", cwd=loop_project)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)["iterations"]
    assert outcomes[0]["outcome"] == "invalid"
    assert "cannot be written back" in outcomes[0]["reason"]
    assert (loop_project / "prompts" / "system.md").read_text() == f"# overseer:begin P\n{START}# overseer:end\n"


def test_an_unproven_candidate_is_continued_later_on_its_recorded_runs(escalating: Path) -> None:
    """Its test ran out of rounds while still promising: "unproven", not rejected. The next
    session proposes it again and its test goes on from round 5, reusing rounds 1-4: the same
    evidence, and the proof that needed 8 rounds comes without running any of them twice."""
    config = escalating / "overseer.yaml"
    config.write_text(config.read_text().replace("max_repeats: 8", "max_repeats: 4"))
    git(escalating, "commit", "-qam", "4 rounds per session")
    first = _optimize(escalating, "--iterations", "1")
    assert [it["outcome"] for it in first["iterations"]] == ["unproven"]
    assert (escalating / "prompts" / "system.md").read_text() != GOOD
    second = _optimize(escalating, "--iterations", "1")
    assert [it["outcome"] for it in second["iterations"]] == ["accepted"]
    with open_store(escalating / "runs") as store:
        unproven, kept = store.decisions("toy")
        versions = store.versions("toy")
    assert (unproven.repeats, kept.repeats) == (4, 8) and kept.candidate_hash == unproven.candidate_hash
    assert [v.status for v in versions].count("rejected") == 0
    candidate_train = [(task, repeat) for hash_, task, repeat in _run_keys(escalating)
                       if hash_ == kept.candidate_hash and task != "t02"]
    assert sorted(candidate_train) == sorted({(t, r) for t in ("t00", "t01") for r in range(8)})
    assert (escalating / "prompts" / "system.md").read_text() == GOOD


def test_an_edit_proven_better_but_not_past_min_gain_is_unproven_and_says_so(escalating: Path) -> None:
    config = escalating / "overseer.yaml"  # the edit gains about 0.56 here: above 0, short of 0.7
    config.write_text(config.read_text().replace("max_repeats: 8", "max_repeats: 8, min_gain: 0.7"))
    git(escalating, "commit", "-qam", "a min_gain no edit of this toy reaches")
    [iteration] = _optimize(escalating, "--iterations", "1")["iterations"]
    assert iteration["outcome"] == "unproven"
    assert "it is better than the parent (the gain lies in [+" in iteration["reason"]
    assert iteration["reason"].endswith("but not shown to clear min_gain (0.7, accept.min_gain)")


class _Dry:
    """A proposer with nothing new to propose."""

    name = "dry"

    def propose(self, context: object) -> None:
        return None


def test_when_the_proposer_has_nothing_new_the_unproven_candidate_is_continued(escalating: Path) -> None:
    config = escalating / "overseer.yaml"
    config.write_text(config.read_text().replace("max_repeats: 8", "max_repeats: 4"))
    git(escalating, "commit", "-qam", "4 rounds per session")
    assert [it["outcome"] for it in _optimize(escalating, "--iterations", "1")["iterations"]] == ["unproven"]
    loaded = load_config(escalating / "overseer.yaml")
    summary = optimize_target(loaded, "toy", OptimizeOptions(iterations=3),
                             Hooks(progress=run_progress), proposer=_Dry())
    assert [d.outcome for d in summary.decisions] == ["accepted", "no_proposal"]
    assert summary.decisions[0].rationale.startswith("continued: unproven after 4 rounds")
    assert summary.decisions[0].repeats == 8


class _Once:
    """Proposes one neutral edit (it changes nothing the toy command looks at)."""

    name = "once"

    def propose(self, context: object) -> Proposal:
        return Proposal(Edit(op="insert_after", old="Be careful.", new=" Stay calm.", kind="add-constraint:calm"),
                        "calm helps", "a guess")


def test_a_candidate_stopped_on_its_gain_so_far_is_continued_when_the_proposer_is_dry(escalating: Path) -> None:
    """Rejected at its first look because its gain so far was 0, with a confidence sequence that
    still reaches min_gain: when nothing new is proposed its test goes on from round 2, on the
    round it has, instead of the session ending with budget left."""
    loaded = load_config(escalating / "overseer.yaml")
    first = optimize_target(loaded, "toy", OptimizeOptions(iterations=1, race=1), Hooks(progress=run_progress),
                            proposer=_Once())
    [rejected] = first.decisions
    assert rejected.outcome == "rejected" and rejected.repeats == 1 and rejected.gain == 0.0
    assert rejected.interval is not None and rejected.interval[1] >= 0.03
    second = optimize_target(loaded, "toy", OptimizeOptions(iterations=1), Hooks(progress=run_progress),
                             proposer=_Dry())
    [continued] = second.decisions
    assert continued.rationale.startswith("continued: stopped on its gain so far after 1 rounds (gain +0.000)")
    assert continued.candidate_hash == rejected.candidate_hash and continued.repeats == 2
    candidate = [(t, r) for h, t, r in _run_keys(escalating) if h == rejected.candidate_hash]
    assert len(candidate) == len(set(candidate)) == 4  # round 1 read back, not run again
    assert sorted(r for _, r in candidate) == [0, 0, 1, 1]
