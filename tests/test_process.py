from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from overseer.process import RUN_VAR, Cancelled, cancel_all, marked_pids, reset_cancel, run_process


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


def _escapee(tmp_path: Path) -> None:
    """A script that writes its pid once it has escaped, then sleeps with the run's stdout open."""
    (tmp_path / "escapee.sh").write_text("echo $$ > escaped.tmp; mv escaped.tmp escaped.pid; exec sleep 300\n")


@pytest.mark.parametrize("escape", [
    "setsid sh escapee.sh &",                            # a new session
    "sh -c 'setsid sh escapee.sh &' &",                  # a daemon's double fork
    "bash -c 'set -m; sh escapee.sh &'",                 # its own process group
])
def test_a_descendant_that_leaves_the_process_group_does_not_outlive_its_run(
        tmp_path: Path, escape: str) -> None:
    _escapee(tmp_path)
    result = _run(tmp_path, f"{escape}\nwhile [ ! -f escaped.pid ]; do sleep 0.01; done; echo done",
                  timeout=60)
    assert result.exit_code == 0 and not result.timed_out
    assert (tmp_path / "out").read_text() == "done\n"
    assert _wait_dead([int((tmp_path / "escaped.pid").read_text())])


def test_a_survivor_holding_stdout_open_does_not_stall_the_run(tmp_path: Path) -> None:
    """The survivor is killed, so the output pipe closes and the drains end without waiting."""
    _escapee(tmp_path)
    result = _run(tmp_path, "setsid sh escapee.sh & while [ ! -f escaped.pid ]; do sleep 0.01; done; "
                  "echo early", timeout=60)
    assert result.exit_code == 0
    assert (tmp_path / "out").read_text() == "early\n"
    assert _wait_dead([int((tmp_path / "escaped.pid").read_text())])


def test_a_killed_overseer_takes_its_runs_with_it(tmp_path: Path) -> None:
    """SIGKILL of the process running commands: its watchdog kills what those runs started."""
    _escapee(tmp_path)
    script = tmp_path / "host.py"
    script.write_text(
        "import os, sys\n"
        "from pathlib import Path\n"
        "from overseer.process import run_process\n"
        "d = Path(sys.argv[1])\n"
        "run_process('setsid sh escapee.sh & echo $$ > leader.tmp; mv leader.tmp leader.pid; sleep 300',\n"
        "            cwd=d, env=dict(os.environ), timeout_s=600, stdout_path=d / 'out',\n"
        "            stderr_path=d / 'err', output_cap=1000)\n"
    )
    host = subprocess.Popen([sys.executable, str(script), str(tmp_path)])
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / n).is_file() for n in ("escaped.pid", "leader.pid")):
            assert time.monotonic() < deadline and host.poll() is None, "the runs never started"
            time.sleep(0.05)
        pids = [int((tmp_path / n).read_text()) for n in ("escaped.pid", "leader.pid")]
        host.kill()
        host.wait()
        assert _wait_dead(pids, seconds=30), f"still alive: {[p for p in pids if _alive(p)]}"
    finally:
        host.kill()


def test_marked_pids_finds_a_run_by_its_whole_id_only(tmp_path: Path) -> None:
    env = {**os.environ, RUN_VAR: "feedface:12"}
    other = {**os.environ, RUN_VAR: "feedface:123"}
    procs = [subprocess.Popen(["sleep", "300"], env=e) for e in (env, other)]
    try:
        assert marked_pids("feedface:12") == [procs[0].pid]
        assert sorted(marked_pids("feedface:")) == sorted(p.pid for p in procs)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
