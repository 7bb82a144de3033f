"""A promptfoo suite as test cases: ``promptfooconfig.yaml`` (its ``tests:`` and ``defaultTest``),
or a test file on its own (``.yaml``, ``.json``, ``.jsonl``, ``.csv`` with ``__expected`` columns),
``file://`` paths and globs resolved against the file's folder as promptfoo resolves them.

Each case becomes a task (suites/materialize.py). What cannot be run is refused before any run, in
one line naming the file, the case and the field.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from overseer.errors import FatalError, validation_message
from overseer.suites.assertions import SIMPLE
from overseer.suites.options import GRADED, case_options, grader_model, needs_node, with_grader
from overseer.suites.scripts import script_source


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class AssertSpec(_Strict):
    """One assertion as a suite writes it."""

    type: str = Field(min_length=1)
    value: Any = None
    threshold: float | None = None
    weight: float = Field(1.0, ge=0)
    metric: str | None = None
    assert_: list[Any] | None = Field(None, alias="assert")
    config: dict[str, Any] | None = None
    provider: Any = None
    rubricPrompt: Any = None   # promptfoo's own name
    transform: Any = None


class TestSpec(_Strict):
    """One test case (or defaultTest) as a suite writes it."""

    __test__ = False   # not a pytest class
    description: str = ""
    vars: dict[str, Any] = Field(default_factory=dict)
    assert_: list[Any] = Field(default_factory=list, alias="assert")
    options: dict[str, Any] | None = None
    threshold: float | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


def _parsed(model: type[_M], raw: Any, where: str) -> _M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise FatalError(f"{where}: {validation_message(exc)}") from None


SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
SUPPORTED = (*SIMPLE, "python", "javascript", "assert-set", *GRADED, "similar")
MAX_COMBINATIONS = 1000   # cases one test may expand to
# what a case keeps of an assertion as written (its provider and transform are resolved; rubricPrompt
# is read, not used yet)
ASSERT_FIELDS_BY_NAME = {"type", "value", "threshold", "weight", "metric", "config"}
JSON_TYPES = ("is-json", "contains-json")
_M = TypeVar("_M", bound=BaseModel)
_EXPECTED = re.compile(r"^(?P<type>(?:not-)?[a-z][a-z-]*)(?::(?P<value>.*))?$", re.DOTALL)


@dataclass
class Case:
    """One test case, with defaultTest applied and every file it names read."""

    description: str
    vars: dict[str, Any]
    asserts: list[dict[str, Any]]
    threshold: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    transform: dict[str, Any] | None = None   # options.transform: the output before the assertions

    def definition(self) -> str:
        return json.dumps({"description": self.description, "vars": self.vars, "assert": self.asserts,
                           "threshold": self.threshold, "metadata": self.metadata,
                           **({"transform": self.transform} if self.transform else {})},
                          sort_keys=True, default=str)

    @property
    def id(self) -> str:
        digest = hashlib.sha256(self.definition().encode()).hexdigest()
        slug = re.sub(r"[^a-z0-9]+", "-", self.description.lower()).strip("-")[:40].strip("-")
        return f"{slug}-{digest[:6]}" if slug else f"case-{digest[:8]}"


def is_suite(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES


def _read(path: Path, where: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"{where}: cannot read {path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        if path.suffix.lower() == ".json":
            return json.loads(text)
        if path.suffix.lower() == ".csv":
            return list(csv.DictReader(text.splitlines()))
        return yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise FatalError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {str(exc).splitlines()[0]}") from None


def _files(spec: str, base: Path, where: str) -> list[Path]:
    """The files a ``file://`` path (or glob) names, relative to ``base``."""
    pattern = spec.removeprefix("file://")
    full = pattern if Path(pattern).is_absolute() else str(base / pattern)
    found = sorted(Path(p) for p in glob.glob(full)) if glob.has_magic(full) else [Path(full)]
    if not found or not all(p.is_file() for p in found):
        raise FatalError(f"{where}: {spec}: no such file")
    return found


