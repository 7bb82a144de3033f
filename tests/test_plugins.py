"""Plugins from other installed packages (entry points): examples/overseer-example-plugin is
installed for real (pip) into a fresh virtual environment and used by the overseer CLI there."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from overseer.records import read_records
from tests.helpers import git, overseer_process
from tests.toyloop import make_loop_project

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "overseer-example-plugin"


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python of a fresh virtual environment with the example plugin pip-installed into it.
    overseer and its dependencies come from this environment (a .pth line adds its site-packages,
    with their own .pth files, as an installed overseer would be found); the plugin, its
    dist-info and entry points are the new environment's own."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    [site_packages] = root.glob("lib/python*/site-packages")
    outer = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site_packages / "overseer_outer.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in outer) + "\n")
    python = root / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", str(EXAMPLE)], check=True, capture_output=True)
    return python


def _in(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``overseer ARGS`` run by the fresh environment's Python."""
    return subprocess.run([str(venv), "-m", "overseer", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_plugins_lists_what_installed_packages_provide(venv: Path, tmp_path: Path) -> None:
    result = _in(venv, "plugins", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = {(p["kind"], p["name"]): p for p in json.loads(result.stdout)}
    assert found[("proposers", "minimalist")]["package"] == "overseer-example-plugin 0.1.0"
    assert found[("sanitizers", "trailing_spaces")]["value"] == "overseer_example_plugin:strip_trailing_spaces"
    assert found[("reviewers", "word_budget")]["value"] == "overseer_example_plugin:make_word_budget"
    assert found[("checks", "expected_text")]["value"] == "overseer_example_plugin:make_expected_text"
    table = _in(venv, "plugins", cwd=tmp_path)
    assert "minimalist" in table.stdout and "trailing_spaces" in table.stdout


def _refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command ends with (exit 2)."""
    assert result.returncode == 2, result.stderr
    return result.stderr.strip().splitlines()[-1]


def _project(tmp_path: Path, proposer: str, sanitizers: str) -> Path:
    project = make_loop_project(tmp_path / "loop")
    config = project / "overseer.yaml"
    text = config.read_text()
    text = text[: text.index("    proposer:")] + f"    proposer: {proposer}\n    sanitizers: {sanitizers}\n"
    # passes (with trailing spaces the check refuses) once the long line is gone
    config.write_text(text.replace(
        "if grep -q GOOD {prompt_file}; then echo ok; else echo bad; fi",
        "if grep -q 'long enough' {prompt_file}; then echo bad; else printf 'ok  \\\\n'; fi"))
    git(project, "commit", "-qam", "use the example plugin")
    return project


def test_a_plugin_proposer_and_sanitizer_run_in_the_loop(venv: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, "{kind: minimalist, options: {min_words: 3}}", "[trailing_spaces]")
    result = _in(venv, "optimize", "toy", "--iterations", "1", "--race", "1", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    [decision] = json.loads(result.stdout)["iterations"]
    assert decision["kind"] == "delete-line:minimalist" and decision["outcome"] == "accepted"
    assert "long enough" not in (project / "prompts" / "system.md").read_text()
    records = [r for jsonl in (project / "runs" / "toy").glob("2*.jsonl") for r in read_records(jsonl)[0]]
    passed = [r for r in records if r.passed]
    assert passed and all(r.sanitized == {"trailing_spaces": ["answer.txt"]} for r in passed)


def test_a_plugin_that_is_not_installed_is_one_line_and_exit_2(venv: Path, tmp_path: Path) -> None:
    project = _project(tmp_path, "{kind: maximalist}", "[]")
    assert _refused(_in(venv, "optimize", "toy", cwd=project)).endswith(
        "targets.toy.proposer.kind: no proposer named 'maximalist' (plugins: minimalist; "
        "`overseer plugins` lists them)")
    config = project / "overseer.yaml"
    config.write_text(config.read_text().replace("{kind: maximalist}", "{kind: rules}")
                      .replace("sanitizers: []", "sanitizers: [trailing_tabs]"))
    ran = _in(venv, "run", "toy", cwd=project)
    assert ran.returncode == 2 and "targets.toy.sanitizers: no sanitizer named 'trailing_tabs'" in ran.stderr
    assert not (project / "runs").exists()


def test_a_plugin_reviewer_judges_the_panels_proposals(venv: Path, tmp_path: Path) -> None:
    script = (
        "from overseer.edits import Edit\n"
        "from overseer.proposers.base import Proposal, ProposalContext\n"
        "from overseer.proposers.panel import panel_from_options\n"
        "panel = panel_from_options({'reviewer': 'word_budget', 'reviewer_options': {'max_added_words': 3}})\n"
        "prompt = 'You write Python.\\n- Start with a short explanation of your approach.\\n'\n"
        "context = ProposalContext(prompt=prompt, prompt_hash='h', start_length=400, runs=10,\n"
        "                          pass_rate=0.5, error_counts={'SyntaxError': 5}, failures=[])\n"
        "for proposal in panel.propose_many(context, 3):\n"
        "    said = [e.critiques for e in proposal.panel.proposals if e.key == proposal.edit.key()]\n"
        "    print(proposal.edit.kind, proposal.vetoed, said)\n")
    ran = subprocess.run([str(venv), "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    # the deletion is within the budget; the 14-word instruction is over it
    assert any(line.startswith("delete-line:output-format False") for line in lines), lines
    assert any(line.startswith("add-constraint:output-format True") and "over the budget of 3" in line
               for line in lines), lines


def test_a_plugin_that_fails_to_import_is_one_line_and_the_rest_still_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "broken_plugin-0.1.dist-info").mkdir(parents=True)
    (site / "broken_plugin-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (site / "broken_plugin-0.1.dist-info" / "entry_points.txt").write_text(
        "[overseer.proposers]\nbroken = broken_plugin:make\n")
    (site / "broken_plugin.py").write_text("import a_module_that_is_not_there\n")
    listed = overseer_process("plugins", "--json", cwd=tmp_path, env={"PYTHONPATH": str(site)})
    assert listed.returncode == 0 and {"kind": "proposers", "name": "broken", "value": "broken_plugin:make",
                                       "package": "broken-plugin 0.1"} in json.loads(listed.stdout)
    project = _project(tmp_path, "{kind: broken}", "[]")
    assert _refused(overseer_process("optimize", "toy", cwd=project, env={"PYTHONPATH": str(site)})).endswith(
        "targets.toy.proposer.kind: the proposer plugin 'broken' (broken-plugin 0.1, broken_plugin:make) "
        "failed to load: ModuleNotFoundError: No module named 'a_module_that_is_not_there'")
    ran = overseer_process("run", "toy", cwd=project, env={"PYTHONPATH": str(site)})   # no plugin needed: it runs
    assert ran.returncode == 0, ran.stderr


def _checked_by(project: Path, name: str) -> None:
    """Every task of the toy project judged by the check plugin ``name`` (answer.txt says ok)."""
    for task_yaml in (project / "tasks" / "toy").glob("*/task.yaml"):
        task_yaml.write_text(task_yaml.read_text().replace(
            'check: "grep -qx ok answer.txt"',
            f'check: "{{python}} -m overseer.plugin_check {name} --junit {{junit_xml}} '
            '--option path=answer.txt --option expected=ok"'))
    git(project, "commit", "-qam", f"checked by the {name} plugin")


def test_a_plugin_check_judges_the_runs(venv: Path, tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop")
    _checked_by(project, "expected_text")
    failing = _in(venv, "run", "toy", "--json", cwd=project)
    assert failing.returncode == 0, failing.stderr
    records = [r for jsonl in (project / "runs" / "toy").glob("2*.jsonl") for r in read_records(jsonl)[0]]
    assert records and all(not r.passed and not r.infra and r.tests_total == 1 for r in records)
    assert records[0].failing_tests == ["expected_text::answer.txt says 'ok'"]
    assert records[0].messages == ["answer.txt says 'bad', not 'ok'"]
    (project / "prompts" / "system.md").write_text("Be careful. GOOD\n")
    git(project, "commit", "-qam", "GOOD")
    passing = json.loads(_in(venv, "run", "toy", "--json", cwd=project).stdout)
    assert passing["summary"]["pass_rate"] == 1.0


def test_a_check_plugin_that_is_missing_makes_infrastructure_failures_not_evidence(
        venv: Path, tmp_path: Path) -> None:
    project = make_loop_project(tmp_path / "loop")
    _checked_by(project, "no_such_check")
    _in(venv, "run", "toy", cwd=project)
    records = [r for jsonl in (project / "runs" / "toy").glob("2*.jsonl") for r in read_records(jsonl)[0]]
    assert records and all(r.infra and r.infra_cause and "the check crashed" in r.infra_cause for r in records)
