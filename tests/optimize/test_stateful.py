"""A Hypothesis state machine over real `overseer` processes on the toy loop project: it proposes
good and useless edits, evaluates, accepts, rejects, makes the Nth file operation fail, SIGKILLs
the CLI mid-step and resumes, rolls back; after every step it checks DESIGN.md's invariants."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from overseer.records import read_jsonl, read_records
from overseer.registry import PromptVersion
from overseer.store import open_store, rebuild
from tests.helpers import git, overseer, overseer_process
from tests.toyloop import START, make_loop_project

POINTS = ["run:recorded#3", "propose:done", "screen:done", "accept:pending-saved",
          "write:temp-written", "write:replaced", "diffs:written", "commit:tree-written",
          "commit:ref-updated", "registry:appended", "decision:recorded", "state:saved#2"]
EDITS = {
    "good": {"op": "insert_after", "old": "Be careful.", "new": " GOOD", "kind": "add-constraint:good"},
    "neutral": {"op": "insert_after", "old": "Be careful.", "new": " Thanks.", "kind": "add-constraint:polite"},
    "drop-good": {"op": "replace", "old": " GOOD", "new": "", "kind": "delete-line:good"},
}


class LoopMachine(RuleBasedStateMachine):
    @initialize()
    def project(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="overseer-stateful-"))
        self.root = make_loop_project(self.tmp / "loop")
        # The test rewrites the scripted proposer between steps; keep it out of git.
        (self.root / ".gitignore").write_text("runs/\npropose.py\n")
        git(self.root, "rm", "-q", "--cached", "propose.py")
        git(self.root, "commit", "-qam", "proposer script is local")
        self.kept = {START}          # every text that was ever a kept version
        self.last_kept = START

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- actions ------------------------------------------------------------------------------

    def _propose(self, name: str) -> None:
        reply = {"hypothesis": f"edit {name}", "rationale": "stateful test", "edit": EDITS[name]}
        (self.root / "propose.py").write_text(f"import sys, json\nsys.stdin.read()\nprint(json.dumps({reply!r}))\n")

    def _settle(self, result: object) -> None:
        prompt = (self.root / "prompts" / "system.md").read_text()
        if prompt != self.last_kept and git(self.root, "show", "HEAD:prompts/system.md") == prompt:
            self.kept.add(prompt)
            self.last_kept = prompt

    @rule(edit=st.sampled_from(sorted(EDITS)))
    def optimize(self, edit: str) -> None:
        self._propose(edit)
        result = overseer("optimize", "toy", "--iterations", "1", "--resume", cwd=self.root)
        assert result.returncode == 0, result.stderr[-1500:]
        self._settle(result)

    @rule(edit=st.sampled_from(sorted(EDITS)), point=st.sampled_from(POINTS))
    def kill_mid_step(self, edit: str, point: str) -> None:
        self._propose(edit)
        result = overseer_process("optimize", "toy", "--iterations", "1", "--resume", cwd=self.root,
                                  env={"OVERSEER_FAULT": point}, timeout=120)
        assert result.returncode in (0, -signal.SIGKILL), result.stderr[-1500:]
        if result.returncode == 0:  # the session ended before it reached the point: a normal run
            self._settle(result)
        prompt = (self.root / "prompts" / "system.md").read_text()
        assert prompt in self.kept or self._pending_text() == prompt  # invariant 1
        resumed = overseer("optimize", "toy", "--iterations", "1", "--resume", cwd=self.root)
        assert resumed.returncode == 0, resumed.stderr[-1500:]
        self._settle(resumed)

    @rule(point=st.sampled_from(["write:temp-written", "diff-write:temp-written", "state-write:temp-written#2",
                                 "commit:tree-written", "run:recorded#2"]))
    def disk_fails(self, point: str) -> None:
        self._propose("good" if "GOOD" not in self.last_kept else "drop-good")
        result = overseer_process("optimize", "toy", "--iterations", "1", "--resume", cwd=self.root,
                                  env={"OVERSEER_FAULT": point + "!io"}, timeout=120)
        if result.returncode != 0:
            assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-1500:]
            assert "No space left on device" in result.stderr
        resumed = overseer("optimize", "toy", "--iterations", "1", "--resume", cwd=self.root)
        assert resumed.returncode == 0, resumed.stderr[-1500:]
        self._settle(resumed)

    @rule(nth=st.integers(1, 12))
    def index_migration_fails(self, nth: int) -> None:
        """The disk fills up while a fresh index is being migrated: one line, and the next
        command finds an index it can use (each migration is one transaction)."""
        for db in (self.root / "runs").glob("overseer.db*"):
            db.unlink()
        failed = overseer_process("stats", cwd=self.root, env={"OVERSEER_FAULT": f"migrate:statement#{nth}!io"},
                                  timeout=120)
        assert failed.returncode in (0, 1) and "Traceback" not in failed.stderr, failed.stderr[-1500:]
        assert overseer("stats", cwd=self.root).returncode == 0

    @rule()
    def index_opened_by_three_at_once(self) -> None:
        for db in (self.root / "runs").glob("overseer.db*"):
            db.unlink()
        procs = [subprocess.Popen([sys.executable, "-m", "overseer", "stats"], cwd=self.root,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        for proc in procs:
            _, stderr = proc.communicate(timeout=120)
            assert proc.returncode == 0, stderr[-1500:]

    @rule()
    def a_middle_line_is_corrupted(self) -> None:
        """An indexed JSONL damaged in place: commands stop with one line until `index --rebuild`
        sets the line aside; then everything works again."""
        logs = sorted((self.root / "runs" / "toy").glob("2*.jsonl"))
        lines = logs[0].read_bytes().splitlines(keepends=True) if logs else []
        if len(lines) < 3:
            return
        lines[len(lines) // 2] = b"\x00garbage\xff\n"
        logs[0].write_bytes(b"".join(lines))
        verified = overseer("verify", cwd=self.root)
        assert verified.returncode == 1 and "unreadable" in verified.stdout
        assert overseer("index", "--rebuild", cwd=self.root).returncode == 0
        assert overseer("verify", cwd=self.root).returncode == 0

    @rule()
    def roll_back(self) -> None:
        result = overseer("rollback", "toy", "--reason", "stateful", cwd=self.root)
        if result.returncode == 0:
            self.last_kept = (self.root / "prompts" / "system.md").read_text()
            assert self.last_kept in self.kept
        else:
            assert result.returncode == 2 and "Traceback" not in result.stderr

    def _pending_text(self) -> str | None:
        for path in sorted((self.root / "runs" / "toy").glob("*.state.json")):
            state = json.loads(path.read_text())
            if state.get("pending"):
                return state["pending"]["text"]
        return None

    # ---- invariants ---------------------------------------------------------------------------

    @invariant()
    def prompt_is_a_kept_version(self) -> None:   # invariant 1
        if hasattr(self, "root"):
            assert (self.root / "prompts" / "system.md").read_text() in self.kept | {self._pending_text()}

    @invariant()
    def head_holds_the_last_kept_text(self) -> None:
        if hasattr(self, "root") and self._pending_text() is None:
            assert git(self.root, "show", "HEAD:prompts/system.md") == self.last_kept
            assert (self.root / "prompts" / "system.md").read_text() == self.last_kept

    @invariant()
    def records_whole_and_unmerged(self) -> None:  # invariant 2
        if not hasattr(self, "root"):
            return
        ids: list[str] = []
        for log in (self.root / "runs" / "toy").glob("2*.jsonl"):
            records, _ = read_records(log)
            ids += [r.record_id for r in records]
        assert len(ids) == len(set(ids))
        read_jsonl(self.root / "runs" / "toy" / "registry.jsonl", PromptVersion) \
            if (self.root / "runs" / "toy" / "registry.jsonl").exists() else None

    @invariant()
    def lock_is_free(self) -> None:                # invariant 4: nobody holds the target now
        if hasattr(self, "root"):
            assert not (self.root / "runs" / "toy" / ".lock.pid").exists() or \
                overseer("history", "toy", cwd=self.root).returncode == 0

    @invariant()
    def commits_touch_only_prompt_and_diffs(self) -> None:   # invariant 5
        if not hasattr(self, "root"):
            return
        for sha in git(self.root, "log", "--format=%H").split()[:-2]:
            for path in git(self.root, "show", "--name-only", "--format=", sha).split():
                assert path == "prompts/system.md" or path.startswith("diffs/toy/"), path
        assert git(self.root, "status", "--porcelain", "--untracked-files=no") == ""

    @invariant()
    def index_equals_a_rebuild(self) -> None:
        runs = getattr(self, "root", None)
        if runs is None or not (runs / "runs" / "overseer.db").exists():
            return
        with open_store(runs / "runs") as store:
            incremental = {k: v for k, v in store.dump().items() if k != "sources"}
        copy = self.tmp / "rebuilt"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(runs / "runs", copy, ignore=shutil.ignore_patterns("overseer.db*"))
        rebuild(copy)
        with open_store(copy, update=False) as store:
            assert {k: v for k, v in store.dump().items() if k != "sources"} == incremental


LoopMachine.TestCase.settings = settings(
    max_examples=10, stateful_step_count=8, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestLoopMachine = LoopMachine.TestCase

