"""One run = (target, prompt version, task, repeat): the command in a scratch workdir, then the check."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from overseer.checks import JUnitError, Verdict, judge_exit_code, judge_junit
from overseer.config import Target
from overseer.process import Cancelled, ProcessResult, pause, run_process
from overseer.records import RunRecord, Usage, now_iso
from overseer.redact import redact, redact_value
from overseer.sanitizers import sanitize_outputs
from overseer.seeds import run_seed
from overseer.signatures import signature
from overseer.tasks import Task
from overseer.throttle import Throttle

_ARTIFACT_FILE_CAP = 256_000
_USAGE_FILE_CAP = 1_000_000


@dataclass(frozen=True)
class RunContext:
    """What every run of one evaluation shares."""

    session_id: str
    target_name: str
    target: Target
    copy_root: Path          # the isolated copy the command runs in
    prompt_file: Path        # the candidate prompt's file inside that copy
    prompt_hash: str
    scratch: Path            # per-run workdirs are made under here, then removed
    artifacts: Path          # runs/<target>/<session>/, where captured files are kept
    artifacts_base: Path     # artifact paths in records are relative to this
    environment: str = ""    # the environment fingerprint the runs are made under
    batch: str = ""          # the batch of side-by-side runs this run belongs to (evaluate.py)
    # None: the command gets this process's whole environment. A tuple (a run on a cluster node):
    # only the basic variables (PATH, HOME, locale...) and these names, from the node's environment,
    # then ``env_values`` (the driver's values of the fingerprinted variables: fingerprint.py).
    env_names: tuple[str, ...] | None = None
    env_values: tuple[tuple[str, str], ...] = ()


def format_template(template: str, values: dict[str, str]) -> str:
    return template.format(**{key: shlex.quote(value) for key, value in values.items()})


BASIC_ENV = ("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ",
             "TMPDIR")


def _environment(ctx: RunContext, values: dict[str, str]) -> dict[str, str]:
    names = ctx.env_names
    env = dict(os.environ) if names is None else \
        {name: os.environ[name] for name in (*BASIC_ENV, *names) if name in os.environ}
    env.update(ctx.env_values)
    env.update({f"OVERSEER_{key.upper()}": value for key, value in values.items()
                if key != "python"})
    env.update(case_variables(Path(values["vars_file"])))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _judge_env(ctx: RunContext) -> dict[str, str]:
    """The target's judge (config.JudgeConfig) for a check that grades with a model."""
    judge = ctx.target.judge
    if judge is None:
        return {}
    return {"OVERSEER_JUDGE_MODEL": judge.model, "OVERSEER_JUDGE_MAX_TOKENS": str(judge.max_tokens),
            **({"OVERSEER_JUDGE_SEED": str(judge.seed)} if judge.seed is not None else {}),
            **({"OVERSEER_EMBEDDING_MODEL": judge.embedding} if judge.embedding else {})}


def case_variables(path: Path) -> dict[str, str]:
    """A test case's vars (a promptfoo suite's, suites/) as OVERSEER_VAR_<NAME> variables: the name
    upper-cased, a value that is not a string as JSON; none when the task has no vars file."""
    try:
        variables = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {f"OVERSEER_VAR_{re.sub(r'[^A-Z0-9_]', '_', str(name).upper())}":
            value if isinstance(value, str) else json.dumps(value)
            for name, value in (variables.items() if isinstance(variables, dict) else [])}


def _read_usage(path: Path) -> tuple[Usage | None, str | None]:
    if not path.is_file():
        return None, None
    if path.stat().st_size > _USAGE_FILE_CAP:
        return None, f"bad usage file: larger than {_USAGE_FILE_CAP} bytes"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Usage.model_validate(data), None
    except (ValueError, ValidationError) as exc:
        first_line = str(exc).splitlines()[0]
        return None, f"bad usage file: {first_line}"[:300]


