from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from overseer.cache import RunCache
from overseer.config import load_config
from overseer.records import read_records
from tests.fake_llm import FakeLLM
from tests.helpers import REPO_ROOT, TOY_CONFIG, git, make_toy_project, overseer, sigint_as_from_a_terminal
from tests.test_process import _wait_dead


def test_run_records_every_outcome_without_touching_user_files(toy_project: Path) -> None:
    before = {p: p.read_bytes() for p in toy_project.rglob("*") if p.is_file() and ".git" not in p.parts}
    result = overseer("run", "toy", "--json", cwd=toy_project)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["summary"]["pass_rate"] == 1.0 and facts["summary"]["runs"] == 2
    assert set(facts["splits"]) == {"train", "holdout"}
    assert facts["coupling"] is None   # no candidate compared with its parent yet
    assert "the seed's coupling: not measured yet" in result.stderr
    assert facts["summary"]["input_tokens"] == 2 * len("Be careful. GOOD\n")
    assert facts["summary"]["cost_usd"] == 0.002
    records, _ = read_records(Path(facts["jsonl"]))
    assert sorted(r.task_id for r in records) == ["add", "sub"]
    for record in records:
        assert record.passed and record.tests_total == 3 and record.score == 1.0
        assert record.usage is not None and record.usage.model == "toy"
        stdout = (toy_project / record.artifacts["command.stdout"]).read_text()
        assert "sk-abcdef" not in stdout and "[REDACTED]" in stdout
        assert "sk-abcdef" not in record.model_dump_json()
    after = {p: p.read_bytes() for p in toy_project.rglob("*")
             if p.is_file() and ".git" not in p.parts and "runs" not in p.parts}
    assert after == before
    assert git(toy_project, "status", "--porcelain") == ""
    assert git(toy_project, "worktree", "list").count("\n") == 1


