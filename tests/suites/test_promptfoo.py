"""A promptfoo suite as a task set: inline tests, defaultTest, a CSV with __expected columns, a
JSONL file, vars from files; each case a task pinned by its definition; vars reach the command;
bad suites are one line naming the file, the case and the field, exit 2, nothing run."""

from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.suites.materialize import materialize
from overseer.suites.promptfoo import load_cases
from overseer.tasks import load_task_set, split_holdout
from tests.helpers import git, overseer

CONFIG = """\
prompts: [file://prompt.txt]
providers: [openai:gpt-4.1-mini]
defaultTest:
  vars: {tone: plain}
  assert:
    - type: not-icontains
      value: sorry
tests:
  - description: refund request
    vars: {ticket: "I want my money back", notes: file://notes.txt}
    assert:
      - {type: equals, value: billing}
  - file://more.csv
  - file://extra/*.jsonl
"""


def _suite(root: Path) -> Path:
    (root / "extra").mkdir(parents=True)
    (root / "notes.txt").write_text("a long customer history\n")
    (root / "more.csv").write_text('ticket,__expected,__expected2,__description\n'
                                   'app crashes,contains:bug,not-icontains:billing,crash\n'
                                   'hello,other,,greeting\n')
    (root / "extra" / "a.jsonl").write_text(json.dumps(
        {"description": "json case", "vars": {"ticket": "x"}, "assert": [{"type": "is-json"}],
         "threshold": 0.9, "metadata": {"tags": ["json"]}}) + "\n")
    config = root / "promptfooconfig.yaml"
    config.write_text(CONFIG)
    return config


def test_the_suite_loads_with_default_test_csv_jsonl_and_vars_from_files(tmp_path: Path) -> None:
    cases = load_cases(_suite(tmp_path / "s"))
    assert [c.description for c in cases] == ["refund request", "crash", "greeting", "json case"]
    refund, crash, greeting, as_json = cases
    assert refund.vars == {"tone": "plain", "ticket": "I want my money back",
                           "notes": "a long customer history\n"}
    assert [a["type"] for a in refund.asserts] == ["not-icontains", "equals"]   # defaultTest's first
    assert crash.asserts[1:] == [{"type": "contains", "value": "bug"}, {"type": "not-icontains", "value": "billing"}]
    assert greeting.asserts[1:] == [{"type": "equals", "value": "other"}]       # a plain cell: equals
    assert as_json.threshold == 0.9 and as_json.metadata == {"tags": ["json"]}


def test_each_case_is_a_task_pinned_by_its_definition(tmp_path: Path) -> None:
    config = _suite(tmp_path / "s")
    tasks = load_task_set(config)
    assert tasks.name == "promptfooconfig" and len(tasks) == 4
    ids = [t.id for t in tasks.tasks]
    assert all(i.startswith(("refund-request-", "crash-", "greeting-", "json-case-")) for i in ids)
    again = load_task_set(config)
    assert [t.content_hash for t in again.tasks] == [t.content_hash for t in tasks.tasks]
    assert again.content_hash == tasks.content_hash
    train, holdout = split_holdout(tasks, 0.25)
    assert len(train) == 3 and len(holdout) == 1
    (tmp_path / "s" / "notes.txt").write_text("another history\n")   # a file a case names changed
    changed = {t.id: t.content_hash for t in load_task_set(config).tasks}
    assert sum(i not in changed for i in ids) == 1 and load_task_set(config).content_hash != tasks.content_hash
    assert (tasks.tasks[0].directory / "task.yaml").read_text().count("overseer.suites.check") == 1


