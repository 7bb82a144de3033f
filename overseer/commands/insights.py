"""``overseer insights``, ``overseer report`` and ``overseer export-traces``: reading the evidence."""

from __future__ import annotations

import json
from pathlib import Path

from overseer.config import LoadedConfig
from overseer.errors import FatalError
from overseer.evaluate import runs_dir
from overseer.htmlreport import ReportData, render_html
from overseer.insights import Insights, insights
from overseer.redact import redact
from overseer.store import open_store
from overseer.tasks import target_task_sets
from overseer.vcs import atomic_write


def target_insights(*, loaded: LoadedConfig, target_name: str, window: int) -> Insights:
    loaded.target(target_name)
    with open_store(runs_dir(loaded)) as store:
        return insights(store, target_name, window=window)


def write_report(*, loaded: LoadedConfig, target_name: str, output: Path) -> Path:
    loaded.target(target_name)
    with open_store(runs_dir(loaded)) as store:
        found = insights(store, target_name)
        versions = [v for v in store.versions(target_name) if v.status in ("baseline", "accepted", "rollback")]
        hashes = list(dict.fromkeys(v.hash for v in versions))
        marks = ",".join("?" * len(hashes)) or "''"
        cells = [dict(r) for r in store.query(
            f"SELECT task_id, prompt_hash, AVG(passed) AS rate, COUNT(*) AS runs FROM runs "
            f"WHERE target = ? AND prompt_hash IN ({marks}) GROUP BY task_id, prompt_hash", target_name, *hashes)]
        data = ReportData(target=target_name, insights=found, versions=versions,
                          decisions=store.decisions(target_name), heat=cells)
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
        marks = ",".join("?" * len(texts)) or "''"
        rows = store.query(
            f"SELECT record_id, source, line, prompt_hash, task_id FROM runs WHERE target = ? "
            f"AND passed = 1 AND score >= ? AND output_kept = 1 AND prompt_hash IN ({marks}) "
            f"ORDER BY source, line", target_name, min_score, *texts)
    sources: dict[str, list[str]] = {}
    for row in rows:
        source_lines = sources.setdefault(row["source"], (runs_dir(loaded) / row["source"]).read_text(encoding="utf-8").splitlines())
        record = json.loads(source_lines[row["line"] - 1])
        outputs = sorted(k for k in record["artifacts"] if k.startswith("outputs/"))
        if not outputs or row["task_id"] not in specs:
            continue
        answer = (loaded.root / record["artifacts"][outputs[0]]).read_text(encoding="utf-8")
        lines.append(json.dumps({"messages": [
            {"role": "system", "content": redact(texts[row["prompt_hash"]])},
            {"role": "user", "content": redact(specs[row["task_id"]])},
            {"role": "assistant", "content": redact(answer)},
        ]}, ensure_ascii=False))
    atomic_write(output, ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))
    return len(lines)
