"""``overseer index``, ``overseer verify`` and ``overseer stats``: the evidence index."""

from __future__ import annotations

from pathlib import Path

from overseer import report
from overseer.config import LoadedConfig, load_config
from overseer.errors import EXIT_FAILED, EXIT_OK
from overseer.evaluate import runs_dir
from overseer.store import Difference, IndexStats, TargetStats, open_store, rebuild


def index(*, loaded: LoadedConfig, from_scratch: bool) -> IndexStats:
    if from_scratch:
        return rebuild(runs_dir(loaded))
    with open_store(runs_dir(loaded), update=False) as store:
        return store.update()


def verify(*, loaded: LoadedConfig) -> list[Difference]:
    """Index what is new (the index may simply lag), then compare every line with its row."""
    with open_store(runs_dir(loaded), update=False) as store:
        store.update()
        return store.verify()


def stats(*, loaded: LoadedConfig, target: str | None) -> tuple[list[TargetStats], int]:
    with open_store(runs_dir(loaded)) as store:
        return store.target_stats(target), store.path.stat().st_size


def index_main(*, config: Path | None, rebuild_index: bool) -> int:
    stats_ = index(loaded=load_config(config), from_scratch=rebuild_index)
    for warning in stats_.warnings:
        report.warn(warning)
    report.line(f"indexed {stats_.added} new lines from {stats_.files} files")
    return EXIT_OK


def verify_main(*, config: Path | None) -> int:
    differences = verify(loaded=load_config(config))
    for difference in differences:
        report.line(str(difference))
    if differences:
        report.line(f"{len(differences)} differences; `overseer index --rebuild` makes the index match the JSONL")
        return EXIT_FAILED
    report.line("index and JSONL agree")
    return EXIT_OK


def stats_main(*, config: Path | None, target: str | None, json_output: bool) -> int:
    rows, db_size = stats(loaded=load_config(config), target=target)
    if json_output:
        report.print_json({"targets": [r.to_dict() for r in rows], "index_bytes": db_size})
    else:
        report.show_stats(rows, db_size)
    return EXIT_OK
