"""How a candidate is compared with its parent, in a whole session on the simulator: measured
(its own seeds against the parent's accumulated runs), and auto (paired once the screens' runs
show that the seed couples the two prompts' runs, measured until then)."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pytest

from overseer.commands.demo import build_demo_repo
from overseer.config import load_config
from overseer.decision import Decision
from overseer.evidence import measured
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.records import RunRecord, read_records
from overseer.sim.fast import fast_evaluator
from overseer.sim.profile import DEFAULT_PROFILE


def _session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sampling: str, design: str,
             iterations: int) -> tuple[list[Decision], list[RunRecord], list[str]]:
    profile = tmp_path / "profile.yaml"
    profile.write_text(DEFAULT_PROFILE.read_text().replace("sampling: seeded", f"sampling: {sampling}"))
    monkeypatch.setenv("OVERSEER_SIM_PROFILE", str(profile))
    root = tmp_path / "demo"
    build_demo_repo(root)
    config = root / "overseer.yaml"
    config.write_text(config.read_text().replace(
        "    objective: pass_rate", f"    accept: {{design: {design}}}\n    objective: pass_rate"))
    loaded = load_config(config)
    target = loaded.config.targets["codewriter"]
    decisions: list[Decision] = []
    phases: list[str] = []
    hooks = Hooks(progress=lambda label, total: nullcontext(lambda record: None),
                  decided=decisions.append, phase=phases.append)
    optimize_target(loaded, "codewriter", OptimizeOptions(iterations=iterations, race=1, commit=False), hooks,
                    evaluator=fast_evaluator("codewriter", target.command, target.seed))
    records = [r for jsonl in sorted((root / "runs" / "codewriter").glob("2*.jsonl"))
               for r in read_records(jsonl)[0]]
    return decisions, records, phases


def test_a_measured_session_runs_candidates_at_their_own_seeds(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    decisions, records, phases = _session(tmp_path, monkeypatch, "fresh", "measured", 3)
    tested = [d for d in decisions if d.repeats]
    assert tested and any(d.outcome == "accepted" for d in tested), [(d.outcome, d.reason) for d in decisions]
    for decision in tested:
        own = [r for r in records if r.prompt_hash == decision.candidate_hash and r.repeat >= measured.OWN_SEEDS]
        assert {r.repeat for r in own} >= set(measured.own_repeats(decision.repeats or 0))
        p_value = next(c for c in decision.criteria if c.name == "p-value")
        assert "well-measured parent" in p_value.note
        parent = [r for r in records if r.prompt_hash == decision.parent_hash and r.repeat < measured.OWN_SEEDS]
        # the parent was measured over more rounds than the candidate
        assert max(r.repeat for r in parent) + 1 > (decision.repeats or 0)
    kept = next(d for d in tested if d.outcome == "accepted")
    assert kept.interval is not None and kept.interval[0] > 0
    assert any("comparing measured (accept.design is measured)" in p for p in phases)
    # after a kept edit the new parent was measured at the parent's seeds before it was screened
    later = [d for d in decisions if d.parent_hash == kept.candidate_hash]
    assert later, [(d.outcome, d.parent_hash) for d in decisions]
    start = decisions[0].parent_hash
    baseline = {(r.task_id, r.repeat) for r in records if r.prompt_hash == start and r.repeat < 2}
    remeasured = {(r.task_id, r.repeat) for r in records if r.prompt_hash == kept.candidate_hash and r.repeat < 2}
    assert baseline and remeasured >= baseline   # its whole first look, not only a timing top-up


@pytest.mark.parametrize("sampling, expected", [("seeded", "paired"), ("fresh", "measured")])
def test_auto_pairs_only_once_the_screens_show_coupling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        sampling: str, expected: str) -> None:
    _, _, phases = _session(tmp_path, monkeypatch, sampling, "auto", 4)
    chosen = [p for p in phases if ": comparing " in p]
    assert chosen[0].endswith("comparing measured (the coupling is not measured yet: too few screened runs)")
    assert f"comparing {expected} (runs at the same seed agree" in chosen[-1], chosen
