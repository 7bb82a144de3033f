"""A suite's cases as task folders, so that every part of overseer that reads a task set (the run
cache, the split, the checks' isolation and CPU limit, the evidence) works on them unchanged.

The folders are made once per suite content, in a cache folder named by the hash of every case's
definition (its vars, assertions, threshold, metadata and the files they name): a changed case
is a new task, an unchanged one keeps its hash and its evidence. Made in a temporary folder and
renamed into place, so a reader never sees half a suite, and two processes making the same suite
at once both end with the same folder.

The cache is pruned as it is used: each use marks its folder as used now, and a folder of the same
suite's other contents that nothing used for UNUSED_DAYS (a suite edited night after night leaves
one folder per version) is removed, as is a half-made folder a crash left behind a day ago. A
folder removed while still wanted is only made again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from overseer.suites.promptfoo import Case, load_cases

CHECK = "{python} -m overseer.suites.check {task_dir}/case.json {output_file} {junit_xml}"
SPEC_CHARS = 600   # the vars shown to a proposer as the task's spec
UNUSED_DAYS = 30   # a folder of another content of the same suite unused this long is removed
SCRATCH_DAYS = 1   # a half-made folder this old was left by a crash


def cache_root() -> Path:
    """OVERSEER_CACHE_DIR/suites, else the user's cache folder (XDG_CACHE_HOME or ~/.cache), else,
    when that cannot be written (a read-only home in CI), a folder in the temporary directory."""
    if os.environ.get("OVERSEER_CACHE_DIR"):
        return Path(os.environ["OVERSEER_CACHE_DIR"]) / "suites"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "overseer" / "suites"
    try:
        base.mkdir(parents=True, exist_ok=True)
        return base
    except OSError:
        return Path(tempfile.gettempdir()) / f"overseer-suites-{os.getuid()}"


def _spec(case: Case) -> str:
    lines = [f"{name}: {value if isinstance(value, str) else json.dumps(value)}" for name, value in case.vars.items()]
    text = "\n".join(lines) or "(no vars)"
    return text if len(text) <= SPEC_CHARS else text[:SPEC_CHARS - 1] + "…"


def _write_case(folder: Path, case: Case, task_id: str) -> None:
    folder.mkdir()
    tags = case.metadata.get("tags")
    (folder / "task.yaml").write_text(yaml.safe_dump({
        "id": task_id, "title": case.description or task_id, "spec": _spec(case), "check": CHECK,
        "timeout_s": 30, "tags": [str(t) for t in tags] if isinstance(tags, list) else [],
    }, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (folder / "case.json").write_text(json.dumps(
        {"description": case.description, "vars": case.vars, "assert": case.asserts,
         "threshold": case.threshold, "metadata": case.metadata,
         **({"transform": case.transform} if case.transform else {})}, indent=1, sort_keys=True, default=str),
        encoding="utf-8")
    (folder / "vars.json").write_text(json.dumps(case.vars, indent=1, sort_keys=True, default=str),
                                      encoding="utf-8")


def materialize(path: Path, root: Path | None = None) -> Path:
    """The folder holding one task folder per case of the suite at ``path``."""
    cases = load_cases(path)
    # what the folders hold depends on the cases and on how overseer writes them (the check)
    digest = hashlib.sha256("\n".join([CHECK, *(c.definition() for c in cases)]).encode()).hexdigest()[:16]
    home = (root or cache_root()) / f"{path.stem}-{digest}"
    if home.is_dir():
        _prune(home)
        return home
    home.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=home.parent, prefix=f".{path.stem}-"))
    try:
        seen: dict[str, int] = {}
        for case in cases:
            task_id = case.id
            seen[task_id] = seen.get(task_id, 0) + 1
            if seen[task_id] > 1:     # the same case twice: two tasks
                task_id = f"{task_id}-{seen[task_id]}"
            _write_case(scratch / task_id, case, task_id)
        try:
            scratch.rename(home)
        except OSError:
            if not home.is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _prune(home)
    return home


def _prune(home: Path) -> None:
    """Mark ``home`` as used now; remove the same suite's folders unused for UNUSED_DAYS and its
    half-made ones older than SCRATCH_DAYS. A cache that cannot be changed is left as it is."""
    stem = home.name.rsplit("-", 1)[0]
    now = time.time()
    try:
        os.utime(home)
        for other in home.parent.iterdir():
            if other == home or not other.is_dir():
                continue
            kept = (UNUSED_DAYS if re.fullmatch(rf"{re.escape(stem)}-[0-9a-f]{{16}}", other.name) else
                    SCRATCH_DAYS if other.name.startswith(f".{stem}-") else None)
            if kept is not None and now - other.stat().st_mtime > kept * 86400:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return
