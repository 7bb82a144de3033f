"""overseer history and stats read the index."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import overseer


def test_history_reads_the_index_and_stats_reports_sampling(optimized: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        (optimized / "runs" / f"overseer.db{suffix}").unlink(missing_ok=True)
    history = json.loads(overseer("history", "toy", "--json", cwd=optimized).stdout)
    assert [v["status"] for v in history] == ["baseline", "accepted", "rejected"]
    facts = json.loads(overseer("stats", "--json", cwd=optimized).stdout)
    toy = facts["targets"][0]
    assert toy["runs"] == 44 and toy["failures_kept"] == 18  # see test_loop: 16 runs side by side
    assert toy["successes_kept"] + toy["successes_dropped"] == toy["runs"] - toy["failures_kept"]
    assert facts["index_bytes"] > 0