@pytest.mark.parametrize("change, expected", [
    (("equals, value: billing", "llm-judge, value: billing"), "tests[0] (refund request): assert[1]: type 'llm-judge'"),
    (("file://more.csv", "file://missing.csv"), "tests[1]: file://missing.csv: no such file"),
    (("notes: file://notes.txt", "notes: file://nope.txt"), "tests[0] (refund request): vars.notes: file://nope.txt: no such file"),
    (("{type: equals, value: billing}", "{type: is-json, value: {type: 12}}"), "assert[1]: value: not a JSON Schema"),
    (("{type: equals, value: billing}", "{type: equals, value: billing, wieght: 2}"), "assert[1]: wieght: unknown field"),
])
def test_a_bad_suite_is_one_line_naming_file_case_and_field(tmp_path: Path, change: tuple[str, str],
                                                            expected: str) -> None:
    config = _suite(tmp_path / "s")
    config.write_text(config.read_text().replace(*change))
    with pytest.raises(FatalError) as raised:
        load_cases(config)
    message = str(raised.value)
    assert "\n" not in message and str(config) in message and expected in message, message


def test_a_csv_with_an_unknown_expected_type_is_refused(tmp_path: Path) -> None:
    config = _suite(tmp_path / "s")
    (tmp_path / "s" / "more.csv").write_text("ticket,__expected\nx,frobnicate:3\n")
    with pytest.raises(FatalError, match=r"more.csv: row 1: __expected: 'frobnicate' is not an assertion type"):
        load_cases(config)


TOOL = textwrap.dedent("""\
    import json, os
    from pathlib import Path
    prompt = Path(os.environ["OVERSEER_PROMPT_FILE"]).read_text()
    ticket = os.environ["OVERSEER_VAR_TICKET"]
    assert json.loads(Path(os.environ["OVERSEER_VARS_FILE"]).read_text())["ticket"] == ticket
    answer = "billing" if "money" in ticket else "bug" if "crash" in ticket else "other"
    print(json.dumps({"label": answer}) if "JSON" in prompt else answer)
""")


def _triage(root: Path, tool: str, setting: str) -> Path:
    """A project whose target runs the suite with a command of its own (``tool``)."""
    _suite(root / "evals")
    (root / "tool.py").write_text(tool)
    (root / "prompt.md").write_text("Label the ticket.\n")
    (root / "overseer.yaml").write_text(textwrap.dedent("""\
        schema_version: 1
        targets:
          triage:
            command: "{python} tool.py"
            prompt: prompt.md
            tasks: evals/promptfooconfig.yaml
    """) + f"    {setting}\n")
    git(root, "init", "-q")
    return root


def test_a_command_of_your_own_runs_the_suite(tmp_path: Path) -> None:
    root = _triage(tmp_path / "p", TOOL, "holdout: 0.25")
    result = overseer("run", "triage", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    # refund: billing; crash: bug; greeting: other; json case: not JSON, score 0.5 < 0.9 -> fails
    assert facts["summary"]["runs"] == 4 and facts["summary"]["passed"] == 3
    assert facts["summary"]["error_classes"] == {"AnswerFormatError": 1}
    warned = [line for line in result.stderr.splitlines() if "are not used" in line]
    assert len(warned) == 1 and "its prompts and providers are not used" in warned[0]


def test_a_bad_suite_stops_the_run_before_any_run(tmp_path: Path) -> None:
    root = tmp_path / "p"
    config = _suite(root / "evals")
    config.write_text(config.read_text().replace("equals, value: billing", "webhook, value: x"))
    (root / "overseer.yaml").write_text("schema_version: 1\ntargets:\n  t:\n    command: echo\n"
                                        "    prompt: prompt.md\n    tasks: evals/promptfooconfig.yaml\n")
    (root / "prompt.md").write_text("x\n")
    result = overseer("run", "t", cwd=root)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "type 'webhook' is not run by overseer yet" in result.stderr
    assert not (root / "runs").exists()


def test_materializing_twice_gives_the_same_folder(tmp_path: Path) -> None:
    config = _suite(tmp_path / "s")
    assert materialize(config, tmp_path / "c") == materialize(config, tmp_path / "c")
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".")]


