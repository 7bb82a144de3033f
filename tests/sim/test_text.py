"""The simulated text writer: a promptfoo case's expected answer with the failures models show,
and an exact expected pass rate that the runs themselves bear out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest

from overseer.commands.demo import DEMO_ITERATIONS, DEMO_MAX_REPEATS, DEMO_RACE, build_demo_repo
from overseer.commands.sim import target_truth
from overseer.config import load_config
from overseer.errors import FatalError
from overseer.evaluate import runs_dir
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.resources import bundled
from overseer.sim import complete, mode_probabilities
from overseer.sim.fast import fast_evaluator
from overseer.sim.text import (
    RAMBLE,
    REFUSAL,
    applicable_text_modes,
    case_passes,
    load_reference,
    sim_grade,
    text_pass_probability,
    write_text,
)
from overseer.sim.writer import pass_probability
from overseer.store import open_store
from overseer.tasks import Task, load_task_set

TRIAGE_SUITE = bundled("examples") / "triage" / "evals" / "promptfooconfig.yaml"
PROMPT = (bundled("examples") / "triage" / "prompt.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cases() -> list[Task]:
    return list(load_task_set(TRIAGE_SUITE).tasks)


def test_each_mode_changes_the_reference_as_a_model_would(cases: list[Task]) -> None:
    reference = load_reference(cases[0].directory)
    answer = reference.answer
    assert json.loads(write_text(reference, ())) == answer
    assert applicable_text_modes(reference) == {"chatter", "refusal", "wrong_label", "label_case", "too_long",
                                                "fence", "missing_field"}
    assert write_text(reference, {"refusal", "fence"}) == REFUSAL
    assert write_text(reference, {"fence"}).startswith("```json\n")
    assert json.loads(write_text(reference, {"label_case"}))["category"] == answer["category"].title()
    assert json.loads(write_text(reference, {"wrong_label"}))["category"] == "other"
    assert set(json.loads(write_text(reference, {"missing_field"}))) == set(answer) - {"priority"}
    assert json.loads(write_text(reference, {"too_long"}))["summary"] == answer["summary"] + RAMBLE
    chatty = write_text(reference, {"chatter"}).splitlines()
    assert len(chatty) == 3 and json.loads(chatty[1]) == answer


def test_a_label_answer_gets_the_modes_that_apply_to_it(tmp_path: Path) -> None:
    suite = tmp_path / "labels.yaml"
    suite.write_text("- vars: {review: great}\n  assert: [{type: equals, value: positive}]\n"
                     "- vars: {review: meh}\n  assert: [{type: contains, value: x}]\n")
    labelled, unanswered = load_task_set(suite).tasks
    reference = load_reference(labelled.directory)
    assert reference.answer == "positive"
    assert applicable_text_modes(reference) == {"chatter", "refusal", "wrong_label", "label_case"}
    assert write_text(reference, {"label_case", "chatter"}) == "Here is my answer:\nPositive\n" \
        "I chose this based on the wording of the request."
    assert not case_passes(reference, {"label_case"}) and case_passes(reference, ())
    with pytest.raises(FatalError, match=r"case\.json: the simulator needs the case's expected answer"):
        mode_probabilities("Answer.", unanswered)


def test_the_exact_pass_rate_is_what_the_runs_give(cases: list[Task]) -> None:
    """The sum over subsets of modes equals the pass frequency of simulated replies judged by the
    cases' own assertions (3,000 draws per case, within 4 standard errors)."""
    for task in cases[:4]:
        expected = pass_probability(PROMPT, task)
        reference = load_reference(task.directory)
        draws = 3000
        passed = sum(case_passes(reference, complete(PROMPT, task.directory, repeat=r, seed=7).modes)
                     for r in range(draws))
        error = (expected * (1 - expected) / draws) ** 0.5
        assert abs(passed / draws - expected) < 4 * error, (task.id, passed / draws, expected)
    certain = text_pass_probability(load_reference(cases[0].directory), {m: 0.0 for m in ("chatter", "fence")})
    assert certain == 1.0


def test_the_check_judges_a_reply_as_the_simulator_does(cases: list[Task], tmp_path: Path) -> None:
    """The real check, run as a run's check is (a subprocess, the simulated judge named by the
    target), agrees with the in-process judgement the exact pass rate rests on."""
    environment = {**os.environ, "OVERSEER_JUDGE_MODEL": "sim"}
    rubric = next(t for t in cases if "llm-rubric" in (t.directory / "case.json").read_text())
    for modes in ((), ("too_long",), ("fence",), ("label_case", "chatter"), ("wrong_label",)):
        reference = load_reference(rubric.directory)
        output = tmp_path / "out.txt"
        output.write_text(write_text(reference, modes) + "\n")
        result = subprocess.run([sys.executable, "-m", "overseer.suites.check", str(rubric.directory / "case.json"),
                                 str(output), str(tmp_path / "junit.xml")], env=environment, check=False)
        assert result.returncode == (0 if case_passes(reference, modes) else 1), modes
    assert not case_passes(reference, ("too_long",)) and case_passes(reference, ("wrong_label",)) is False


def test_the_simulated_judge_grades_against_the_reference() -> None:
    case = {"metadata": {"reference": {"category": "bug", "summary": "Uploads over two gigabytes fail."}}}
    good = json.dumps(case["metadata"]["reference"])
    assert sim_grade("llm-rubric", good, {"value": "one sentence"}, case).passed
    assert not sim_grade("llm-rubric", REFUSAL, {"value": "one sentence"}, case).passed
    long = json.dumps({"category": "bug", "summary": "Uploads over two gigabytes fail." + RAMBLE})
    assert sim_grade("llm-rubric", long, {"value": "one sentence"}, case).error_class == "TooLongError"
    assert sim_grade("llm-rubric", "anything", {"value": "x"}, {"metadata": {"reference": "bug"}}).passed   # nothing to grade


def test_the_triage_example_keeps_proven_edits_and_its_truth_rises(tmp_path: Path) -> None:
    """`overseer demo --example triage`'s session, with the runs simulated in-process: its
    planted flaws are found from the failures' classes, at least two edits are proven, and the
    simulator's truth rises on the holdout no decision saw."""
    root = tmp_path / "demo"
    build_demo_repo(root, "triage")
    loaded = load_config(root / "overseer.yaml")
    target = loaded.target("triage")
    options = OptimizeOptions(iterations=DEMO_ITERATIONS, max_repeats=DEMO_MAX_REPEATS, race=DEMO_RACE)
    summary = optimize_target(loaded, "triage", options,
                              Hooks(progress=lambda label, total: nullcontext(lambda record: None)),
                              evaluator=fast_evaluator("triage", target.command, target.seed))
    kept = [d for d in summary.decisions if d.outcome == "accepted"]
    assert len(kept) >= 2
    assert all(d.edit is not None and d.edit.kind.startswith("delete-line:") for d in kept)
    with open_store(runs_dir(loaded)) as store:
        texts = {v.hash: v.text for v in store.versions("triage") if v.text}
    start = target_truth(loaded=loaded, target_name="triage", prompt=texts[summary.state.start_hash])
    final = target_truth(loaded=loaded, target_name="triage", prompt=texts[summary.state.current_hash])
    assert final.pass_rates["holdout"] > start.pass_rates["holdout"] + 0.1