def _expected(text: str, where: str) -> dict[str, Any]:
    """A CSV ``__expected`` cell as an assertion: ``type:value`` for a known type, else equals."""
    match = _EXPECTED.match(text.strip())
    if match and match["type"].removeprefix("not-") in SUPPORTED and match["type"] != "assert-set":
        value = match["value"]
        return {"type": match["type"], **({"value": value.strip()} if value is not None else {})}
    if match and ":" in text and match["type"].removeprefix("not-") not in SUPPORTED:
        raise FatalError(f"{where}: {match['type']!r} is not an assertion type overseer "
                         f"runs (supported: {', '.join(SUPPORTED)})")
    return {"type": "equals", "value": text}


def _from_row(row: dict[str, str], where: str) -> dict[str, Any]:
    test: dict[str, Any] = {"vars": {}, "assert": [], "metadata": {}}
    for column, cell in row.items():
        if column is None:
            raise FatalError(f"{where}: more cells than columns")
        if column.startswith("__expected"):
            if cell and cell.strip():
                test["assert"].append(_expected(cell, f"{where}: {column}"))
        elif column == "__description":
            test["description"] = cell
        elif column.startswith("__metadata:"):
            test["metadata"][column.removeprefix("__metadata:")] = cell
        elif column == "__threshold":
            test["threshold"] = float(cell)
        else:
            test["vars"][column] = cell
    return test


def _tests(spec: Any, base: Path, source: Path) -> list[tuple[dict[str, Any], str]]:
    """(raw test, where it came from) for a ``tests:`` value: a list of tests or of file paths, or
    one path or glob."""
    items = spec if isinstance(spec, list) else [spec]
    out: list[tuple[dict[str, Any], str]] = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            out.append((item, f"{source}: tests[{i}]"))
            continue
        if not isinstance(item, str):
            raise FatalError(f"{source}: tests[{i}]: expected a test or a file:// path, got {type(item).__name__}")
        for path in _files(item, base, f"{source}: tests[{i}]"):
            data = _read(path, f"{source}: tests[{i}]")
            rows = data if isinstance(data, list) else [data]
            for k, row in enumerate(rows):
                where = f"{path}: {'row' if path.suffix == '.csv' else 'test'} {k + 1}"
                if not isinstance(row, dict):
                    raise FatalError(f"{where}: expected a test (a mapping)")
                out.append((_from_row(row, where) if path.suffix.lower() == ".csv" else row, where))
    return out


def _var(value: Any, base: Path, where: str) -> Any:
    """A var's value, a ``file://`` path read (a glob: the list of its files' texts)."""
    if isinstance(value, str) and value.startswith("file://"):
        texts = [path.read_text(encoding="utf-8") for path in _files(value, base, where)]
        return texts if glob.has_magic(value) else texts[0]
    return value


def _assertion(raw: Any, base: Path, where: str) -> dict[str, Any]:
    """One assertion checked and made self-contained: a ``file://`` value read in (a python
    check's code, a JSON Schema), a schema or a regular expression that cannot work refused."""
    spec = _parsed(AssertSpec, raw, where)
    kind = spec.type.removeprefix("not-")
    if kind not in SUPPORTED:
        raise FatalError(f"{where}: type {spec.type!r} is not run by overseer yet (supported: "
                         f"{', '.join(SUPPORTED)}, each also with not-)")
    out = spec.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True, include=ASSERT_FIELDS_BY_NAME)
    out["type"] = spec.type
    if kind == "assert-set":
        if not spec.assert_:
            raise FatalError(f"{where}: assert: an assert-set needs its assertions")
        out["assert"] = [_assertion(a, base, f"{where}: assert[{i}]") for i, a in enumerate(spec.assert_)]
    if kind == "javascript" or spec.transform is not None:
        needs_node(where, "javascript" if kind == "javascript" else "transform", spec.transform)
    if kind == "javascript":
        out.update(script_source(str(spec.value or ""), lambda name: _files(name, base, where)[0]))
    elif isinstance(spec.value, str) and spec.value.startswith("file://") and kind in ("python", *JSON_TYPES):
        [path] = _files(spec.value, base, where)[:1]
        if kind == "python":
            out["value"], out["file"] = path.read_text(encoding="utf-8"), path.name
        else:
            out["value"] = _read(path, where)
    if spec.transform is not None:
        out["transform"] = script_source(str(spec.transform), lambda name: _files(name, base, f"{where}: transform")[0])
    if spec.provider is not None:
        out["provider"] = grader_model(spec.provider, f"{where}: provider")
    if kind in JSON_TYPES and out.get("value") is not None:
        from jsonschema import Draft202012Validator, SchemaError

        try:
            Draft202012Validator.check_schema(out["value"])
        except SchemaError as exc:
            raise FatalError(f"{where}: value: not a JSON Schema: {exc.message}") from None
    if kind == "regex":
        try:
            re.compile(str(spec.value or ""))
        except re.error as exc:
            raise FatalError(f"{where}: value: not a regular expression: {exc}") from None
    return out


