"""The environment fingerprint: what, besides the prompt, the task and the command's text, decides
what a run does (the target's settings among it). An earlier run is reused only under the same fingerprint, so a baseline measured
with another simulator profile, another model behind a variable, or another overseer is run again."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from overseer import __version__
from overseer.config import Target

ALWAYS = ("OVERSEER_SIM_PROFILE",)


def _file_digest(value: str, root: Path) -> str | None:
    path = Path(value) if Path(value).is_absolute() else root / value
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    except OSError:
        return None


def fingerprinted_names(target: Target) -> list[str]:
    """The variables whose values are part of the fingerprint (a run on a cluster node gets this
    machine's values of them, so that its fingerprint says what it ran under)."""
    return sorted({*ALWAYS, *target.environment})


def environment_fingerprint(target: Target, root: Path) -> str:
    """A short hash of overseer's version and the named variables' values (and, for a value that
    names a file, of the file's content)."""
    names = fingerprinted_names(target)
    values = {name: os.environ.get(name) for name in names}
    files = {name: _file_digest(value, root) for name, value in values.items() if value}
    facts: dict[str, object] = {"overseer": __version__, "env": values, "files": files}
    if target.settings:  # absent when there are none, so fingerprints from before them still match
        facts["settings"] = target.setting_values()
    if target.routing:
        facts["routing"] = [route.model_dump(exclude={"proven"}) for route in target.routing]
    blob = json.dumps(facts, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def described(target: Target) -> str:
    return ", ".join(fingerprinted_names(target)) + ", the settings or overseer's version"
