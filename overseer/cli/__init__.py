"""The command line. Thin: parse, call one command function with keywords, exit with its code.

``main`` is the one place where failures become exit codes and one-line messages."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from types import FrameType
from typing import Annotated, cast

import typer

from overseer import __version__, report
from overseer.cli.model import fetch_model, serve_model
from overseer.cli.options import (
    ConfigOption,
    ExecutorAddressOption,
    ExecutorOption,
    JobsOption,
    JsonOption,
    exit_with,
)
from overseer.cli.sim import sim_app
from overseer.commands import demo as demo_cmd
from overseer.commands import evidence as evidence_cmd
from overseer.commands import experiment as experiment_cmd
from overseer.commands import init as init_cmd
from overseer.commands import insights as insights_cmd
from overseer.commands import optimize as optimize_cmd
from overseer.commands import plan as plan_cmd
from overseer.commands import plugins as plugins_cmd
from overseer.commands import run as run_cmd
from overseer.commands import versions as versions_cmd
from overseer.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAIL_UNDER,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    FatalError,
)
from overseer.experiment.verdict import Cheaper
from overseer.optimize import OptimizeOptions

app = typer.Typer(
    name="overseer", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Improve the prompts inside LLM-backed commands, one proven edit at a time.",
)
app.add_typer(sim_app, name="sim")

INTERRUPTED = ("interrupted: running commands were stopped and finished runs are recorded; "
               "the prompt file holds the last kept version (`overseer optimize TARGET --resume` "
               "continues an interrupted session)")


def _version(value: bool) -> None:
    if value:
        report.line(f"overseer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", metavar="", callback=_version, is_eager=True, help="Show the version and exit.")] = False) -> None:
    pass


@app.command()
def run(
    target: Annotated[str, typer.Argument(help="The target's name in overseer.yaml.")],
    tasks: Annotated[str, typer.Option("--tasks", help="train, holdout, all, or a task set folder.")] = "all",
    repeats: Annotated[int | None, typer.Option("--repeats", min=1, max=100, help="Runs of each task (default: the target's repeats).")] = None,
    jobs: JobsOption = None,
    fail_under: Annotated[float | None, typer.Option("--fail-under", min=0.0, max=1.0, help=f"Exit {EXIT_FAIL_UNDER} when the pass rate is below this (a CI gate).")] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write the runs as JUnit XML here: one test case per (task, repeat).")] = None,
    executor: ExecutorOption = None,
    executor_address: ExecutorAddressOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Evaluate a target's current prompt on its tasks and record every run."""
    exit_with(run_cmd.main(config=config, target=target, tasks=tasks, repeats=repeats, jobs=jobs,
                       fail_under=fail_under, json_output=json_output, executor=executor,
                       executor_address=executor_address, junit=junit))


