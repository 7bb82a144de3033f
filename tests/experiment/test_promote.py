from __future__ import annotations

from pathlib import Path

import pytest

from overseer.errors import FatalError
from overseer.experiment.promote import checked, config_diff, with_route, without_route
from overseer.routing import Route

CONFIG = """\
schema_version: 1
targets:
  toy:   # the team's target
    command: "python run.py {prompt_file} --model {model}"   # keep this comment
    prompt: prompts/system.md
    tasks: tasks/toy
    settings: {model: strong}
"""
PATH = Path("overseer.yaml")


def test_a_rule_is_added_and_removed_with_the_file_otherwise_untouched() -> None:
    route = Route(where="complexity<=2", set={"model": "cheap"})
    added = with_route(CONFIG, PATH, "toy", route)
    checked(added, PATH)
    assert "# keep this comment" in added and "# the team's target" in added
    assert "routing:" in added and "complexity<=2" in added
    assert without_route(added, PATH, "toy", 0) == CONFIG
    diff = config_diff(CONFIG, added, "overseer.yaml")
    assert diff.startswith("--- a/overseer.yaml") and "+    routing:" in diff


def test_an_edit_that_cannot_be_made_or_would_break_the_config_is_one_line() -> None:
    with pytest.raises(FatalError, match=r"cannot edit targets\.other"):
        with_route(CONFIG, PATH, "other", Route(tag="x", set={"model": "cheap"}))
    with pytest.raises(FatalError, match="the routing rule would make it invalid"):
        checked(CONFIG.replace("tasks: tasks/toy", "tasks: tasks/toy\n    bogus: 1"), PATH)
