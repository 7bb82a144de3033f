from __future__ import annotations

from pathlib import Path

from tests.helpers import overseer


def test_the_sim_commands_are_listed_and_need_a_target(tmp_path: Path) -> None:
    listing = overseer("sim", "--help", cwd=tmp_path)
    assert listing.returncode == 0 and "truth" in listing.stdout and "check-tasks" in listing.stdout
    assert overseer("sim", "truth", cwd=tmp_path).returncode == 2        # --target is required
    missing = overseer("sim", "truth", "--target", "x", cwd=tmp_path)
    assert missing.returncode == 2 and "overseer.yaml" in missing.stderr