def _last_line(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return redact(lines[-1])[:300] if lines else ""


def _judge(task: Task, ctx: RunContext, workdir: Path, meta: Path, values: dict[str, str],
           command: ProcessResult, sanitized: dict[str, list[str]]) -> tuple[Verdict, ProcessResult | None]:
    if command.timed_out:
        return Verdict(error_class="Timeout",
                       messages=[f"command timed out after {ctx.target.timeout_s:g}s"]), None
    if command.exit_code != 0:
        return Verdict(error_class="CommandFailed", messages=[
            f"command exited with {command.exit_code}: {_last_line(meta / 'command.stderr')}"
        ]), None
    if ctx.target.sanitizers:
        sanitized.update(sanitize_outputs(workdir, list(ctx.target.sanitizers)))
    # Tests arrive only after the command is done, so the command can neither read nor edit them.
    if task.tests_dir.is_dir():
        shutil.rmtree(workdir / "tests", ignore_errors=True)
        shutil.copytree(task.tests_dir, workdir / "tests")
    junit = meta / "junit.xml"
    junit.unlink(missing_ok=True)
    check = run_process(
        format_template(task.check, {**values, "junit_xml": str(junit),
                                     "stdout_file": str(meta / "command.stdout"),
                                     "output_file": str(workdir / ctx.target.output_file
                                                        if ctx.target.output_file else meta / "command.stdout")}),
        cwd=workdir, env={**_environment(ctx, values), **_judge_env(ctx)}, timeout_s=task.timeout_s,
        stdout_path=meta / "check.out", stderr_path=meta / "check.err",
        output_cap=ctx.target.output_cap_bytes, clock="cpu",
    )
    if check.cancelled:
        raise Cancelled()
    if check.stalled:
        return Verdict(error_class="CheckStalled", messages=[
            f"check stalled: {check.duration_s:.0f}s of wall clock with {check.cpu_s or 0:.1f}s of CPU and "
            f"{check.waited_s or 0:.1f}s waiting for one"]), check
    if check.timed_out:
        return Verdict(error_class="Timeout",
                       messages=[f"check used more than {task.timeout_s:g}s of CPU"]), check
    if junit.is_file():
        try:
            return judge_junit(junit), check
        except JUnitError as exc:
            return Verdict(error_class="CheckFailed", messages=[str(exc)[:300]]), check
    verdict = judge_exit_code(check.exit_code, check.timed_out)
    if not verdict.passed:
        last = _last_line(meta / "check.err") or _last_line(meta / "check.out")
        verdict.messages = [f"{verdict.messages[0]}: {last}" if last else verdict.messages[0]]
    return verdict, check


MAX_RETRY_AFTER_S = 300.0   # the longest wait a command's retry_after may ask for

# A command exits with this (EX_TEMPFAIL) when its provider failed (429, 5xx, network), or writes
# {"provider_error": "..."} to its usage file: the run is retried and never becomes evidence.
EXIT_PROVIDER_ERROR = 75


def infra_cause(command: ProcessResult, check: ProcessResult | None, verdict: Verdict,
                junit_expected: bool, provider_error: str | None) -> str | None:
    """Why a run's failure is not the prompt's, or None when it is (or the run passed)."""
    if provider_error:
        return redact(f"provider error: {provider_error}")[:200]
    if command.exit_code == EXIT_PROVIDER_ERROR:
        return f"provider error: the command exited with {EXIT_PROVIDER_ERROR}"
    if command.exit_code is not None and command.exit_code < 0:
        return f"the command was killed by signal {-command.exit_code}"
    if check is None or verdict.passed:
        return None
    if check.stalled:
        return verdict.messages[0]
    if check.exit_code is not None and check.exit_code < 0:
        return f"the check was killed by signal {-check.exit_code}"
    if junit_expected and not check.timed_out and verdict.error_class in ("CheckFailed", None) \
            and not verdict.tests:
        return f"the check crashed: no JUnit XML and exit code {check.exit_code}"
    return None


def sampled(record_id: str, rate: float) -> bool:
    """Deterministic sampling: the same record is always in or out."""
    return int(hashlib.sha256(record_id.encode()).hexdigest()[:8], 16) < rate * 0x100000000


def _captured(workdir: Path, meta: Path) -> list[tuple[str, Path]]:
    sources = [(p.name, p) for p in sorted(meta.iterdir()) if p.name != "usage.json"]
    sources += [(f"outputs/{p.relative_to(workdir).as_posix()}", p)
                for p in sorted(workdir.rglob("*"))
                if p.is_file() and p.relative_to(workdir).parts[0] != "tests"]
    return sources


def _keep_artifacts(sources: list[tuple[str, Path]], dest: Path, base: Path) -> dict[str, str]:
    """Copy captured output and the command's output files, redacted, into ``dest``."""
    kept: dict[str, str] = {}
    dest.mkdir(parents=True, exist_ok=True)
    for name, source in sources:
        with source.open("rb") as handle:   # never the whole of a huge output file
            data = handle.read(_ARTIFACT_FILE_CAP)
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(redact(data.decode("utf-8", errors="replace")), encoding="utf-8")
        kept[name] = target.relative_to(base).as_posix()
    return kept


def _check_text(meta: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in (meta / "check.out", meta / "check.err") if p.is_file())


def _scratch(ctx: RunContext, task: Task, run_name: str) -> tuple[Path, Path, Path]:
    """(the run's scratch dir, its workdir holding the task's fixture, its meta dir), made anew."""
    scratch = ctx.scratch / run_name
    workdir, meta = scratch / "work", scratch / "meta"
    shutil.rmtree(scratch, ignore_errors=True)
    meta.mkdir(parents=True)
    if task.fixture_dir.is_dir():
        shutil.copytree(task.fixture_dir, workdir)
    else:
        workdir.mkdir()
    return scratch, workdir, meta


def run_one(ctx: RunContext, task: Task, task_set_hash: str, repeat: int) -> RunRecord:
    run_name = f"{task.id}-r{repeat}"
    scratch, workdir, meta = _scratch(ctx, task, run_name)
    settings = ctx.target.settings_for(task)
    values = {
        "task_dir": str(task.directory), "task_id": task.id, "workdir": str(workdir),
        "prompt_file": str(ctx.prompt_file), "seed": str(run_seed(ctx.target.seed, task.id, repeat)),
        "repeat": str(repeat), "usage_file": str(meta / "usage.json"), "python": sys.executable,
        "vars_file": str(task.directory / "vars.json"), **settings,
    }
    started = now_iso()
    record_id = uuid.uuid4().hex
    sanitized: dict[str, list[str]] = {}
    try:
        command = run_process(
            format_template(ctx.target.command, values), cwd=ctx.copy_root,
            env=_environment(ctx, values), timeout_s=ctx.target.timeout_s,
            stdout_path=meta / "command.stdout", stderr_path=meta / "command.stderr",
            output_cap=ctx.target.output_cap_bytes,
        )
        if command.cancelled:
            raise Cancelled()
        verdict, check = _judge(task, ctx, workdir, meta, values, command, sanitized)
        usage, usage_error = _read_usage(meta / "usage.json")
        cause = infra_cause(command, check, verdict, "{junit_xml}" in task.check,
                            usage.provider_error if usage else None)
        run_signature = signature(error_class=verdict.error_class, tests=verdict.tests,
                                  messages=verdict.messages, check_output=_check_text(meta))
        sources = _captured(workdir, meta)
        size = sum(min(p.stat().st_size, _ARTIFACT_FILE_CAP) for _, p in sources)
        keep = not verdict.passed or sampled(record_id, ctx.target.success_sample_rate)
        artifacts = _keep_artifacts(sources, ctx.artifacts / run_name, ctx.artifacts_base) if keep else {}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _redacted(RunRecord(
        record_id=record_id, session_id=ctx.session_id, target=ctx.target_name,
        command=ctx.target.command, prompt_hash=ctx.prompt_hash, task_id=task.id,
        task_hash=task.content_hash, task_set_hash=task_set_hash, repeat=repeat,
        seed=ctx.target.seed, started_at=started, exit_code=command.exit_code,
        timed_out=command.timed_out, command_s=round(command.duration_s, 4),
        check_exit_code=check.exit_code if check else None,
        check_timed_out=check.timed_out if check else False,
        check_s=round(check.duration_s, 4) if check else 0.0,
        check_cpu_s=check.cpu_s if check else None, infra=cause is not None, infra_cause=cause,
        environment=ctx.environment, batch=ctx.batch, settings=settings,
        tests=verdict.tests, tests_passed=verdict.tests_passed, tests_total=verdict.tests_total,
        tests_omitted=verdict.tests_omitted,
        score=verdict.score, passed=verdict.passed, error_class=verdict.error_class,
        failing_tests=verdict.failing_tests, messages=verdict.messages, signature=run_signature,
        usage=usage, usage_error=usage_error, sanitized=sanitized,
        mechanical=verdict.passed and bool(sanitized), complexity=task.complexity,
        artifacts=artifacts, output_kept=keep, output_bytes=size if keep else 0,
        output_dropped_bytes=0 if keep else size,
    ))


def _redacted(record: RunRecord) -> RunRecord:
    """The record with every string in it redacted: test names, messages, the signature, the
    model the usage reports, the command template (a key typed into it) all come from outside."""
    return RunRecord.model_validate(redact_value(record.model_dump()))


def provider_failed(record: RunRecord) -> bool:
    """The run failed as its provider's (exit 75 or a provider_error in the usage file)."""
    return record.infra and (record.infra_cause or "").startswith("provider error")


def run_with_retries(ctx: RunContext, task: Task, task_set_hash: str, repeat: int,
                     throttle: Throttle | None = None) -> RunRecord:
    """One run; after an infrastructure failure it is run again (``infra.retries`` times, waiting
    ``infra.backoff_s``, doubling, or the ``retry_after`` the command's usage file asks for when
    longer), and the last attempt is what is recorded. Each attempt holds a slot of ``throttle``
    (throttle.py: fewer runs at once while the provider fails)."""
    policy, attempt = ctx.target.infra, 1

    def attempt_once() -> RunRecord:
        if throttle is None:
            return run_one(ctx, task, task_set_hash, repeat)
        with throttle.slot():
            made = run_one(ctx, task, task_set_hash, repeat)
        throttle.outcome(provider_failed(made))
        return made

    record = attempt_once()
    while record.infra and attempt <= policy.retries:
        asked = record.usage.retry_after if record.usage and record.usage.retry_after else 0.0
        pause(max(policy.backoff_s * 2 ** (attempt - 1), min(asked, MAX_RETRY_AFTER_S)))
        attempt += 1
        record = attempt_once()
    return record.model_copy(update={"attempts": attempt})
