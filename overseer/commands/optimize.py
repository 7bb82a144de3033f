"""``overseer optimize``: run the loop on one target, or on every target in turn (``--all``)."""

from __future__ import annotations

from pathlib import Path

from overseer import report
from overseer.commands.plan import make_plan
from overseer.config import LoadedConfig, load_config
from overseer.decision import Decision
from overseer.errors import EXIT_OK, FatalError
from overseer.health import UnhealthyBaseline
from overseer.optimize import Hooks, OptimizeOptions, SessionSummary, optimize_target
from overseer.records import read_records
from overseer.report.summary import session_markdown
from overseer.suites.promptfoo import unused_note
from overseer.vcs import atomic_write


def _decided(decision: Decision) -> None:
    report.note(report.decision_line(decision))


def reporting_hooks() -> Hooks:
    """Hooks that show progress, phases and decisions on the terminal."""
    return Hooks(progress=report.run_progress, phase=report.note, decided=_decided)


def _bill(loaded: LoadedConfig, name: str, options: OptimizeOptions) -> str:
    """The session's bill in one line, from this target's recorded runs (see ``overseer plan``)."""
    try:
        plan = make_plan(loaded=loaded, target_name=name, iterations=options.iterations,
                         max_runs=options.max_runs, jobs=options.jobs, trials=40, race=options.race)
    except FatalError:
        return "the bill in advance: no recorded runs yet (known after this session, `overseer plan`)"
    return report.plan_line(plan)


def write_summary(path: Path, summaries: list[SessionSummary]) -> None:
    """The sessions as Markdown for a pull request's body (report/summary.py), atomically."""
    parts = [session_markdown(s.state.target, s.state.session_id, s.decisions, read_records(s.log_path)[0],
                              s.sealed) for s in summaries]
    atomic_write(path, "\n".join(parts).encode("utf-8"), fault_prefix="summary")


def main(*, config: Path | None, target: str | None, all_targets: bool, options: OptimizeOptions,
         json_output: bool, executor: str | None = None, executor_address: str | None = None,
         summary_md: Path | None = None) -> int:
    if summary_md is not None and summary_md.is_dir():
        raise FatalError(f"{summary_md}: --summary-md names a directory; give the Markdown file to write")
    loaded = load_config(config)
    if all_targets == (target is not None):
        raise FatalError("give a target name or --all (not both)")
    names = sorted(loaded.config.targets) if all_targets else [target or ""]
    hooks = reporting_hooks()
    summaries, code = [], EXIT_OK
    for name in names:
        loaded = loaded.with_executor(name, executor, executor_address)
        hooks.phase(f"target {name}")
        spec = loaded.target(name)
        if note := unused_note(loaded.root / spec.tasks, spec.command):
            report.warn(note)
        hooks.phase(_bill(loaded, name, options))
        try:
            summaries.append(optimize_target(loaded, name, options, hooks))
        except UnhealthyBaseline as exc:
            if not all_targets:
                raise
            report.error(str(exc))  # the nightly job goes on with the other targets
            code = exc.exit_code
    if summary_md is not None:
        write_summary(summary_md, summaries)
    if json_output:
        facts = [report.session_json(s) for s in summaries]
        report.print_json(facts if all_targets else facts[0])
        return code
    for summary in summaries:
        report.show_session(summary)
    return code
