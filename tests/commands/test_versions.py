"""overseer history, show and rollback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import changed_files, git, overseer
from tests.toyloop import START


def test_history_show_and_rollback(loop_project: Path) -> None:
    assert overseer("optimize", "toy", "--iterations", "1", cwd=loop_project).returncode == 0
    versions = json.loads(overseer("history", "toy", "--json", cwd=loop_project).stdout)
    assert [v["status"] for v in versions] == ["baseline", "accepted"]
    accepted = versions[1]
    shown = overseer("show", "toy", accepted["hash"][:6], cwd=loop_project)
    assert shown.returncode == 0 and "+Be careful. GOOD" in shown.stdout and "p-value" in shown.stdout
    back = overseer("rollback", "toy", "--reason", "customers complained", cwd=loop_project)
    assert back.returncode == 0, back.stderr
    assert (loop_project / "prompts" / "system.md").read_text() == START
    assert git(loop_project, "log", "-1", "--format=%B").startswith("Roll back toy prompt to")
    assert "customers complained" in git(loop_project, "log", "-1", "--format=%B")
    assert changed_files(loop_project, "HEAD") == ["prompts/system.md"]
    last = json.loads(overseer("history", "toy", "--json", cwd=loop_project).stdout)[-1]
    assert last["status"] == "rollback" and last["reason"] == "customers complained"
    missing = overseer("show", "toy", "ffff", cwd=loop_project)
    assert missing.returncode == 2 and "no version of toy starts with 'ffff'" in missing.stderr