@app.command()
def optimize(
    target: Annotated[str | None, typer.Argument(help="The target's name (or --all).")] = None,
    all_targets: Annotated[bool, typer.Option("--all", metavar="", help="Optimize every target in turn (the nightly job).")] = False,
    iterations: Annotated[int, typer.Option("--iterations", min=1, help="Most edits to try.")] = 10,
    max_runs: Annotated[int | None, typer.Option("--max-runs", min=1, help="Stop after this many runs of the command.")] = None,
    max_cost: Annotated[float | None, typer.Option("--max-cost", min=0, help="Stop after this much USD (from usage files).")] = None,
    max_time: Annotated[float | None, typer.Option("--max-time", min=1, help="Stop after this many seconds.")] = None,
    patience: Annotated[int, typer.Option("--patience", min=1, help="Stop after this many rejections in a row.")] = 5,
    no_commit: Annotated[bool, typer.Option("--no-commit", metavar="", help="Write kept edits but do not commit them.")] = False,
    branch: Annotated[str | None, typer.Option("--branch", help="Commit on this branch (created if new), e.g. for a pull request.")] = None,
    allow_dirty: Annotated[bool, typer.Option("--allow-dirty", metavar="", help="Start even if the prompt file has uncommitted changes.")] = False,
    resume: Annotated[bool, typer.Option("--resume", metavar="", help="Continue the interrupted session, without re-running its baseline.")] = False,
    no_prior: Annotated[bool, typer.Option("--no-prior", metavar="", help="Ignore what earlier edits taught (edit-kind effects).")] = False,
    repeats: Annotated[int | None, typer.Option("--repeats", min=1, max=100, help="Runs of each task at the first look (default: the target's repeats).")] = None,
    max_repeats: Annotated[int | None, typer.Option("--max-repeats", min=1, max=100, help="Most repeats (rounds) a candidate's test may use (default: accept.max_repeats; = --repeats: one look only).")] = None,
    race: Annotated[int | None, typer.Option("--race", min=1, max=10, help="Candidates evaluated side by side against the current prompt; the first proven is kept (default: the target's race, 3).")] = None,
    summary_md: Annotated[Path | None, typer.Option("--summary-md", help="Also write the session as Markdown for a pull request's body.")] = None,
    jobs: JobsOption = None,
    executor: ExecutorOption = None,
    executor_address: ExecutorAddressOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Improve a target's prompt by small edits, keeping (and committing) only proven ones."""
    options = OptimizeOptions(iterations=iterations, max_runs=max_runs, max_cost=max_cost,
                              max_time_s=max_time, patience=patience, commit=not no_commit,
                              branch=branch, allow_dirty=allow_dirty, resume=resume,
                              jobs=jobs, repeats=repeats, max_repeats=max_repeats,
                              use_prior=not no_prior, race=race)
    exit_with(optimize_cmd.main(config=config, target=target, all_targets=all_targets, options=options,
                            json_output=json_output, executor=executor, executor_address=executor_address,
                            summary_md=summary_md))


@app.command()
def history(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List every recorded version of a target's prompt."""
    exit_with(versions_cmd.history_main(config=config, target=target, json_output=json_output))


@app.command()
def show(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    version: Annotated[str, typer.Argument(help="A version hash (a prefix is enough).")],
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Print one prompt version with its diff and the decision about it."""
    exit_with(versions_cmd.show_main(config=config, target=target, version=version, json_output=json_output))


@app.command()
def rollback(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    to: Annotated[str | None, typer.Option("--to", help="The version to restore (default: the parent of the current one).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why; recorded in the registry and the commit.")] = "manual rollback",
    no_commit: Annotated[bool, typer.Option("--no-commit", metavar="", help="Restore the file but do not commit.")] = False,
    config: ConfigOption = None,
) -> None:
    """Restore an earlier kept version of a prompt (atomic write + commit) and record why."""
    exit_with(versions_cmd.rollback_main(config=config, target=target, to=to, reason=reason, commit=not no_commit))


@app.command("index")
def index_command(
    rebuild: Annotated[bool, typer.Option("--rebuild", metavar="", help="Throw the index away and rebuild it from the JSONL.")] = False,
    config: ConfigOption = None,
) -> None:
    """Update the SQLite evidence index (runs/overseer.db) from the JSONL records."""
    exit_with(evidence_cmd.index_main(config=config, rebuild_index=rebuild))


@app.command()
def verify(config: ConfigOption = None) -> None:
    """Check that the index and the JSONL records agree; list every difference."""
    exit_with(evidence_cmd.verify_main(config=config))


@app.command()
def plan(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    iterations: Annotated[int, typer.Option("--iterations", min=1, help="Edits a session would try.")] = 10,
    max_runs: Annotated[int | None, typer.Option("--max-runs", min=1, help="A session's run budget.")] = None,
    jobs: Annotated[int | None, typer.Option("-j", "--jobs", min=1, help="Runs at once (default: the target's jobs).")] = None,
    race: Annotated[int | None, typer.Option("--race", min=1, max=10, help="Candidates per iteration (default: the target's race).")] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """The bill in advance: runs, tokens, cost and time per run, per candidate and per session."""
    exit_with(plan_cmd.main(config=config, target=target, iterations=iterations, max_runs=max_runs,
                        jobs=jobs, json_output=json_output, race=race))


@app.command()
def experiment(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    changes: Annotated[list[str] | None, typer.Option("--set", help="NAME=VALUE: a declared setting, changed for the band (repeatable).")] = None,
    where: Annotated[str | None, typer.Option("--where", help="The band: complexity<=2, complexity>=4, ... (joined by 'and').")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="The band: tasks with this tag.")] = None,
    margin: Annotated[float, typer.Option("--margin", min=0.0, max=0.5, help="Largest loss of pass rate accepted.")] = 0.02,
    cheaper: Annotated[str, typer.Option("--cheaper", help="What must go down: cost (US dollars per run), tokens, or time (runs side by side, sign test).")] = "cost",
    max_repeats: Annotated[int | None, typer.Option("--max-repeats", min=1, max=100, help="Rounds at most (default: the target's accept.max_repeats).")] = None,
    jobs: JobsOption = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", metavar="", help="Write a promoted rule without committing it.")] = False,
    revert: Annotated[str | None, typer.Option("--revert", help="Remove routing rule N (1 first) or the one experiment ID promoted; recorded and committed.")] = None,
    executor: ExecutorOption = None,
    executor_address: ExecutorAddressOption = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Try a changed setting on a band of tasks; route the band to it only when proven not worse
    (by more than --margin, at the target's α) and cheaper. Exit 0 when promoted (or reverted),
    1 when not."""
    if cheaper not in ("cost", "tokens", "time"):
        raise typer.BadParameter("cost, tokens or time", param_hint="--cheaper")
    exit_with(experiment_cmd.main(config=config, target=target, changes=changes or [], where=where, tag=tag,
                              margin=margin, cheaper=cast(Cheaper, cheaper), max_repeats=max_repeats,
                              jobs=jobs, commit=not no_commit, json_output=json_output, revert=revert,
                              executor=executor, executor_address=executor_address))


@app.command()
def plugins(json_output: JsonOption = False) -> None:
    """The proposers, reviewers, sanitizers and checks that other installed packages provide (entry points)."""
    exit_with(plugins_cmd.main(json_output=json_output))


@app.command()
def stats(
    target: Annotated[str | None, typer.Argument(help="One target (default: all).")] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Runs, pass rates, what was kept of the outputs and the storage saved by sampling."""
    exit_with(evidence_cmd.stats_main(config=config, target=target, json_output=json_output))


@app.command("insights")
def insights_command(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    window: Annotated[int, typer.Option("--window", min=1, help="Recent attempts in the rolling window.")] = 20,
    json_output: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """What the evidence says: helpful and harmful edit kinds, fragile tasks, trends."""
    exit_with(insights_cmd.insights_main(config=config, target=target, window=window, json_output=json_output))


@app.command("report")
def report_command(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The file to write (default: report.html; md: standard output).")] = None,
    session: Annotated[str | None, typer.Option("--session", help="With --format md: the session to summarize.")] = None,
    report_format: Annotated[str, typer.Option("--format", help="html (the whole target) or md (one session, for a pull request).")] = "html",
    config: ConfigOption = None,
) -> None:
    """Write one self-contained HTML report (trends, heat map, decisions with diffs, effects), or one session as Markdown."""
    exit_with(insights_cmd.report_main(config=config, target=target, output=output, session=session,
                                       report_format=report_format))


@app.command("export-traces")
def export_traces(
    target: Annotated[str, typer.Argument(help="The target's name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The JSONL file to write.")],
    trace_format: Annotated[str, typer.Option("--format", help="Only openai-chat for now.")] = "openai-chat",
    version: Annotated[str | None, typer.Option("--version", help="Only runs of this prompt version (hash prefix).")] = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0.0, max=1.0)] = 1.0,
    config: ConfigOption = None,
) -> None:
    """Export passing runs (prompt, task input, output) as chat fine-tuning JSONL."""
    exit_with(insights_cmd.export_main(config=config, target=target, output=output, trace_format=trace_format,
                                   version=version, min_score=min_score))


@app.command()
def demo(
    directory: Annotated[Path | None, typer.Option("--dir", help="An empty or new directory for the demo repo (default: a temp dir).")] = None,
    iterations: Annotated[int, typer.Option("--iterations", min=1, help="Edits to try.")] = demo_cmd.DEMO_ITERATIONS,
    repeats: Annotated[int | None, typer.Option("--repeats", min=1, max=100, help="Runs of each task at the first look (default: the example's 2).")] = None,
    max_repeats: Annotated[int, typer.Option("--max-repeats", min=1, max=100, help="Most repeats (rounds) a candidate's test may use (optimize's default: 16).")] = demo_cmd.DEMO_MAX_REPEATS,
    jobs: JobsOption = None,
    json_output: JsonOption = False,
    example: Annotated[str, typer.Option("--example", help="codewriter (a code writer judged by pytest) or triage (a ticket classifier judged by a promptfoo suite).")] = "codewriter",
) -> None:
    """Build a demo git repo with the example command and tasks, and optimize its prompt offline."""
    exit_with(demo_cmd.main(directory=directory, iterations=iterations, repeats=repeats, max_repeats=max_repeats,
                        jobs=jobs, json_output=json_output, example=example))


@app.command()
def init(
    directory: Annotated[Path, typer.Option("--dir", help="Where to write overseer.yaml.")] = Path("."),
    suite: Annotated[Path | None, typer.Option("--from", help="A promptfoo config: add a target for its prompt and provider.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The new target's name (with --from; default: the suite's folder).")] = None,
) -> None:
    """Write a commented overseer.yaml with one example target, or (--from) a target for a promptfoo suite."""
    exit_with(init_cmd.main(directory=directory, suite=suite, name=name))


app.command("serve-model")(serve_model)
app.command("fetch-model")(fetch_model)


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _exit_code(exc: SystemExit) -> int:
    return exc.code if isinstance(exc.code, int) else EXIT_OK if exc.code is None else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure ends here as an exit code and at most one line."""
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        app(args=argv, prog_name="overseer")
    except SystemExit as exc:  # how the command line always ends, with the command's code
        code = _exit_code(exc)
    except KeyboardInterrupt:  # before or after the command ran (typer turns it into exit 130 inside)
        code = EXIT_INTERRUPTED
    except FatalError as exc:
        report.error(str(exc))
        return exc.exit_code
    except sqlite3.Error as exc:  # a query on an index damaged behind the store's back
        report.error(f"the evidence index cannot be read ({exc}); rebuild it from the JSONL files "
                     "with `overseer index --rebuild`")
        return EXIT_BAD_INPUT
    except OSError as exc:  # a full disk, a permission problem: say what and where, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        report.error(f"{where}{exc.strerror or exc}")
        return EXIT_FAILED
    else:
        code = EXIT_OK
    if code == EXIT_INTERRUPTED:
        report.error(INTERRUPTED)
    return code
