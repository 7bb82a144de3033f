"""The generated references list every command with every option, and every field of
overseer.yaml, from the code itself."""

from __future__ import annotations

import typer

from overseer.cli import app
from overseer.config import Config
from overseer.docsref import cli_reference, commands, config_reference, models


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    group = typer.main.get_command(app)
    page = cli_reference(group)
    found = list(commands(group))
    assert {"overseer run", "overseer optimize", "overseer sim truth", "overseer demo"} <= {n for n, _ in found}
    for name, command in found:
        assert f"## `{name}`" in page
        for param in command.params:
            for option in getattr(param, "opts", []):
                if param.param_type_name == "option":
                    assert f"`{option}`" in page, (name, option)


def test_every_configuration_field_is_in_the_configuration_reference() -> None:
    page = config_reference(Config)
    reached = models(Config)
    assert {"Target", "Thresholds", "JudgeConfig", "ExecutorConfig", "Directives"} <= {m.__name__ for m in reached}
    for model in reached:
        section = page[page.index(f"## {model.__name__}\n"):]
        for name, info in model.model_fields.items():
            assert f"| `{info.alias or name}` |" in section, (model.__name__, name)
    assert "| `embedding` | str or null |" in page
