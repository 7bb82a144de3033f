"""The clocks of a run's timeout: the CPU time of a process group, with a backstop for idleness
that does not count waiting for a CPU. Through run_process, as a check is run."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from overseer.cpuclock import GroupMeter
from overseer.process import run_process


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

@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_a_loop_starved_of_cpu_by_a_loaded_machine_still_times_out_and_is_not_stalled(tmp_path: Path) -> None:
    """Nine spinning neighbours on the same CPU leave the check a tenth of it: its 0.1 s of CPU takes
    about 1 s, twice the backstop's 0.5 s, but that time was spent waiting for the CPU, not idle.
    (Each neighbour has its own session, as the check does: with autogroup scheduling the kernel
    shares a CPU fairly between sessions, not processes.)"""
    cpu = str(max(os.sched_getaffinity(0)))
    spin = ["taskset", "-c", cpu, "sh", "-c", "while :; do :; done"]
    neighbours = [subprocess.Popen(spin, start_new_session=True) for _ in range(9)]
    time.sleep(0.3)  # all spinning before the check starts
    try:
        result = _cpu(tmp_path, shlex.join(spin), timeout=0.1)
    finally:
        for neighbour in neighbours:
            neighbour.kill()
            neighbour.wait()
    assert result.timed_out and not result.stalled, result
    assert result.cpu_s is not None and result.cpu_s > 0.1
    assert result.waited_s is not None and result.duration_s > 0.5 and result.waited_s > 0.3, result


def test_the_meter_reads_a_groups_cpu_time_and_never_goes_down() -> None:
    proc = subprocess.Popen(["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 5"],
                            start_new_session=True)
    try:
        meter = GroupMeter(proc.pid)
        first = meter.read()
        assert first is not None
        time.sleep(0.5)
        later = meter.read()
        assert later is not None and later[0] >= first[0] and later[1] >= first[1] >= 0
    finally:
        proc.kill()
        proc.wait()
