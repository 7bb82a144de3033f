from __future__ import annotations

from pathlib import Path

import pytest

from overseer.config import find_config, load_config
from overseer.errors import FatalError
from tests.helpers import TOY_CONFIG, make_toy_project, overseer

BAD_CONFIGS = {
    "unknown top-level field": ("schema_version: 1\ntargetz: {}\n", "targetz: unknown field"),
    "typo in a target field": (TOY_CONFIG.replace("jobs: 2", "jbos: 2"), "targets.toy.jbos: unknown field"),
    "wrong schema version": (TOY_CONFIG.replace("schema_version: 1", "schema_version: 7"), "schema_version"),
    "missing command": (TOY_CONFIG.replace('    command: "{python} tool.py"\n', ""), "targets.toy.command: required field is missing"),
    "negative repeats": (TOY_CONFIG.replace("jobs: 2", "repeats: 0"), "targets.toy.repeats"),
    "unknown placeholder": (TOY_CONFIG.replace("{python} tool.py", "{pyhton} tool.py"), "unknown placeholder {pyhton}"),
    "holdout fraction of 1": (TOY_CONFIG.replace("holdout: 0.5", "holdout: 1.5"), "targets.toy.holdout"),
    "region and variable": (TOY_CONFIG.replace("prompt: prompts/system.md", "prompt: {file: a.py, region: R, variable: V}"), "either region or variable"),
    "not a mapping": ("- just\n- a list\n", "expected a mapping"),
    "broken YAML": ("schema_version: 1\ntargets: [\n", "invalid YAML"),
    "bad target name": (TOY_CONFIG.replace("  toy:", "  'to y':"), "target name"),
    "a retired setting": (TOY_CONFIG.replace("jobs: 2", "accept: {futility_p: 0.6}"),
                          "futility_p is gone: the betting test has no p-value per look"),
    "duplicate key": (TOY_CONFIG.replace("jobs: 2", "jobs: 2\n    jobs: 8"), "duplicate key 'jobs'"),
    "schema version true": (TOY_CONFIG.replace("schema_version: 1", "schema_version: true"),
                            "must be the integer 1"),
    "unhashable key": ("schema_version: 1\n?\n  toy: 1\n: 2\n", "found unhashable key"),
    "a placeholder that is no setting": (TOY_CONFIG.replace("{python} tool.py", "{python} tool.py --model {model}"),
                                         "unknown placeholder {model}; known: "),
    "a setting named like overseer's own": (TOY_CONFIG.replace("jobs: 2", "settings: {seed: 3}"),
                                            "setting name 'seed' is overseer's own"),
    "a setting name in capitals": (TOY_CONFIG.replace("jobs: 2", "settings: {Model: x}"),
                                   "setting name 'Model' must be lower case"),
    "a setting that is a list": (TOY_CONFIG.replace("jobs: 2", "settings: {model: [a, b]}"),
                                 "targets.toy.settings.model"),
    "a kept line that is no regular expression": (TOY_CONFIG.replace("jobs: 2", "directives: {keep_lines: ['(']}"),
                                                  "targets.toy.directives.keep_lines: Value error, '(' is not a regular expression"),
    "objective weights over one half": (
        TOY_CONFIG.replace("jobs: 2", "objective: {tokens: {weight: 0.3, scale: 1000}, cost_usd: {weight: 0.3, scale: 1}}"),
        "targets.toy.objective"),
    "an objective weight on run time": (
        TOY_CONFIG.replace("jobs: 2", "objective: {time: {weight: 0.1, scale: 10}}"), "targets.toy.objective"),
    "seed too large for the index": (TOY_CONFIG.replace("jobs: 2", "seed: 100000000000000000000"),
                                     "targets.toy.seed: Input should be less than or equal to"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_bad_config_is_one_line_naming_the_file_and_field(tmp_path: Path, case: str) -> None:
    text, expected = BAD_CONFIGS[case]
    path = tmp_path / "overseer.yaml"
    path.write_text(text)
    with pytest.raises(FatalError) as raised:
        load_config(path)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"{path}") and expected in message, message
    assert raised.value.exit_code == 2


def test_bad_config_on_the_command_line_is_one_line_and_exit_2(tmp_path: Path) -> None:
    make_toy_project(tmp_path / "p", with_git=False)
    (tmp_path / "p" / "overseer.yaml").write_text(TOY_CONFIG.replace("jobs: 2", "jbos: 2"))
    result = overseer("run", "toy", cwd=tmp_path / "p")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "overseer.yaml: targets.toy.jbos: unknown field" in lines[0], lines[0]
    assert not (tmp_path / "p" / "runs").exists()


def test_config_found_by_walking_up(tmp_path: Path) -> None:
    make_toy_project(tmp_path / "p", with_git=False)
    deep = tmp_path / "p" / "tasks" / "toy" / "add"
    assert find_config(deep) == tmp_path / "p" / "overseer.yaml"
    loaded = load_config(cwd=deep)
    assert loaded.root == tmp_path / "p"
    assert loaded.target("toy").prompt.kind == "file"


def test_no_config_anywhere(tmp_path: Path) -> None:
    with pytest.raises(FatalError, match="run `overseer init`"):
        find_config(tmp_path)


def test_unknown_target_names_the_known_ones(tmp_path: Path) -> None:
    make_toy_project(tmp_path / "p", with_git=False)
    result = overseer("run", "nope", cwd=tmp_path / "p")
    assert result.returncode == 2
    assert "no target named 'nope' (targets: toy)" in result.stderr


def test_bad_task_yaml_is_one_line_and_exit_2(tmp_path: Path) -> None:
    make_toy_project(tmp_path / "p", with_git=False)
    task_yaml = tmp_path / "p" / "tasks" / "toy" / "add" / "task.yaml"
    task_yaml.write_text(task_yaml.read_text().replace("complexity: 1", "complexity: 9"))
    result = overseer("run", "toy", cwd=tmp_path / "p")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"{task_yaml}: complexity" in result.stderr


def test_init_scaffold_is_a_valid_config_and_never_overwrites(tmp_path: Path) -> None:
    result = overseer("init", "--dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    loaded = load_config(tmp_path / "overseer.yaml")
    target = loaded.target("codewriter")
    assert target.prompt.kind == "python"
    assert (tmp_path / "examples" / "codewriter" / "codewriter.py").is_file()
    assert len(list((tmp_path / "tasks" / "pyfuncs").iterdir())) >= 40
    before = (tmp_path / "overseer.yaml").read_bytes()
    again = overseer("init", "--dir", str(tmp_path), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert (tmp_path / "overseer.yaml").read_bytes() == before


def test_a_prompt_path_that_is_a_directory_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p", with_git=False)
    config = project / "overseer.yaml"
    config.write_text(config.read_text().replace("prompt: prompts/system.md", "prompt: prompts"))
    result = overseer("run", "toy", cwd=project)
    assert result.returncode == 2 and "prompt file is a directory" in result.stderr.splitlines()[-1]


def test_a_weighted_objective_is_read_from_the_config(tmp_path: Path) -> None:
    project = make_toy_project(tmp_path / "p")
    (project / "overseer.yaml").write_text(TOY_CONFIG.replace(
        "jobs: 2", "objective: {measure: mean_score, tokens: {weight: 0.1, scale: 4000}}"))
    objective = load_config(project / "overseer.yaml").config.targets["toy"].objective
    assert not isinstance(objective, str) and objective.measure == "mean_score"
    assert objective.tokens is not None and (objective.tokens.weight, objective.tokens.scale) == (0.1, 4000)