def _cases(raw: Any, default: TestSpec, base: Path, where: str) -> list[Case]:
    """The case a test makes, or, as promptfoo does, one case per combination of the values of
    its vars that are lists (a ``file://`` glob is the list of its files)."""
    test = _parsed(TestSpec, raw, where)
    variables = {**default.vars, **test.vars}
    asserts = [*default.assert_, *test.assert_]
    if not asserts:
        raise FatalError(f"{where}: assert: a test needs at least one assertion (or defaultTest's)")
    named = f"{where} ({test.description})" if test.description else where
    threshold = test.threshold if test.threshold is not None else default.threshold
    resolved = {str(k): _var(v, base, f"{named}: vars.{k}") for k, v in variables.items()}
    checked = [_assertion(a, base, f"{named}: assert[{i}]") for i, a in enumerate(asserts)]
    transform, grader = case_options({**(default.options or {}), **(test.options or {})},
                                     lambda name, at: _files(name, base, at)[0], named)
    if grader is not None:
        checked = with_grader(checked, grader)
    listed = [name for name, value in resolved.items() if isinstance(value, list)]
    if any(not resolved[name] for name in listed):
        raise FatalError(f"{named}: vars.{next(n for n in listed if not resolved[n])}: an empty list")
    count = math.prod(len(resolved[name]) for name in listed)
    if count > MAX_COMBINATIONS:
        raise FatalError(f"{named}: vars: {count} combinations of list values (at most {MAX_COMBINATIONS})")
    combos = itertools.product(*(range(len(resolved[name])) for name in listed))
    out = []
    for combo in combos:
        picked = dict(zip(listed, combo, strict=True))
        label = ", ".join(f"{name}={i + 1}" for name, i in picked.items())
        out.append(Case(
            description=f"{test.description} [{label}]" if label and test.description else test.description or label,
            vars={name: value[picked[name]] if name in picked else value for name, value in resolved.items()},
            asserts=checked, threshold=threshold, metadata={**default.metadata, **test.metadata},
            transform=transform))
    return out


def load_cases(path: Path) -> list[Case]:
    """The cases of a promptfoo config, or of a test file on its own; a bad one is a FatalError of
    one line (a name or value from the suite that holds a line break shows it escaped)."""
    try:
        return _load_cases(path)
    except FatalError as exc:
        raise FatalError(str(exc).replace("\r", "\\r").replace("\n", "\\n")) from None


def _load_cases(path: Path) -> list[Case]:
    data = _read(path, str(path))
    base = path.parent
    if isinstance(data, dict) and "tests" in data:
        default_raw = data.get("defaultTest") or {}
        if isinstance(default_raw, str):
            [default_path] = _files(default_raw, base, f"{path}: defaultTest")[:1]
            default_raw = _read(default_path, f"{path}: defaultTest")
        default = _parsed(TestSpec, default_raw, f"{path}: defaultTest")
        raw = _tests(data["tests"], base, path)
    elif isinstance(data, dict) and ("prompts" in data or "providers" in data):
        raise FatalError(f"{path}: tests: a promptfoo config with no tests")
    else:
        default, raw = TestSpec(), _tests(f"file://{path.name}", base, path)
    if not raw:
        raise FatalError(f"{path}: no test cases")
    return [case for test, where in raw for case in _cases(test, default, base, where)]


def unused_note(path: Path, command: str) -> str | None:
    """The one warning line for a target that runs a promptfoo config with a command of its own:
    the config's prompts and providers are not used. None when there is nothing to say."""
    if not is_suite(path) or "overseer.suites.runner" in command:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    unused = [key for key in ("prompts", "providers") if isinstance(data, dict) and data.get(key)]
    if not unused:
        return None
    return (f"{path}: its {' and '.join(unused)} are not used: the target's command runs each case "
            "(`overseer init --from` makes a target that uses them)")
