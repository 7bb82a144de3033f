"""``overseer init --from promptfooconfig.yaml``: a target whose prompt is the suite's prompt file
and whose command is overseer's own runner (suites/runner.py) calling the suite's provider.

The config's first prompt and first provider are used (more are named in one warning line); an
inline prompt is written to ``prompts/NAME.txt`` so that overseer can edit it. The target is added
to overseer.yaml (made when missing; an existing file keeps its comments and layout), never over a
target of the same name. The suite is loaded first: a bad one is refused before anything is written.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

from overseer.config import CONFIG_NAME
from overseer.errors import FatalError
from overseer.suites.promptfoo import load_cases
from overseer.suites.runner import model_for
from overseer.vcs import atomic_write

RUNNER = ("{python} -m overseer.suites.runner --prompt {prompt_file} --vars {vars_file} "
          "--provider {provider} --seed {seed} --max-tokens {max_tokens} --usage {usage_file}")
MAX_TOKENS = 1024


def _first(config: dict[str, Any], key: str, path: Path, notes: list[str]) -> Any:
    value = config.get(key)
    items = value if isinstance(value, list) else [value] if value else []
    if not items:
        raise FatalError(f"{path}: {key}: none; `init --from` needs the suite's {key[:-1]}")
    if len(items) > 1:
        notes.append(f"{path}: {key}: {len(items)} given; the target uses the first")
    return items[0]


def _prompt_file(entry: Any, path: Path, root: Path, name: str) -> tuple[Path, str | None]:
    """(the prompt file, inline text to write there or None)."""
    raw = entry.get("raw") or entry.get("id") if isinstance(entry, dict) else entry
    if not isinstance(raw, str) or not raw.strip():
        raise FatalError(f"{path}: prompts[0]: expected a file:// path or the prompt's text")
    if raw.startswith("file://"):
        file = (path.parent / raw.removeprefix("file://")).resolve()
        if not file.is_file():
            raise FatalError(f"{path}: prompts[0]: {raw}: no such file")
        if not file.is_relative_to(root):
            raise FatalError(f"{path}: prompts[0]: {raw}: outside the project ({root})")
        return file, None
    return root / "prompts" / f"{name}.txt", raw


def _provider(entry: Any, path: Path) -> tuple[str, dict[str, Any]]:
    ident = entry.get("id") if isinstance(entry, dict) else entry
    if not isinstance(ident, str):
        raise FatalError(f"{path}: providers[0]: expected a provider id like openai:gpt-4.1-mini")
    try:
        model_for(ident)
    except FatalError as exc:
        raise FatalError(f"{path}: providers[0]: {exc}") from None
    options = entry.get("config") or {} if isinstance(entry, dict) else {}
    return ident, options


def target_for(path: Path, root: Path, name: str) -> tuple[dict[str, Any], Path, str | None, list[str]]:
    """(the target's settings, its prompt file, inline prompt text to write, warnings)."""
    load_cases(path)   # a bad suite stops here, before anything is written
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    notes: list[str] = []
    prompt, inline = _prompt_file(_first(config, "prompts", path, notes), path, root, name)
    ident, options = _provider(_first(config, "providers", path, notes), path)
    settings: dict[str, Any] = {"provider": ident,
                                "max_tokens": int(options.get("max_tokens") or MAX_TOKENS)}
    command = RUNNER
    if options.get("apiBaseUrl"):
        settings["base_url"] = str(options["apiBaseUrl"])
        command += " --base-url {base_url}"
    if options.get("temperature") is not None:
        settings["temperature"] = float(options["temperature"])
        command += " --temperature {temperature}"
    target = {"command": command, "settings": settings, "prompt": prompt.relative_to(root).as_posix(),
              "tasks": path.resolve().relative_to(root).as_posix(), "holdout": 0.25, "repeats": 2}
    return target, prompt, inline, notes


def _validate(root: Path, text: str) -> None:
    """The config as it would be written loads (paths resolved against the project)."""
    from overseer.config import load_config

    with tempfile.NamedTemporaryFile("w", dir=root, suffix=".yaml", prefix=".overseer-init-",
                                     delete=False, encoding="utf-8") as handle:
        handle.write(text)
    try:
        load_config(Path(handle.name))
    finally:
        Path(handle.name).unlink(missing_ok=True)


def add_target(root: Path, suite: Path, name: str) -> tuple[list[Path], list[str]]:
    """Write the target (and an inline prompt's file); the paths written and the warnings."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise FatalError(f"--name {name!r}: a target name is letters, digits, - and _")
    suite = suite.resolve()
    if not suite.is_relative_to(root):
        raise FatalError(f"{suite}: the suite must be inside the project ({root})")
    target, prompt, inline, notes = target_for(suite, root, name)
    config = root / CONFIG_NAME
    handler = YAML()
    document: Any = handler.load(config.read_text(encoding="utf-8")) if config.exists() else \
        {"schema_version": 1, "targets": {}}
    targets = document.setdefault("targets", {})
    if name in targets:
        raise FatalError(f"{config}: targets.{name}: already exists; choose another --name")
    targets[name] = target
    written: list[Path] = []
    if inline is not None:
        if prompt.exists():
            raise FatalError(f"{prompt}: already exists; the suite's inline prompt would overwrite it")
        atomic_write(prompt, inline.encode("utf-8"))
        written.append(prompt)
    buffer = io.StringIO()
    handler.dump(document, buffer)
    _validate(root, buffer.getvalue())
    atomic_write(config, buffer.getvalue().encode("utf-8"))
    written.append(config)
    return written, notes
