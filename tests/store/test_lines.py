from __future__ import annotations

from pathlib import Path

import pytest

from overseer.decision import Decision
from overseer.store.lines import Unreadable, row_of, set_aside_unreadable, split_lines, unreadable_why
from tests.helpers import make_run


def test_lines_are_cut_only_after_a_newline() -> None:
    assert split_lines(b"a\r\nb\rc\ntorn") == [b"a\r\n", b"b\rc\n", b"torn"]
    assert split_lines(b"") == []


def test_a_line_the_index_cannot_hold_says_why() -> None:
    good = make_run("a", True).model_dump_json().encode()
    assert row_of("runs", good, "toy")["task_id"] == "a"
    assert row_of("decisions", Decision(outcome="accepted").model_dump_json().encode(), "toy")["target"] == "toy"
    with pytest.raises(Unreadable, match="not UTF-8 at byte 0"):
        row_of("runs", b"\xff{}", "toy")
    with pytest.raises(Unreadable, match="not a valid line"):
        row_of("runs", b'{"task_id": 3}', "toy")
    huge = good.replace(b'"repeat":0', b'"repeat":99999999999999999999')
    assert unreadable_why("runs", huge, "toy") == "repeat is too large a number for the index"
    assert unreadable_why("runs", good, "toy") is None


def test_unreadable_lines_are_set_aside_and_the_rest_kept_in_order(tmp_path: Path) -> None:
    path = tmp_path / "toy" / "s1.jsonl"
    path.parent.mkdir()
    lines = [make_run(t, True).model_dump_json().encode() + b"\n" for t in ("a", "b")]
    path.write_bytes(lines[0] + b"not json\n" + lines[1])
    warnings = set_aside_unreadable(path)
    assert len(warnings) == 1 and warnings[0].startswith(f"{path}:2: unreadable")
    assert path.read_bytes() == lines[0] + lines[1]
    assert (tmp_path / "toy" / "s1.jsonl.unreadable").read_bytes() == b"not json\n"
    assert set_aside_unreadable(path) == []
