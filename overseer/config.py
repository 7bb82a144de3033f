"""The user's ``overseer.yaml``: pydantic models, discovery and loading.

Every model forbids unknown keys, so a typo in the YAML is an error naming the field rather than a
setting that is silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from overseer.acceptance import Objective, Thresholds
from overseer.edits import DEFAULT_MAX_EDIT_CHARS, DEFAULT_MAX_GROWTH
from overseer.errors import FatalError
from overseer.routing import Route, Routed, routed, setting_text
from overseer.templates import CHECK_PLACEHOLDERS, PLACEHOLDERS, check_template
from overseer.yamlfile import load_yaml_model

CONFIG_NAME = "overseer.yaml"

# Names a setting may not take: its OVERSEER_<NAME> variable would clash with one overseer sets.
RESERVED_SETTINGS = CHECK_PLACEHOLDERS | {"run_id", "sim_profile", "fault"}
SETTING_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InfraPolicy(_Strict):
    """What to do with runs that failed for reasons that are not the prompt's (``infra:``)."""

    retries: int = Field(2, ge=0, le=10, description="runs again after an infrastructure failure")
    backoff_s: float = Field(1.0, ge=0, le=300, description="wait before the first retry; doubles")
    max_share: float = Field(0.2, ge=0, le=1, description=(
        "a comparison that lost more than this share of its pairs to infrastructure is inconclusive"))


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExecutorConfig(_Strict):
    """Where runs are made (``executor:``): ``local`` threads (the default) or a Ray cluster."""

    kind: Literal["local", "ray"] = "local"
    address: str = Field("", description=(
        "ray: `auto` (the cluster this machine belongs to), `ray://host:10001` (Ray Client, e.g. a "
        "KubeRay head), `host:6379`, or empty (a Ray started inside overseer, to try it out)"))
    cpus_per_run: float = Field(1.0, gt=0, le=256, description="CPUs a run reserves on its node")
    memory_gb: float | None = Field(None, gt=0, description="memory a run reserves on its node")
    resources: dict[str, float] = Field(default_factory=dict, description=(
        "custom Ray resources a run reserves (e.g. {toolchain: 1}), to send runs to nodes that have them"))
    excludes: list[str] = Field(default_factory=list, description=(
        "gitignore-style patterns left out of the snapshot shipped to the cluster"))
    env: list[str] = Field(default_factory=list, description=(
        "environment variables a remote run gets from its node (an API key the cluster holds); "
        "no other variable of the node reaches the command, and values are never logged"))
    max_retries: int = Field(3, ge=0, le=20, description=(
        "times a run lost with its node (worker died, node gone) is sent again; never a verdict"))

    @field_validator("env")
    @classmethod
    def _env_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not ENV_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not an environment variable name")
        return value


class EditLimits(_Strict):
    """How large one edit may be, and how much the prompt may grow in a session (``edits:``)."""
    max_edit_chars: int = Field(DEFAULT_MAX_EDIT_CHARS, ge=1, description="characters one edit may change")
    max_growth: float = Field(DEFAULT_MAX_GROWTH, ge=0,
                              description="how much the prompt may grow in a session")


class JudgeConfig(_Strict):
    """The model that grades a promptfoo suite's model-graded assertions (``judge:``)."""

    model: str = Field(description=(
        "openai:NAME, anthropic:NAME, ollama:NAME, gemini:NAME, llm:NAME, command:CLI, or sim (the "
        "simulator's judge, offline)"))
    seed: int | None = Field(None, ge=0, description="sent to a provider that takes one")
    max_tokens: int = Field(256, ge=16, le=4096, description="the longest verdict")
    embedding: str | None = Field(None, description=(
        "embeds the output and the expected text of similar assertions: openai:NAME, ollama:NAME or gemini:NAME "
        "(an OpenAI-compatible /embeddings endpoint, e.g. `overseer serve-model --embeddings`), or sim"))


class ProposerConfig(_Strict):
    kind: str = Field("rules", description=(
        "rules, llm, panel (options: personas, reviewer), or a proposer plugin's name (`overseer plugins`)"))
    options: dict[str, Any] = Field(default_factory=dict, description="given to a plugin proposer")
    model: str | None = Field(
        None, description="openai:NAME, anthropic:NAME, ollama:NAME, gemini:NAME, llm:NAME or command:CLI (for kind llm)")
    reflection_prompt: str | None = Field(
        None, description="a template file, relative to overseer.yaml (default: overseer's own)")
    max_failures: int = Field(6, ge=1, le=50, description="failing runs shown to the proposer")
    max_tokens: int = Field(2048, ge=64, le=32768, description=(
        "the longest reply an LLM role may give (a small local model can otherwise run on to its "
        "context's end)"))

    @model_validator(mode="after")
    def _model_for_llm(self) -> ProposerConfig:
        if self.kind == "llm" and not self.model:
            raise ValueError("kind llm needs a model (openai:NAME, anthropic:NAME, ollama:NAME, command:CLI)")
        return self


