from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.optimize.state import latest_session, latest_unfinished, new_state, save_state
from overseer.prompts import prompt_hash


def test_a_saved_state_reads_back_and_moves_with_the_prompt(tmp_path: Path) -> None:
    state = new_state("codewriter", "start\n", commit=True)
    state.move_to("edited\n")
    save_state(tmp_path, state)
    back = latest_session(tmp_path)
    assert back == state and back.current_hash == prompt_hash("edited\n") and back.start_length == 6
    assert not list(tmp_path.glob("*.tmp*"))   # written atomically: no temp file left


def test_only_the_newest_session_is_resumable(tmp_path: Path) -> None:
    assert latest_unfinished(tmp_path) is None
    older = new_state("t", "p", commit=False)
    save_state(tmp_path, older)
    assert latest_unfinished(tmp_path) == older
    # session ids start with the UTC second they started in
    newer = older.model_copy(update={"session_id": "29991231T000000Z-000000", "finished": True})
    save_state(tmp_path, newer)
    assert latest_session(tmp_path) == newer and latest_unfinished(tmp_path) is None


def test_an_unreadable_state_is_one_line_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "zz.state.json").write_text("{")
    with pytest.raises(FatalError, match=r"zz\.state\.json: unreadable session state"):
        latest_session(tmp_path)
