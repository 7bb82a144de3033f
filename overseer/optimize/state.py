"""A session's state on disk (``runs/<target>/<session>.state.json``): what a kill leaves behind
and ``--resume`` reads back. Written atomically after every step that changes it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from overseer.decision import Decision
from overseer.errors import FatalError
from overseer.faults import checkpoint
from overseer.prompts import prompt_hash
from overseer.records import new_session_id, now_iso
from overseer.vcs import atomic_write, remove_stale_temps


class Pending(BaseModel):
    """An accepted edit whose keeping (write, diffs/, commit, registry) has not finished."""

    model_config = ConfigDict(extra="forbid")
    decision: Decision
    text: str
    number: int
    swept: str = ""   # uncommitted changes to the prompt file the commit also carries (a diff)


class SessionState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str
    target: str
    started_at: str
    commit: bool
    start_hash: str
    start_length: int
    current_hash: str
    current_text: str
    start_text: str = ""   # the session's starting prompt ("" in states saved before it was kept)
    iteration: int = 0
    consecutive_rejections: int = 0
    runs_used: int = 0
    batches: int = 0  # batches of runs made so far; a batch's id is "<session>:<number>"
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    pending: Pending | None = None
    finished: bool = False
    stop_reason: str = ""
    drift: str = ""  # what the drift probe found, when it found the reused baseline changed

    def move_to(self, text: str) -> None:
        """The prompt in the file is now ``text``."""
        self.current_text, self.current_hash = text, prompt_hash(text)


def new_state(target: str, text: str, *, commit: bool) -> SessionState:
    return SessionState(
        session_id=new_session_id(), target=target, started_at=now_iso(), commit=commit,
        start_hash=prompt_hash(text), start_length=len(text),
        current_hash=prompt_hash(text), current_text=text, start_text=text,
    )


def _path(directory: Path, session_id: str) -> Path:
    return directory / f"{session_id}.state.json"


def save_state(directory: Path, state: SessionState) -> None:
    atomic_write(_path(directory, state.session_id), state.model_dump_json(indent=1).encode(),
                 fault_prefix="state-write")
    checkpoint("state:saved")


def remove_stale_state_temps(directory: Path) -> None:
    for state_file in directory.glob("*.state.json"):
        remove_stale_temps(state_file)


def latest_session(directory: Path) -> SessionState | None:
    """The newest session of the target (finished or not)."""
    for path in sorted(directory.glob("*.state.json"), reverse=True):
        try:
            return SessionState.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise FatalError(f"{path}: unreadable session state: {exc}") from None
    return None


def latest_unfinished(directory: Path) -> SessionState | None:
    """The session ``--resume`` continues: the newest one, if it did not finish. An interrupted
    session followed by one that finished is superseded (that later session started from the
    prompt as it was, and whatever it kept is newer), so there is nothing to resume."""
    state = latest_session(directory)
    return state if state is not None and not state.finished else None
