"""``overseer insights``, ``overseer report`` and ``overseer export-traces``: reading the evidence."""

from __future__ import annotations

import json
from pathlib import Path

from overseer import report
from overseer.config import LoadedConfig, load_config
from overseer.decision import Decision
from overseer.errors import EXIT_OK, FatalError
from overseer.evaluate import runs_dir, session_log_path
from overseer.experiment.session import read_experiments
from overseer.htmlreport import ReportData, render_html
from overseer.insights import Insights, insights
from overseer.optimize.sealed import SealedFigure, sealed_figure
from overseer.records import read_records
from overseer.redact import redact
from overseer.registry import KEPT_STATUSES
from overseer.report.summary import session_markdown
from overseer.store import Store, open_store
from overseer.tasks import target_task_sets, target_test_set
from overseer.vcs import atomic_write


def routed_insights(store: Store, loaded: LoadedConfig, target_name: str, window: int = 20) -> Insights:
    """The target's insights with its routing watched and its experiments."""
    target = loaded.target(target_name)
    train, holdout = target_task_sets(loaded, target)
    tags = {t.id: t.tags for t in (*train.tasks, *holdout.tasks)}
    return insights(store, target_name, window=window, routes=target.routing, tags=tags,
                    experiments=read_experiments(runs_dir(loaded) / target_name),
                    sealed=sealed_ids(loaded, target_name))


def sealed_ids(loaded: LoadedConfig, target_name: str) -> frozenset[str]:
    """The ids of the target's sealed test tasks: kept out of every per-task view."""
    test = target_test_set(loaded, loaded.target(target_name))
    return frozenset(t.id for t in test.tasks) if test else frozenset()


def target_insights(*, loaded: LoadedConfig, target_name: str, window: int) -> Insights:
    loaded.target(target_name)
    with open_store(runs_dir(loaded)) as store:
        return routed_insights(store, loaded, target_name, window)


def write_report(*, loaded: LoadedConfig, target_name: str, output: Path) -> Path:
    loaded.target(target_name)
    with open_store(runs_dir(loaded)) as store:
        found = routed_insights(store, loaded, target_name)
        versions = [v for v in store.versions(target_name) if v.status in KEPT_STATUSES]
        hashes = list(dict.fromkeys(v.hash for v in versions))
        sealed = sealed_ids(loaded, target_name)
        data = ReportData(target=target_name, insights=found, versions=versions,
                          decisions=store.decisions(target_name),
                          heat=[r for r in store.task_rates(target_name, hashes) if r.task_id not in sealed])
    atomic_write(output, render_html(data).encode("utf-8"))
    return output


def export_traces(*, loaded: LoadedConfig, target_name: str, output: Path, version: str | None,
                  min_score: float) -> int:
    """Passing runs as chat fine-tuning JSONL: system = the prompt version, user = the task's
    spec, assistant = the command's output. Failing runs and runs without kept output are left out."""
    target = loaded.target(target_name)
    train, holdout = target_task_sets(loaded, target)
    specs = {t.id: t.spec for t in (*train.tasks, *holdout.tasks)}
    lines = []
    with open_store(runs_dir(loaded)) as store:
        texts = {v.hash: v.text for v in store.versions(target_name) if v.text}
        if version is not None:
            chosen = [h for h in texts if h.startswith(version)]
            if not chosen:
                raise FatalError(f"{target_name}: no recorded prompt version starts with {version!r}")
            texts = {h: texts[h] for h in chosen}
        runs = store.passing_runs(target=target_name, prompt_hashes=list(texts), min_score=min_score)
    for record in runs:
        outputs = sorted(k for k in record.artifacts if k.startswith("outputs/"))
        if not outputs or record.task_id not in specs:
            continue
        answer = (loaded.root / record.artifacts[outputs[0]]).read_text(encoding="utf-8")
        lines.append(json.dumps({"messages": [
            {"role": "system", "content": redact(texts[record.prompt_hash])},
            {"role": "user", "content": redact(specs[record.task_id])},
            {"role": "assistant", "content": redact(answer)},
        ]}, ensure_ascii=False))
    atomic_write(output, ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))
    return len(lines)


def insights_main(*, config: Path | None, target: str, window: int, json_output: bool) -> int:
    found = target_insights(loaded=load_config(config), target_name=target, window=window)
    if json_output:
        report.print_json(found.to_dict())
    else:
        report.show_insights(found)
    return EXIT_OK


def report_main(*, config: Path | None, target: str, output: Path | None, session: str | None = None,
                report_format: str = "html") -> int:
    if report_format not in ("html", "md"):
        raise FatalError(f"--format {report_format!r}: html or md")
    loaded = load_config(config)
    if report_format == "md":
        text = session_summary(loaded, target, session)
        if output is None:
            report.out.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            atomic_write(output, text.encode("utf-8"), fault_prefix="summary")
            report.line(f"wrote {output}")
        return EXIT_OK
    path = write_report(loaded=loaded, target_name=target, output=(output or Path("report.html")).resolve())
    report.line(f"wrote {path}")
    return EXIT_OK


def session_summary(loaded: LoadedConfig, target: str, session: str | None) -> str:
    """One recorded session as the Markdown of report/summary.py."""
    loaded.target(target)
    if session is None:
        raise FatalError("--format md: name the session with --session ID (`overseer history` and "
                         "runs/TARGET/*.jsonl have the ids)")
    with open_store(runs_dir(loaded)) as store:
        decisions = [d for d in store.decisions(target) if d.session_id == session]
    log = session_log_path(loaded, target, session)
    if not decisions and not log.is_file():
        raise FatalError(f"{target}: no session {session!r} (no decisions and no {log})")
    records = read_records(log)[0] if log.is_file() else []
    return session_markdown(target, session, decisions, records, recorded_sealed(loaded, target, decisions))


def recorded_sealed(loaded: LoadedConfig, target: str, decisions: list[Decision]) -> SealedFigure | None:
    """The sealed test set's figure of a recorded session, from the index: the session's first
    parent against its last kept edit, on the sealed tasks at the first look's repeats."""
    kept = [d for d in decisions if d.outcome == "accepted" and d.candidate_hash]
    test = target_test_set(loaded, loaded.target(target))
    if not kept or test is None or not decisions[0].parent_hash:
        return None
    start, final = decisions[0].parent_hash, kept[-1].candidate_hash or ""
    spec = loaded.target(target)
    ids = {t.id for t in test.tasks}
    with open_store(runs_dir(loaded)) as store:
        found = [r for r in store.runs_of_prompts(target, [start, final])
                 if r.task_id in ids and r.repeat < spec.repeats and r.task_set_hash == test.content_hash]
    return sealed_figure([r for r in found if r.prompt_hash == start], [r for r in found if r.prompt_hash == final],
                         spec.objective, spec.accept.alpha)


def export_main(*, config: Path | None, target: str, output: Path, trace_format: str,
                version: str | None, min_score: float) -> int:
    if trace_format != "openai-chat":
        raise FatalError(f"--format {trace_format!r}: only openai-chat is supported")
    count = export_traces(loaded=load_config(config), target_name=target, output=output.resolve(),
                          version=version, min_score=min_score)
    report.line(f"wrote {count} traces to {output}")
    return EXIT_OK
