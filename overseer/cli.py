"""The command line. Thin: parse, call a command module with keywords, render, return a code."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Annotated, Optional

import typer

from overseer import __version__, report
from overseer.commands import demo as demo_cmd
from overseer.commands import init as init_cmd
from overseer.commands import insights as insights_cmd
from overseer.commands import run as run_cmd
from overseer.commands import evidence as evidence_cmd
from overseer.commands import optimize as optimize_cmd
from overseer.commands import sim as sim_cmd
from overseer.commands import versions as versions_cmd
from overseer.config import load_config
from overseer.errors import EXIT_FAIL_UNDER, EXIT_INTERRUPTED, FatalError
from overseer.optimize import Hooks, OptimizeOptions

app = typer.Typer(
    name="overseer", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Improve the prompts inside LLM-backed commands, one proven edit at a time.",
)
sim_app = typer.Typer(no_args_is_help=True, help="The simulated code writer (offline model).")
app.add_typer(sim_app, name="sim")

ConfigOption = Annotated[Optional[Path], typer.Option("--config", "-c", help="Path to overseer.yaml (default: found by walking up from the current directory).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the facts as one JSON object.")]
JobsOption = Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, max=64, help="Runs at once (default: the target's jobs).")]


def _version(value: bool) -> None:
    if value:
        report.out.print(f"overseer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False) -> None:
    pass


def _execute(plan: run_cmd.RunPlan, label: str) -> run_cmd.RunOutcome:
    try:
        with report.run_progress(label, plan.total_runs) as on_run:
            outcome = run_cmd.execute_run(plan, on_run)
    except KeyboardInterrupt:
        report.error("interrupted: running commands were stopped; finished runs are recorded")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    for warning in outcome.warnings:
        report.warn(warning)
    return outcome


@app.command()
def run(
    target: Annotated[str, typer.Argument(help="The target's name in overseer.yaml.")],
    tasks: Annotated[str, typer.Option("--tasks", help="train, holdout, all, or a task set folder.")] = "all",
    repeats: Annotated[Optional[int], typer.Option("--repeats", min=1, max=100, help="Runs of each task (default: the target's repeats).")] = None,
    jobs: JobsOption = None,
    fail_under: Annotated[Optional[float], typer.Option("--fail-under", min=0.0, max=1.0, help=f"Exit {EXIT_FAIL_UNDER} when the pass rate is below this (a CI gate).")] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Evaluate a target's current prompt on its tasks and record every run."""
    loaded = load_config(config)
    plan = run_cmd.plan_run(loaded=loaded, target_name=target, which=tasks, repeats=repeats, jobs=jobs)
    outcome = _execute(plan, target)
    summary = outcome.evaluation.summary
    if json_output:
        report.print_json(run_cmd.outcome_json(plan, outcome))
    else:
        report.show_evaluation(f"{target}: {plan.task_set.name} ({len(plan.task_set)} tasks × {plan.repeats})",
                               summary, outcome.evaluation.log_path, outcome.by_split)
    if fail_under is not None and summary.pass_rate < fail_under:
        report.note(f"pass rate {summary.pass_rate:.3f} is below --fail-under {fail_under}")
        raise typer.Exit(EXIT_FAIL_UNDER)


def _hooks() -> Hooks:
    def decided(decision: object) -> None:
        report.note(report.decision_line(decision))

    return Hooks(progress=report.run_progress, phase=report.note, decided=decided)