class Directives(_Strict):
    """What the prompt's owners require of every edit (``directives:`` in a target): free text
    given to every LLM role, and the constraints every proposal is checked against."""

    text: str = Field("", description="priorities and constraints in plain words, for LLM roles")
    file: str | None = Field(None, description="a file holding more of that text, relative to overseer.yaml")
    keep_lines: list[str] = Field(default_factory=list, description=(
        "regular expressions: a prompt line matching one is never deleted or changed"))
    max_words: int | None = Field(None, ge=1, description="no edit takes the prompt past this many words")

    @field_validator("keep_lines")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value


class PromptLocation(_Strict):
    """Where a target's prompt lives: a whole file, a marked region of a file, or a Python string."""

    file: str = Field(description="relative to overseer.yaml")
    region: str | None = Field(None, description="NAME of an `overseer:begin NAME` marker")
    variable: str | None = Field(None, description="a module-level string variable, e.g. PROMPT")

    @model_validator(mode="after")
    def _one_kind(self) -> PromptLocation:
        if self.region is not None and self.variable is not None:
            raise ValueError("give either region or variable, not both")
        return self

    @property
    def kind(self) -> Literal["file", "region", "python"]:
        if self.region is not None:
            return "region"
        if self.variable is not None:
            return "python"
        return "file"


