"""``overseer history``, ``overseer show`` and ``overseer rollback``: the prompt registry."""

from __future__ import annotations

from pathlib import Path

from overseer import report
from overseer.config import LoadedConfig, load_config
from overseer.edits import unified_diff
from overseer.errors import EXIT_OK, FatalError
from overseer.evaluate import runs_dir
from overseer.experiment.session import read_experiments
from overseer.lock import target_lock
from overseer.prompts import prompt_hash, read_prompt, read_source, replace_prompt
from overseer.registry import KEPT_STATUSES, PromptVersion, TargetLog, VersionDetail
from overseer.store import open_store
from overseer.vcs import atomic_write, commit_paths, is_dirty, open_repo


def history(*, loaded: LoadedConfig, target_name: str) -> list[PromptVersion]:
    loaded.target(target_name)
    with open_store(runs_dir(loaded)) as store:
        return store.versions(target_name)


def _find(versions: list[PromptVersion], prefix: str) -> PromptVersion | None:
    matches = [v for v in versions if v.hash.startswith(prefix)]
    return matches[-1] if matches else None


def show(*, loaded: LoadedConfig, target_name: str, version: str) -> VersionDetail:
    loaded.target(target_name)
    with open_store(runs_dir(loaded)) as store:
        versions = store.versions(target_name)
        found = _find(versions, version)
        if found is None:
            raise FatalError(f"{store.runs_dir / target_name / 'registry.jsonl'}: no version of "
                             f"{target_name} starts with {version!r}")
        decision = next((d for d in store.decisions(target_name)
                         if d.decision_id == found.decision_id), None)
    parent = _find(versions, found.parent) if found.parent else None
    diff = decision.diff if decision else (
        unified_diff(parent.text, found.text, "prompt") if parent and found.text else "")
    return VersionDetail(found, decision, diff)


def rollback(*, loaded: LoadedConfig, target_name: str, to: str | None, reason: str,
             commit: bool) -> PromptVersion:
    """Restore an earlier kept version (default: the parent of the current one), atomically,
    commit it, and record why."""
    target = loaded.target(target_name)
    log = TargetLog(runs_dir(loaded), target_name)
    with target_lock(runs_dir(loaded) / target_name, target_name):
        current_text = read_prompt(loaded.root, target.prompt)
        current = prompt_hash(current_text)
        with open_store(runs_dir(loaded)) as store:
            kept = [v for v in store.versions(target_name) if v.status in KEPT_STATUSES and v.text]
        if to is None:
            mine = next((v for v in reversed(kept) if v.hash == current and v.parent), None)
            if mine is None:
                raise FatalError(f"{target_name}: the current prompt {current} has no recorded parent; "
                                 "use --to VERSION")
            to = mine.parent
        assert to is not None
        chosen = next((v for v in reversed(kept) if v.hash.startswith(to)), None)
        if chosen is None:
            raise FatalError(f"{log.registry_path}: no kept version of {target_name} starts with {to!r}")
        if chosen.hash == current:
            raise FatalError(f"{target_name}: the prompt already is version {current}")
        path = loaded.root / target.prompt.file
        repo = open_repo(loaded.root)
        if commit and repo is None:
            raise FatalError(f"{loaded.root}: not in a git repository; use --no-commit")
        if commit and repo is not None and is_dirty(repo, path):
            raise FatalError(f"{path}: has uncommitted changes; commit them first")
        source = read_source(path)
        atomic_write(path, replace_prompt(source, target.prompt, chosen.text, str(path)).encode("utf-8"))
        sha = None
        if commit and repo is not None:
            sha = commit_paths(repo, [path], f"Roll back {target_name} prompt to {chosen.hash}\n\n"
                                             f"{reason}\n\nfrom {current}")
        version = PromptVersion(hash=chosen.hash, parent=current, status="rollback", text=chosen.text,
                                commit=sha, reason=reason)
        log.add_version(version)
        return version


def history_main(*, config: Path | None, target: str, json_output: bool) -> int:
    loaded = load_config(config)
    versions = history(loaded=loaded, target_name=target)
    experiments = read_experiments(runs_dir(loaded) / target)
    if json_output:  # the versions, as before; the experiments in runs/<target>/experiments.jsonl
        report.print_json([v.model_dump(exclude={"text"}) for v in versions])
    else:
        report.show_history(versions)
        if experiments:
            report.show_experiments(experiments)
    return EXIT_OK


def show_main(*, config: Path | None, target: str, version: str, json_output: bool) -> int:
    loaded = load_config(config)
    loaded.target(target)
    experiment = next((e for e in read_experiments(runs_dir(loaded) / target)
                       if e.experiment_id == version), None)
    if experiment is not None:   # VERSION may name an experiment
        if json_output:
            report.print_json(experiment.model_dump(mode="json"))
        else:
            report.show_experiment(experiment)
        return EXIT_OK
    shown = show(loaded=loaded, target_name=target, version=version)
    if json_output:
        report.print_json({"version": shown.version.model_dump(), "diff": shown.diff,
                           "decision": shown.decision.model_dump() if shown.decision else None})
    else:
        report.show_version(shown)
    return EXIT_OK


def rollback_main(*, config: Path | None, target: str, to: str | None, reason: str, commit: bool) -> int:
    version = rollback(loaded=load_config(config), target_name=target, to=to, reason=reason, commit=commit)
    report.line(f"{target}: prompt restored to {version.hash} (from {version.parent})"
                + (f", commit {version.commit[:10]}" if version.commit else ""))
    return EXIT_OK