@app.command()
def optimize(
    target: Annotated[Optional[str], typer.Argument(help="The target's name (or --all).")] = None,
    all_targets: Annotated[bool, typer.Option("--all", help="Optimize every target in turn (the nightly job).")] = False,
    iterations: Annotated[int, typer.Option("--iterations", min=1, help="Most edits to try.")] = 10,
    max_runs: Annotated[Optional[int], typer.Option("--max-runs", min=1, help="Stop after this many runs of the command.")] = None,
    max_cost: Annotated[Optional[float], typer.Option("--max-cost", min=0, help="Stop after this much USD (from usage files).")] = None,
    max_time: Annotated[Optional[float], typer.Option("--max-time", min=1, help="Stop after this many seconds.")] = None,
    patience: Annotated[int, typer.Option("--patience", min=1, help="Stop after this many rejections in a row.")] = 5,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Write kept edits but do not commit them.")] = False,
    branch: Annotated[Optional[str], typer.Option("--branch", help="Commit on this branch (created if new), e.g. for a pull request.")] = None,
    allow_dirty: Annotated[bool, typer.Option("--allow-dirty", help="Start even if the prompt file has uncommitted changes.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the interrupted session, without re-running its baseline.")] = False,
    no_prior: Annotated[bool, typer.Option("--no-prior", help="Ignore what earlier edits taught (edit-kind effects).")] = False,
    repeats: Annotated[Optional[int], typer.Option("--repeats", min=1, max=100, help="Runs of each task at the first look (default: the target's repeats).")] = None,
    max_repeats: Annotated[Optional[int], typer.Option("--max-repeats", min=1, max=100, help="Repeats a promising candidate may escalate to (default: accept.max_repeats; = --repeats: never escalate).")] = None,
    jobs: JobsOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Improve a target's prompt by small edits, keeping (and committing) only proven ones."""
    loaded = load_config(config)
    if all_targets == (target is not None):
        raise FatalError("give a target name or --all (not both)")
    names = sorted(loaded.config.targets) if all_targets else [target or ""]
    options = OptimizeOptions(iterations=iterations, max_runs=max_runs, max_cost=max_cost,
                              max_time_s=max_time, patience=patience, commit=not no_commit,
                              branch=branch, allow_dirty=allow_dirty, resume=resume,
                              jobs=jobs, repeats=repeats, max_repeats=max_repeats,
                              use_prior=not no_prior)
    try:
        summaries = optimize_cmd.optimize_targets(loaded=loaded, targets=names, options=options,
                                                  hooks=_hooks())
    except KeyboardInterrupt:
        report.error("interrupted: the prompt file holds the last kept version; "
                     "continue with `overseer optimize --resume`")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    facts = [s.to_dict() for s in summaries]
    if json_output:
        report.print_json(facts if all_targets else facts[0])
        return
    for summary in facts:
        report.show_session(summary)


@app.command()
def history(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List every recorded version of a target's prompt."""
    versions = versions_cmd.history(loaded=load_config(config), target_name=target)
    if json_output:
        report.print_json([v.model_dump(exclude={"text"}) for v in versions])
    else:
        report.show_history(versions)


@app.command()
def show(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    version: Annotated[str, typer.Argument(help="A version hash (a prefix is enough).")],
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Print one prompt version with its diff and the decision about it."""
    shown = versions_cmd.show(loaded=load_config(config), target_name=target, version=version)
    if json_output:
        report.print_json({"version": shown.version.model_dump(), "diff": shown.diff,
                           "decision": shown.decision.model_dump() if shown.decision else None})
    else:
        report.show_version(shown)


@app.command()
def rollback(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    to: Annotated[Optional[str], typer.Option("--to", help="The version to restore (default: the parent of the current one).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why; recorded in the registry and the commit.")] = "manual rollback",
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Restore the file but do not commit.")] = False,
    config: ConfigOption = None,
) -> None:
    """Restore an earlier kept version of a prompt (atomic write + commit) and record why."""
    version = versions_cmd.rollback(loaded=load_config(config), target_name=target, to=to,
                                    reason=reason, commit=not no_commit)
    report.out.print(f"{target}: prompt restored to {version.hash} (from {version.parent})"
                     + (f", commit {version.commit[:10]}" if version.commit else ""))


@app.command("index")
def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Throw the index away and rebuild it from the JSONL.")] = False,
    config: ConfigOption = None,
) -> None:
    """Update the SQLite evidence index (runs/overseer.db) from the JSONL records."""
    stats = evidence_cmd.index(loaded=load_config(config), from_scratch=rebuild)
    for warning in stats.warnings:
        report.warn(warning)
    report.out.print(f"indexed {stats.added} new lines from {stats.files} files")


@app.command()
def verify(config: ConfigOption = None) -> None:
    """Check that the index and the JSONL records agree; list every difference."""
    differences = evidence_cmd.verify(loaded=load_config(config))
    for difference in differences:
        report.out.print(str(difference), markup=False)
    if differences:
        report.out.print(f"{len(differences)} differences; `overseer index --rebuild` makes the index match the JSONL")
        raise typer.Exit(1)
    report.out.print("index and JSONL agree")


@app.command()
def stats(
    target: Annotated[Optional[str], typer.Argument(help="One target (default: all).")] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Runs, pass rates, what was kept of the outputs and the storage saved by sampling."""
    rows, db_size = evidence_cmd.stats(loaded=load_config(config), target=target)
    if json_output:
        report.print_json({"targets": [r.to_dict() for r in rows], "index_bytes": db_size})
    else:
        report.show_stats(rows, db_size)


@app.command("insights")
def insights_command(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    window: Annotated[int, typer.Option("--window", min=1, help="Recent attempts in the rolling window.")] = 20,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """What the evidence says: helpful and harmful edit kinds, fragile tasks, trends."""
    found = insights_cmd.target_insights(loaded=load_config(config), target_name=target, window=window)
    if json_output:
        report.print_json(found.to_dict())
    else:
        report.show_insights(found)


@app.command("report")
def report_command(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path("report.html"),
    config: ConfigOption = None,
) -> None:
    """Write one self-contained HTML report: trends, heat map, decisions with diffs, effects."""
    path = insights_cmd.write_report(loaded=load_config(config), target_name=target, output=output.resolve())
    report.out.print(f"wrote {path}")


@app.command("export-traces")
def export_traces(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The JSONL file to write.")],
    trace_format: Annotated[str, typer.Option("--format", help="Only openai-chat for now.")] = "openai-chat",
    version: Annotated[Optional[str], typer.Option("--version", help="Only runs of this prompt version (hash prefix).")] = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0)] = 1.0,
    config: ConfigOption = None,
) -> None:
    """Export passing runs (prompt, task input, output) as chat fine-tuning JSONL."""
    if trace_format != "openai-chat":
        raise FatalError(f"--format {trace_format!r}: only openai-chat is supported")
    count = insights_cmd.export_traces(loaded=load_config(config), target_name=target, output=output.resolve(),
                                       version=version, min_score=min_score)
    report.out.print(f"wrote {count} traces to {output}")


@app.command()
def demo(
    directory: Annotated[Optional[Path], typer.Option("--dir", help="An empty or new directory for the demo repo (default: a temp dir).")] = None,
    iterations: Annotated[int, typer.Option("--iterations", min=1, help="Edits to try.")] = demo_cmd.DEMO_ITERATIONS,
    max_repeats: Annotated[int, typer.Option("--max-repeats", min=1, max=100, help="Repeats a promising candidate may escalate to (optimize's default: 16).")] = demo_cmd.DEMO_MAX_REPEATS,
    jobs: JobsOption = None,
    json_output: JsonOption = False,
) -> None:
    """Build a demo git repo with the example command and tasks, and optimize its prompt offline."""
    loaded = demo_cmd.prepare_demo(directory=directory)
    report.note(f"demo repo: {loaded.root}")
    try:
        facts = demo_cmd.run_demo(loaded=loaded, jobs=jobs, iterations=iterations, hooks=_hooks(),
                                  max_repeats=max_repeats)
    except KeyboardInterrupt:
        report.error(f"interrupted; the demo repo is in {loaded.root}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if json_output:
        report.print_json(facts)
        return
    report.show_demo(facts)


@app.command()
def init(
    directory: Annotated[Path, typer.Option("--dir", help="Where to write overseer.yaml.")] = Path("."),
) -> None:
    """Write a commented overseer.yaml with one example target (and its command and tasks)."""
    for path in init_cmd.scaffold(directory.resolve()):
        report.out.print(f"wrote {path}")


@sim_app.command("truth")
def sim_truth(
    target: Annotated[str, typer.Option("--target", "-t", help="The target whose current prompt is scored.")],
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """The simulator's exact expected pass rate of a target's current prompt."""
    truth = sim_cmd.target_truth(loaded=load_config(config), target_name=target)
    if json_output:
        report.print_json({"target": target, "pass_rate": truth.pass_rates, "modes": truth.mode_means})
    else:
        report.show_truth(truth.pass_rates, truth.mode_means)


@sim_app.command("check-tasks")
def sim_check_tasks(
    target: Annotated[str, typer.Option("--target", "-t", help="The target whose tasks are checked.")],
    jobs: JobsOption = None,
    config: ConfigOption = None,
) -> None:
    """Check that each task's reference passes and every failure mode the sim offers breaks it."""
    results = sim_cmd.check_target_tasks(loaded=load_config(config), target_name=target, jobs=jobs or 4)
    bad = [r for r in results if not r.ok]
    for r in bad:
        reasons = ([] if r.reference_passes else ["reference fails its tests"]) + \
            [f"{m} does not break it" for m in r.unbroken] + r.problems
        report.out.print(f"{r.task_id}: {'; '.join(reasons)}")
    report.out.print(f"{len(results) - len(bad)} of {len(results)} tasks suit the simulator")
    if bad:
        raise typer.Exit(1)


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        app(args=argv, prog_name="overseer")
    except FatalError as exc:
        report.error(str(exc))
        sys.exit(exc.exit_code)
    except OSError as exc:  # a full disk, a permission problem: say what and where, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        report.error(f"{where}{exc.strerror or exc}")
        sys.exit(1)
