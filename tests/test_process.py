from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from overseer.process import Cancelled, cancel_all, reset_cancel, run_process


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie waiting for init to reap it is dead


def _run(tmp_path: Path, command: str, timeout: float, cap: int = 1_000_000, grace: float = 0.5):
    return run_process(command, cwd=tmp_path, env=dict(os.environ), timeout_s=timeout,
                       stdout_path=tmp_path / "out", stderr_path=tmp_path / "err",
                       output_cap=cap, grace_s=grace)


def _wait_dead(pids: list[int], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def test_timeout_kills_command_and_grandchild(tmp_path: Path) -> None:
    script = "sleep 300 & echo $! > grandchild.pid; echo $$ > leader.pid; sleep 300"
    started = time.monotonic()
    result = _run(tmp_path, script, timeout=1.0)
    assert result.timed_out and result.exit_code is None
    assert time.monotonic() - started < 10
    pids = [int((tmp_path / n).read_text()) for n in ("leader.pid", "grandchild.pid")]
    assert _wait_dead(pids), f"still alive: {[p for p in pids if _alive(p)]}"


def test_child_ignoring_term_is_killed_after_grace(tmp_path: Path) -> None:
    script = "trap '' TERM; (trap '' TERM; sleep 300) & echo $! > child.pid; sleep 300"
    result = _run(tmp_path, script, timeout=0.5, grace=0.3)
    assert result.timed_out
    assert _wait_dead([int((tmp_path / "child.pid").read_text())])


def test_background_child_does_not_outlive_a_finished_command(tmp_path: Path) -> None:
    result = _run(tmp_path, "sleep 300 & echo $! > bg.pid; exit 3", timeout=30)
    assert result.exit_code == 3 and not result.timed_out
    assert _wait_dead([int((tmp_path / "bg.pid").read_text())])


def test_output_is_capped(tmp_path: Path) -> None:
    result = _run(tmp_path, "head -c 3000000 /dev/zero | tr '\\0' x; echo err >&2", timeout=30,
                  cap=10_000)
    assert result.exit_code == 0
    data = (tmp_path / "out").read_bytes()
    assert data.startswith(b"x" * 10_000) and len(data) < 10_200
    assert b"2990000 more dropped" in data
    assert (tmp_path / "err").read_text() == "err\n"


def test_cancel_all_stops_running_commands_and_refuses_new_ones(tmp_path: Path) -> None:
    reset_cancel()
    results = []
    thread = threading.Thread(target=lambda: results.append(_run(tmp_path, "sleep 300", 120)))
    thread.start()
    time.sleep(0.5)
    cancel_all()
    thread.join(timeout=10)
    try:
        assert not thread.is_alive()
        assert results[0].cancelled
        with pytest.raises(Cancelled):
            _run(tmp_path, "true", 10)
    finally:
        reset_cancel()


def _cpu(tmp_path: Path, command: str, timeout: float):
    return run_process(command, cwd=tmp_path, env=dict(os.environ), timeout_s=timeout,
                       stdout_path=tmp_path / "out", stderr_path=tmp_path / "err",
                       output_cap=1_000_000, grace_s=0.5, clock="cpu")


def test_cpu_clock_times_out_an_endless_loop_in_a_grandchild(tmp_path: Path) -> None:
    result = _cpu(tmp_path, "sh -c 'while :; do :; done'", timeout=0.5)
    assert result.timed_out and not result.stalled and result.exit_code is None
    assert result.cpu_s is not None and result.cpu_s > 0.5


def test_cpu_clock_does_not_count_waiting(tmp_path: Path) -> None:
    """1.5 s of waiting (as a check waits on a busy machine) is not 1 s of work."""
    result = _cpu(tmp_path, "sleep 1.5; echo done", timeout=1.0)
    assert not result.timed_out and result.exit_code == 0 and result.duration_s >= 1.5
    assert result.cpu_s is not None and result.cpu_s < 0.5


def test_cpu_clock_has_a_wall_clock_backstop(tmp_path: Path) -> None:
    result = _cpu(tmp_path, "sleep 30", timeout=0.2)
    assert result.timed_out and result.stalled
    assert result.duration_s < 10