class Target(_Strict):
    """A command with a prompt inside it, and the tasks that judge it (``targets: NAME:``)."""
    command: str = Field(description=(
        "run once per (task, repeat) in an isolated copy of the repository, through /bin/sh -c; placeholders "
        "{task_dir} {task_id} {workdir} {prompt_file} {seed} {repeat} {usage_file} {vars_file} {python} and "
        "each setting, also as OVERSEER_* variables"))
    prompt: PromptLocation = Field(description="a file (prompts/system.md), or {file, region} or {file, variable}")
    tasks: str = Field(description="a task set folder, or a promptfoo config or test file, relative to overseer.yaml")
    holdout: float | str = Field(0.25, description="a task set directory, or the fraction of `tasks` held out")
    judge: JudgeConfig | None = Field(None, description=(
        "grades a suite's model-graded assertions; a judge that fails is an infrastructure failure, never the "
        "prompt's; its tokens count in the run's usage"))
    output_file: str | None = Field(None, description=(
        "the file the command writes its answer to, relative to its workdir, that a suite's assertions judge "
        "(default: the command's stdout)"))
    test: float | str | None = Field(None, description=(
        "a sealed test set: a fraction of `tasks` (set aside before the holdout), or a task set directory or "
        "suite; never used by a decision or shown to a proposer, run only for a session's starting and final "
        "prompts when it kept an edit"))
    repeats: int = Field(1, ge=1, le=100, description="runs of each task at the first look; more while promising")
    timeout_s: float = Field(300.0, gt=0, description="limit for one run of the command (a check has its own)")
    jobs: int = Field(4, ge=1, le=64, description="runs at once")
    # Stored in the SQLite index (64-bit integers): a larger seed would poison every later read.
    seed: int = Field(0, ge=0, le=2**63 - 1, description=(
        "the root of every stream of randomness; each run's seed ({seed}, OVERSEER_SEED) derives from it"))
    objective: Objective = Field("pass_rate", description=(
        "pass_rate, mean_score, or {measure: pass_rate, tokens: {weight: 0.1, scale: 4000}, cost_usd: {...}}: "
        "what a decision tests (docs/configuration.md, Objective)"))
    output_cap_bytes: int = Field(1_000_000, ge=1024, description="most bytes kept of a run's stdout and stderr")
    sanitizers: list[str] = Field(default_factory=list, description=(
        "applied to output files before the check: strip_fences, smart_quotes, unicode_dashes, or a plugin's"))
    success_sample_rate: float = Field(
        0.1, ge=0, le=1, description="share of passing runs whose full output is kept")
    accept: Thresholds = Field(default_factory=Thresholds, description="when an edit is kept: the test's thresholds")
    infra: InfraPolicy = Field(default_factory=InfraPolicy, description="runs that failed for reasons not the prompt's")
    environment: list[str] = Field(default_factory=list, description=(
        "environment variables that change what the command does without changing its text (a model name, a "
        "base URL); with OVERSEER_SIM_PROFILE and overseer's version they make the environment fingerprint, "
        "and runs are reused only under the same one"))
    edits: EditLimits = Field(default_factory=EditLimits, description="how large an edit, and a session's growth, may be")
    race: int = Field(3, ge=1, le=10, description=(
        "candidates evaluated side by side against the current prompt, sharing its runs; the "
        "first one proven is kept (1: one candidate at a time)"))
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict, description=(
        "name -> value (e.g. model: openai:gpt-4o) passed to every run as {name} and "
        "OVERSEER_<NAME>, and recorded on it; runs are reused only under the same settings"))
    routing: list[Route] = Field(default_factory=list, description=(
        "rules that change settings for a band of tasks (where: complexity<=2, tag: easy; "
        "set: {model: ...}), applied in order; `overseer experiment` writes one when proven"))
    proposer: ProposerConfig = Field(default_factory=ProposerConfig)
    directives: Directives = Field(default_factory=Directives)
    executor: ExecutorConfig = Field(default_factory=ExecutorConfig)

    @field_validator("prompt", mode="before")
    @classmethod
    def _prompt_shorthand(cls, value: Any) -> Any:
        return {"file": value} if isinstance(value, str) else value

    @field_validator("command")
    @classmethod
    def _command_template(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("settings")
    @classmethod
    def _setting_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not SETTING_NAME.fullmatch(name):
                raise ValueError(f"setting name {name!r} must be lower case letters, digits and _ "
                                 "(starting with a letter, at most 40)")
            if name in RESERVED_SETTINGS:
                raise ValueError(f"setting name {name!r} is overseer's own; choose another")
        return value

    @model_validator(mode="after")
    def _command_placeholders(self) -> Target:
        try:
            check_template(self.command, PLACEHOLDERS | set(self.settings))
        except ValueError as exc:
            raise ValueError(f"command: {exc} (or declare it under settings:)") from None
        for number, route in enumerate(self.routing, start=1):
            undeclared = sorted(set(route.set) - set(self.settings))
            if undeclared:
                raise ValueError(f"routing rule {number} ({route.describe()}) sets {undeclared[0]!r}, "
                                 "which is not one of the target's settings")
        return self

    def setting_values(self) -> dict[str, str]:
        """The settings as the command gets them: text (true/false for a boolean)."""
        return {name: setting_text(value) for name, value in self.settings.items()}

    def settings_for(self, task: Routed) -> dict[str, str]:
        """The settings a run of ``task`` gets: the target's, with its routing rules applied."""
        return routed(self.settings, self.routing, task)

    @field_validator("holdout", "test")
    @classmethod
    def _holdout(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, float) and not 0.0 <= value < 1.0:
            raise ValueError("a fraction must be at least 0 and below 1")
        return value


class Config(_Strict):
    """overseer.yaml: its version and its targets."""
    schema_version: Literal[1] = Field(description="1")
    targets: dict[str, Target] = Field(min_length=1, description="name -> target (letters, digits, - _ .)")

    @field_validator("schema_version", mode="before")
    @classmethod
    def _an_integer(cls, value: Any) -> Any:
        if isinstance(value, bool):  # YAML true would otherwise pass as 1
            raise ValueError("must be the integer 1")
        return value

    @field_validator("targets")
    @classmethod
    def _target_names(cls, value: dict[str, Target]) -> dict[str, Target]:
        for name in value:
            if not name or not all(c.isalnum() or c in "-_." for c in name) or name[0] == ".":
                raise ValueError(f"target name {name!r} may use only letters, digits, - _ .")
        return value


class LoadedConfig(BaseModel):
    """A validated config and the directory its relative paths are resolved against."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    path: Path
    config: Config

    @property
    def root(self) -> Path:
        return self.path.parent

    def with_executor(self, name: str, kind: str | None, address: str | None) -> LoadedConfig:
        """This config with target ``name``'s executor changed (``--executor``, ``--executor-address``)."""
        if kind is None and address is None:
            return self
        target = self.target(name)
        if kind not in (None, "local", "ray"):
            raise FatalError(f"--executor: {kind!r} is not an executor (local or ray)")
        update = {key: value for key, value in (("kind", kind), ("address", address)) if value is not None}
        executor = target.executor.model_copy(update=update)
        targets = {**self.config.targets, name: target.model_copy(update={"executor": executor})}
        return self.model_copy(update={"config": self.config.model_copy(update={"targets": targets})})

    def target(self, name: str) -> Target:
        try:
            return self.config.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.config.targets))
            raise FatalError(f"{self.path}: no target named {name!r} (targets: {known})") from None


def find_config(start: Path) -> Path:
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise FatalError(
        f"no {CONFIG_NAME} in {start} or any parent directory; run `overseer init` to create one"
    )


def load_config(path: Path | None = None, cwd: Path | None = None) -> LoadedConfig:
    path = (path or find_config((cwd or Path.cwd()).resolve())).resolve()
    return LoadedConfig(path=path, config=load_yaml_model(path, Config, "schema_version and targets"))