def test_directory_without_git_uses_a_temp_copy(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "plain", with_git=False)
    result = overseer("run", "toy", "--tasks", "train", "--repeats", "2", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["summary"]["runs"] == 2 and facts["summary"]["pass_rate"] == 1.0


def test_failing_and_hanging_commands_are_classified(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    config = project / "overseer.yaml"
    config.write_text(TOY_CONFIG.replace('"{python} tool.py"', '"echo boom >&2; exit 4"'))
    facts = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    assert facts["summary"]["error_classes"] == {"CommandFailed": 2}
    records, _ = read_records(Path(facts["jsonl"]))
    assert records[0].messages == ["command exited with 4: boom"]
    config.write_text(TOY_CONFIG.replace('"{python} tool.py"', '"sleep 60"').replace("timeout_s: 30", "timeout_s: 0.5"))
    facts = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    assert facts["summary"]["error_classes"] == {"Timeout": 2}


def test_ctrl_c_stops_children_and_leaves_valid_records(toy_project: Path, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    config = toy_project / "overseer.yaml"
    config.write_text(TOY_CONFIG.replace('"{python} tool.py"', f'"echo $$ >> {pids}; sleep 120"'))
    git(toy_project, "commit", "-qam", "slow command")
    proc = subprocess.Popen([sys.executable, "-m", "overseer", "run", "toy", "--repeats", "3"],
                            cwd=toy_project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=sigint_as_from_a_terminal)
    deadline = time.monotonic() + 30
    while (not pids.exists() or pids.read_text().count("\n") < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert _wait_dead([int(p) for p in pids.read_text().split()])
    assert git(toy_project, "worktree", "list").count("\n") == 1
    for log in (toy_project / "runs" / "toy").glob("*.jsonl"):
        read_records(log)  # every line that was written is a whole record


def test_check_without_junit_is_judged_by_exit_code_with_its_reason(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    for name, check in (("add", "true"), ("sub", "echo judge broke >&2; exit 3")):
        task_yaml = project / "tasks" / "toy" / name / "task.yaml"
        task_yaml.write_text(task_yaml.read_text() + f"check: '{check}'\n")
    facts = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    records = {r.task_id: r for r in read_records(Path(facts["jsonl"]))[0]}
    assert records["add"].passed and records["add"].score == 1.0
    assert records["sub"].error_class == "CheckFailed"
    assert records["sub"].messages == ["check exited with 3: judge broke"]


def test_successes_are_sampled_failures_always_kept(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", prompt="careless\n", with_git=False)
    config = project / "overseer.yaml"
    config.write_text(config.read_text().replace("success_sample_rate: 1.0", "success_sample_rate: 0.0"))
    failing = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    for record in read_records(Path(failing["jsonl"]))[0]:
        assert not record.passed and record.output_kept and record.artifacts and record.output_bytes > 0
    (project / "prompts" / "system.md").write_text("GOOD\n")
    passing = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    for record in read_records(Path(passing["jsonl"]))[0]:
        assert record.passed and not record.output_kept and record.artifacts == {}
        assert record.output_dropped_bytes > 0 and record.tests_total == 3  # metrics stay


def test_sanitizers_fix_mechanical_damage_and_mark_the_run(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    tool = project / "tool.py"
    tool.write_text(tool.read_text().replace(
        'f"def {task}(a, b):\\n    return {body}\\n")',
        'f"Here you go:\\n```python\\ndef {task}(a, b):\\n    return {body}  # “sum” – done\\n```\\nBye\\n")'))
    plain = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    assert plain["summary"]["error_classes"] == {"SyntaxError": 2}
    records = read_records(Path(plain["jsonl"]))[0]
    assert {r.signature for r in records} == {"SyntaxError"}
    config = project / "overseer.yaml"
    config.write_text(config.read_text() + "    sanitizers: [strip_fences, smart_quotes, unicode_dashes]\n")
    fixed = json.loads(overseer("run", "toy", "--json", cwd=project).stdout)
    assert fixed["summary"]["pass_rate"] == 1.0
    for record in read_records(Path(fixed["jsonl"]))[0]:
        assert record.mechanical and record.sanitized == {
            "strip_fences": ["solution.py"], "smart_quotes": ["solution.py"], "unicode_dashes": ["solution.py"]}


def test_a_provider_error_is_retried_and_never_becomes_evidence(tmp_path: Path, fake_llm: FakeLLM) -> None:
    """The example command against a fake OpenAI server answering 429, then 200: the run is
    retried and recorded once, as the prompt's own outcome."""
    project = make_toy_project(tmp_path / "p")
    (project / "overseer.yaml").write_text(TOY_CONFIG.replace(
        '"{python} tool.py"',
        f'"{{python}} {REPO_ROOT}/examples/codewriter/codewriter.py --task-dir {{task_dir}} '
        f'--out {{workdir}}/solution.py --model openai:fake"').replace(
        "    jobs: 2\n", "    jobs: 1\n    infra: {retries: 2, backoff_s: 0.1}\n"))
    git(project, "commit", "-qam", "the example command against a fake server")
    both = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
    fake_llm.reply(status=429)
    fake_llm.reply(both)
    fake_llm.reply(both)
    result = overseer("run", "toy", "--json", cwd=project,
                      env={"OPENAI_BASE_URL": f"{fake_llm.base_url}/v1", "OPENAI_API_KEY": "sk-test"})
    assert result.returncode == 0, result.stderr
    records, _ = read_records(Path(json.loads(result.stdout)["jsonl"]))
    assert sorted((r.passed, r.infra, r.attempts) for r in records) == [(True, False, 1), (True, False, 2)]
    assert len(fake_llm.requests) == 3


def test_a_provider_that_keeps_failing_is_recorded_as_infrastructure(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p")
    (project / "overseer.yaml").write_text(TOY_CONFIG.replace('"{python} tool.py"', '"exit 75"').replace(
        "    jobs: 2\n", "    jobs: 2\n    infra: {retries: 1, backoff_s: 0}\n"))
    git(project, "commit", "-qam", "a command whose provider is down")
    result = overseer("run", "toy", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    records, _ = read_records(Path(json.loads(result.stdout)["jsonl"]))
    assert [(r.infra, r.attempts) for r in records] == [(True, 2), (True, 2)]
    assert records[0].infra_cause == "provider error: the command exited with 75"
    assert "not evidence about the prompt: 2 of 2 runs failed for infrastructure reasons" in result.stderr


def test_a_check_slowed_by_waiting_is_not_a_timeout_but_an_endless_loop_is(tmp_path: Path) -> None:
    """The check's limit is CPU time: waiting (as on a busy machine) does not use it up; a solution
    that loops forever does."""
    project = make_toy_project(tmp_path / "p")
    for task, solution in (("add", "def add(a, b):\n    return a + b\n"),
                           ("sub", "def sub(a, b):\n    while True:\n        pass\n")):
        task_yaml = project / "tasks" / "toy" / task / "task.yaml"
        task_yaml.write_text(task_yaml.read_text().replace("timeout_s: 30", "timeout_s: 2") +
                             "check: sleep 3 && {python} -m pytest -q -p no:cacheprovider "
                             "--junitxml={junit_xml} tests\n")
        (project / "prompts" / f"{task}.py").write_text(solution)
    (project / "overseer.yaml").write_text(TOY_CONFIG.replace(
        '"{python} tool.py"', '"cp prompts/{task_id}.py {workdir}/solution.py"'))
    git(project, "add", "-A")
    git(project, "commit", "-qm", "a slow check")
    result = overseer("run", "toy", "--json", cwd=project)
    assert result.returncode == 0, result.stderr
    records, _ = read_records(Path(json.loads(result.stdout)["jsonl"]))
    by_task = {r.task_id: r for r in records}
    assert by_task["add"].passed and by_task["add"].check_s > 3 and not by_task["add"].infra
    assert by_task["sub"].error_class == "Timeout" and not by_task["sub"].infra
    assert "used more than 2s of CPU" in by_task["sub"].messages[0]


def test_keys_from_anywhere_outside_never_reach_records_the_index_or_insights(tmp_path: Path) -> None:
    """A key typed into the command template, in a JUnit test name (so in failing_tests and the
    signature), in the model the usage reports, and the value of a DB_PASS variable: none reaches
    the JSONL, the SQLite index or `insights --json`; the cache still finds the runs again."""
    project = make_toy_project(tmp_path / "p", with_git=False)
    template_key, test_key, model_key, password = (
        "sk-templatekey1234567890abcd", "sk-testnamekey1234567890abc", "sk-modelkey1234567890abcdef",
        "hunter2-correct-horse")
    (project / "overseer.yaml").write_text(TOY_CONFIG.replace(
        '"{python} tool.py"', f'"OPENAI_API_KEY={template_key} {{python}} tool.py"'))
    tool = project / "tool.py"
    tool.write_text(tool.read_text().replace('"model": "toy"', f'"model": "toy {model_key}"')
                    + "print('password', os.environ['DB_PASS'])\n")
    (project / "tasks" / "toy" / "add" / "tests" / "test_keyed.py").write_text(
        "import pytest\n\n\n"
        f"@pytest.mark.parametrize('key', ['{test_key}'])\n"
        "def test_with_a_key_in_its_name(key):\n"
        f"    assert False, 'the key {password} leaked into a message'\n")
    env = {"DB_PASS": password}
    first = overseer("run", "toy", "--json", cwd=project, env=env)
    assert first.returncode == 0, first.stderr
    records, _ = read_records(Path(json.loads(first.stdout)["jsonl"]))
    keyed = next(r for r in records if r.task_id == "add")
    assert any("test_with_a_key_in_its_name" in name for name in keyed.failing_tests)
    insights = overseer("insights", "toy", "--json", cwd=project, env=env)
    assert insights.returncode == 0, insights.stderr
    written = [p.read_bytes() for p in (project / "runs").rglob("*") if p.is_file()]
    for secret in (template_key, test_key, model_key, password):
        assert all(secret.encode() not in data for data in written), secret
        assert secret not in insights.stdout and secret not in first.stdout
    assert keyed.command == "OPENAI_API_KEY=[REDACTED] {python} tool.py"
    target = load_config(project / "overseer.yaml").target("toy")
    assert RunCache(command=target.command, seed=target.seed).command == keyed.command  # same key
    assert keyed.usage is not None and keyed.usage.model == "toy [REDACTED]"
