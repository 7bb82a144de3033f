"""The session as Markdown for a pull request: each kept edit with its hypothesis, diff and
interval, what was not kept, the bill; the same text from `optimize --summary-md` and from
`report --format md` later."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

from markdown_it import MarkdownIt

from overseer.commands.demo import DEMO_ITERATIONS, DEMO_MAX_REPEATS, DEMO_RACE, build_demo_repo
from overseer.commands.init import EXAMPLE_TARGET
from overseer.commands.optimize import write_summary
from overseer.config import load_config
from overseer.optimize import Hooks, OptimizeOptions, optimize_target
from overseer.sim.fast import fast_evaluator
from tests.helpers import overseer


def test_the_demo_sessions_summary_names_each_kept_edit_with_its_interval(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_demo_repo(root)
    config = root / "overseer.yaml"
    config.write_text(config.read_text().replace("    holdout: 0.25", "    holdout: 0.25\n    test: 0.2"))
    loaded = load_config(config)
    target = loaded.target(EXAMPLE_TARGET)
    options = OptimizeOptions(iterations=DEMO_ITERATIONS, max_repeats=DEMO_MAX_REPEATS, race=DEMO_RACE)
    summary = optimize_target(loaded, EXAMPLE_TARGET, options,
                              Hooks(progress=lambda label, total: nullcontext(lambda record: None)),
                              evaluator=fast_evaluator(EXAMPLE_TARGET, target.command, target.seed))
    kept = [d for d in summary.decisions if d.outcome == "accepted"]
    assert kept
    path = tmp_path / "pr.md"
    write_summary(path, [summary])
    text = path.read_text()
    tokens = MarkdownIt("commonmark").enable("table").parse(text)   # GitHub renders tables
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == f"overseer: {EXAMPLE_TARGET}, session {summary.state.session_id}"
    for number, decision in enumerate(kept, start=1):
        assert decision.interval is not None
        assert f"{number}. {decision.hypothesis}" in headings
        assert f"confidence sequence [{decision.interval[0]:+.3f}, {decision.interval[1]:+.3f}]" in text
    fences = [t for t in tokens if t.type == "fence" and t.info == "diff"]
    assert [f.content.rstrip("\n") for f in fences] == [d.diff.rstrip("\n") for d in kept]
    not_kept = len(summary.decisions) - len(kept)
    if not_kept:
        assert "Tried and not kept" in headings
        rows = [t for t in tokens if t.type == "tr_open"]
        assert len(rows) == 1 + not_kept   # the header and one row per edit not kept
    assert f"{summary.state.runs_used} runs" in text
    sealed = summary.sealed
    assert sealed is not None
    assert (f"On the sealed test set, which no decision and no proposer saw ({sealed.tasks} tasks x "
            f"{sealed.repeats}" in " ".join(text.split()))
    assert f"gain {sealed.gain:+.3f} in [{sealed.low:+.3f}, {sealed.high:+.3f}]" in text
    again = overseer("report", EXAMPLE_TARGET, "--session", summary.state.session_id, "--format", "md",
                     "-o", str(tmp_path / "again.md"), cwd=root)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.md").read_text() == text


def test_report_md_needs_a_session_that_exists(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_demo_repo(root)
    missing = overseer("report", EXAMPLE_TARGET, "--format", "md", cwd=root)
    assert missing.returncode == 2 and "--session ID" in missing.stderr
    unknown = overseer("report", EXAMPLE_TARGET, "--format", "md", "--session", "nope", cwd=root)
    assert unknown.returncode == 2 and "no session 'nope'" in unknown.stderr
