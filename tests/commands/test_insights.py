from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, overseer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = REPO_ROOT / "test-artifacts"


@pytest.fixture
def report(optimized: Path) -> Path:
    result = overseer("report", "toy", "-o", "report.html", cwd=optimized)
    assert result.returncode == 0, result.stderr
    return optimized / "report.html"


def test_report_is_one_self_contained_file(report: Path) -> None:
    text = report.read_text()
    assert "<script src" not in text and "<link" not in text and "url(" not in text
    assert not re.search(r"(src|href)=[\"']?https?:", text)
    data = json.loads(re.search(r'<script id="report-data" type="application/json">(.*?)</script>', text, re.S).group(1))
    assert len(data["versions"]) == 2 and len(data["heat"]) == 20
    assert "+Be careful. GOOD" in text  # the kept decision's diff


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic", f"--user-data-dir={cwd / 'chromium-profile'}", "--enable-logging=stderr",
         "--v=0", "--virtual-time-budget=5000", *args],
        capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); "
                                             ".ci/run installs it")
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    dom = _chromium("--dump-dom", report.as_uri(), cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []  # no console error (nor any console output at all)
    html = dom.stdout
    assert 'data-rendered="yes"' in html
    assert html.count('data-series="train"') == 2 and html.count('data-series="holdout"') == 2
    assert html.count("data-rate=") == 20            # 10 tasks × 2 kept versions
    assert html.count('data-kind="add-constraint:good"') == 1
    assert html.count('class="decision"') == 2
    assert 'data-chart="classes"' in html and "data-class=" in html
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    taken = _chromium(f"--screenshot={shot}", "--window-size=1200,2200", report.as_uri(), cwd=tmp_path)
    assert taken.returncode == 0 and shot.stat().st_size > 10_000


def test_export_traces_only_passing_runs(optimized: Path, tmp_path: Path) -> None:
    out = tmp_path / "traces.jsonl"
    result = overseer("export-traces", "toy", "--format", "openai-chat", "-o", str(out), cwd=optimized)
    assert result.returncode == 0, result.stderr
    traces = [json.loads(line) for line in out.read_text().splitlines()]
    # GOOD: 10 runs and 8 run again side by side with the parent (to compare run times); the
    # rejected "GOOD GOOD": 8 (its holdout was not run)
    assert len(traces) == 26
    for trace in traces:
        system, user, assistant = trace["messages"]
        assert system["role"] == "system" and "GOOD" in system["content"]
        assert user["content"] == "Say ok." and assistant["content"] == "ok\n"
    good = json.loads(overseer("history", "toy", "--json", cwd=optimized).stdout)[1]["hash"]
    only = tmp_path / "only.jsonl"
    assert overseer("export-traces", "toy", "-o", str(only), "--version", good[:8], cwd=optimized).returncode == 0
    assert len(only.read_text().splitlines()) == 18  # 10 and the 8 timed side by side
    bad = overseer("export-traces", "toy", "-o", str(only), "--format", "alpaca", cwd=optimized)
    assert bad.returncode == 2 and "only openai-chat" in bad.stderr


def test_insights_lists_effects_and_trend(optimized: Path) -> None:
    facts = json.loads(overseer("insights", "toy", "--json", cwd=optimized).stdout)
    effects = {e["kind"]: e for e in facts["effects"]}
    assert effects["add-constraint:good"]["attempts"] == 2 and effects["add-constraint:good"]["accepted"] == 1
    assert [t["status"] for t in facts["trend"]] == ["baseline", "accepted"]
    assert facts["trend"][0]["train"] == 0.0 and facts["trend"][1]["train"] == 1.0
    assert facts["window"]["attempts"] == 2
    assert facts["by_model"] and facts["by_complexity"][0]["complexity"] == 1
