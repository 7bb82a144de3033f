"""Keeping an accepted edit, and recording one that was not kept.

Crash safety: an accepted edit is first saved as ``pending`` in the session's state file; then the
prompt file is replaced atomically, the diffs/ record written, the commit made and the registry
appended. Every step is idempotent, so ``--resume`` after a kill at any point finishes the pending
accept, and the prompt file is always either the last accepted text or the new accepted text.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from overseer.decision import NOT_EVIDENCE, Decision
from overseer.edits import EditRejected, apply_edit
from overseer.errors import FatalError
from overseer.faults import checkpoint
from overseer.optimize.setup import Setup
from overseer.optimize.state import Pending, SessionState, save_state
from overseer.optimize.writeup import commit_message, decision_markdown
from overseer.prompts import extract_prompt, prompt_hash, read_source, replace_prompt
from overseer.registry import PromptVersion, TargetLog
from overseer.vcs import atomic_write, commit_paths, head_bytes, sync_index


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "edit"


def next_number(diffs_dir: Path) -> int:
    """The number of the next diffs/ record: one more than the highest there."""
    numbers = [int(p.name[:4]) for p in diffs_dir.glob("[0-9][0-9][0-9][0-9]-*.diff")] \
        if diffs_dir.exists() else []
    return max(numbers, default=0) + 1


def diff_paths(diffs_dir: Path, pending: Pending) -> tuple[Path, Path]:
    kind = pending.decision.edit.kind if pending.decision.edit else ""
    stem = f"{pending.number:04d}-{_slug(kind or pending.decision.hypothesis)}"
    return diffs_dir / f"{stem}.diff", diffs_dir / f"{stem}.md"


def uncommitted_changes(setup: Setup) -> str:
    """The diff from HEAD to the prompt file as it is now, when it has uncommitted changes (a
    session under --allow-dirty): committing a kept edit commits them too, so its record says so."""
    if setup.repo is None:
        return ""
    head = head_bytes(setup.repo, setup.prompt_path)
    now = setup.prompt_path.read_bytes()
    if head is None or head == now:
        return ""
    name = setup.prompt_path.name
    return "".join(difflib.unified_diff(
        head.decode("utf-8", errors="replace").splitlines(keepends=True),
        now.decode("utf-8", errors="replace").splitlines(keepends=True),
        f"HEAD:{name}", f"uncommitted:{name}"))


def _swept_note(pending: Pending) -> str:
    """What a commit message adds when the commit also carries uncommitted prompt changes."""
    return ("\n\nAlso commits uncommitted changes the prompt file had before the edit\n"
            "(--allow-dirty); its diffs/ record shows them.") if pending.swept else ""


def _swept_section(pending: Pending) -> str:
    """The diffs/ record's section showing those changes."""
    return ("\n## Uncommitted changes committed with it\n\nThe prompt file had changes not in HEAD "
            "when this edit was kept (--allow-dirty); the commit carries them too:\n\n"
            f"```diff\n{pending.swept}```\n") if pending.swept else ""


def _write_prompt(setup: Setup, pending: Pending) -> bytes:
    """The prompt file with the accepted text in place (written only if it is not there yet)."""
    path, decision = setup.prompt_path, pending.decision
    source = read_source(path)
    now = prompt_hash(extract_prompt(source, setup.target.prompt, str(path)))
    if now not in (decision.parent_hash, decision.candidate_hash):
        raise FatalError(f"{path}: changed by someone else while an accepted edit "
                         "was being kept; resolve it by hand, then start a new session")
    new_source = replace_prompt(source, setup.target.prompt, pending.text, str(path))
    if new_source != source:
        atomic_write(path, new_source.encode("utf-8"))
    return new_source.encode("utf-8")


def _commit(setup: Setup, new_source: bytes, paths: list[Path], message: str) -> str | None:
    repo = setup.repo
    if repo is None:
        return None
    if head_bytes(repo, setup.prompt_path) != new_source or head_bytes(repo, paths[1]) is None:
        return commit_paths(repo, paths, message)
    sync_index(repo, paths)  # committed before an interruption; only the user's index may lag behind
    return str(repo.head.commit.hexsha)


def keep_accepted(setup: Setup, state: SessionState, log: TargetLog) -> str | None:
    """Finish the pending accept of ``state`` and return its commit (None without one)."""
    pending = state.pending
    assert pending is not None
    decision = pending.decision
    new_source = _write_prompt(setup, pending)
    diff_path, md_path = diff_paths(setup.diffs_dir, pending)
    atomic_write(diff_path, decision.diff.encode("utf-8"), fault_prefix="diff-write")
    markdown = decision_markdown(decision, pending.number) + _swept_section(pending)
    atomic_write(md_path, markdown.encode("utf-8"), fault_prefix="diff-write")
    checkpoint("diffs:written")
    sha = _commit(setup, new_source, [setup.prompt_path, diff_path, md_path],
                  commit_message(decision) + _swept_note(pending)) if state.commit else None
    log.add_decision(decision)
    log.add_version(_version(decision, pending.text, "accepted", state.session_id, commit=sha))
    checkpoint("registry:appended")
    state.move_to(pending.text)
    state.consecutive_rejections = 0
    state.iteration = max(state.iteration, decision.iteration + 1)
    state.pending = None
    save_state(setup.directory, state)
    return sha


def record_not_kept(setup: Setup, state: SessionState, decision: Decision, log: TargetLog) -> None:
    """A decision that was not accepted: logged, its candidate registered as rejected. An
    inconclusive one (too many infrastructure failures), an unfinished one (the run budget ended
    its test) or an unproven one (its test ran out of rounds, still promising) is logged only: it
    is no evidence against the edit; only the unproven one counts toward the plateau."""
    log.add_decision(decision)
    if decision.candidate_hash and decision.edit is not None \
            and decision.outcome != "invalid" and decision.outcome not in NOT_EVIDENCE:
        log.add_version(_version(decision, candidate_text(state.current_text, decision), "rejected",
                                 state.session_id, reason=decision.reason))
    checkpoint("decision:recorded")
    # a vetoed proposal cost no run: it is evidence against the edit, not toward the plateau
    state.consecutive_rejections += (decision.outcome not in NOT_EVIDENCE and decision.outcome != "vetoed") \
        or decision.outcome == "unproven"
    state.iteration = decision.iteration + 1
    save_state(setup.directory, state)


def _version(decision: Decision, text: str, status: str, session_id: str, *,
             commit: str | None = None, reason: str = "") -> PromptVersion:
    return PromptVersion.model_validate({
        "hash": prompt_hash(text) if status == "accepted" else decision.candidate_hash,
        "parent": decision.parent_hash, "status": status, "text": text, "edit": decision.edit,
        "decision_id": decision.decision_id, "session_id": session_id, "reason": reason,
        "train_pass_rate": decision.train_after.pass_rate if decision.train_after else None,
        "holdout_pass_rate": decision.holdout_after.pass_rate if decision.holdout_after else None,
        "commit": commit,
    })


def candidate_text(parent: str, decision: Decision) -> str:
    """The text a decision's edit made from ``parent`` (for the registry of rejected versions)."""
    if decision.edit is None:
        return ""
    try:
        return apply_edit(parent, decision.edit, start_length=len(parent), max_edit_chars=10**9,
                          max_growth=10.0).text
    except EditRejected:
        return ""

