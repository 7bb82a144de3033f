from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import overseer


def test_plugins_are_listed_as_json_and_as_a_table(tmp_path: Path) -> None:
    listed = overseer("plugins", "--json", cwd=tmp_path)
    assert listed.returncode == 0 and isinstance(json.loads(listed.stdout), list)
    assert overseer("plugins", cwd=tmp_path).returncode == 0