def test_the_cache_drops_other_contents_of_a_suite_left_unused_for_a_month(tmp_path: Path) -> None:
    config, cache = _suite(tmp_path / "s"), tmp_path / "c"
    old = materialize(config, cache)
    config.write_text(config.read_text().replace("equals, value: billing", "equals, value: refund"))
    month = time.time() - 31 * 86400
    other_suite = cache / "other-0123456789abcdef"
    same_stem_longer = cache / f"{config.stem}-v2-0123456789abcdef"   # another suite's, named alike
    other_suite.mkdir(), same_stem_longer.mkdir()
    crashed, fresh_scratch = cache / f".{config.stem}-x1", cache / f".{config.stem}-x2"
    crashed.mkdir(), fresh_scratch.mkdir()
    for folder in (old, other_suite, same_stem_longer, crashed):
        os.utime(folder, (month, month))
    new = materialize(config, cache)
    assert new != old and new.is_dir()
    assert not old.exists() and not crashed.exists()       # unused a month; a crash's half-made
    assert other_suite.is_dir() and same_stem_longer.is_dir() and fresh_scratch.is_dir()
    config.write_text(config.read_text().replace("equals, value: refund", "equals, value: billing"))
    again = materialize(config, cache)                     # the old content wanted again: made again
    assert again == old and len(list(again.iterdir())) == len(list(new.iterdir())) == 4
    assert new.is_dir()                                    # used a moment ago: kept


def test_the_answer_may_be_a_file_the_command_writes(tmp_path: Path) -> None:
    tool = TOOL.replace('print(json.dumps({"label": answer}) if "JSON" in prompt else answer)',
                        'Path(os.environ["OVERSEER_WORKDIR"], "answer.txt").write_text(answer)\n'
                        'print("log: thinking...")')
    root = _triage(tmp_path / "p", tool, "output_file: answer.txt")
    result = overseer("run", "triage", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["passed"] == 3   # stdout's log line is not judged


def test_the_case_folders_go_to_a_temporary_folder_when_home_cannot_be_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from overseer.suites import materialize as module

    monkeypatch.delenv("OVERSEER_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)   # HOME is not writable in the tests
    root = module.cache_root()
    assert root.name.startswith("overseer-suites-") and root.parent == Path(module.tempfile.gettempdir())


def test_the_llm_roles_are_told_the_command_is_judged_by_test_cases(tmp_path: Path) -> None:
    from overseer.proposers.base import CASE_COMMAND, CODE_COMMAND, build_context
    from overseer.proposers.llm import render
    from overseer.resources import bundled

    cases = load_task_set(_suite(tmp_path / "s")).tasks
    context = build_context(prompt="Label it.\n", prompt_hash="h", start_length=10, records=[],
                            tasks=cases, artifacts_base=tmp_path, history=[], max_failures=3)
    assert context.command_kind == CASE_COMMAND
    text = render((bundled("prompts") / "reflect.md").read_text(), context, 200)
    assert "inside a command whose answer is judged by test cases" in text
    code = load_task_set(Path(__file__).resolve().parents[2] / "tasks" / "pyfuncs").tasks[:2]
    assert build_context(prompt="x", prompt_hash="h", start_length=1, records=[], tasks=code,
                         artifacts_base=tmp_path, history=[], max_failures=3).command_kind == CODE_COMMAND


def test_list_vars_and_file_globs_make_one_case_per_combination(tmp_path: Path) -> None:
    root = tmp_path / "s"
    (root / "inputs").mkdir(parents=True)
    (root / "inputs" / "1.txt").write_text("first ticket")
    (root / "inputs" / "2.txt").write_text("second ticket")
    config = root / "promptfooconfig.yaml"
    config.write_text(textwrap.dedent("""\
        tests:
          - description: each
            vars: {ticket: "file://inputs/*.txt", tone: [calm, angry], fixed: x}
            assert: [{type: contains, value: ticket}]
    """))
    cases = load_cases(config)
    assert [(c.vars["ticket"], c.vars["tone"], c.vars["fixed"]) for c in cases] == [
        ("first ticket", "calm", "x"), ("first ticket", "angry", "x"),
        ("second ticket", "calm", "x"), ("second ticket", "angry", "x")]
    assert cases[1].description == "each [ticket=1, tone=2]"
    assert len({c.id for c in cases}) == 4
    config.write_text(config.read_text().replace("[calm, angry]", "[]"))
    with pytest.raises(FatalError, match=r"vars.tone: an empty list"):
        load_cases(config)
