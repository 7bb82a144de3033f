"""What stays fixed for a whole session: the target, its task sets and thresholds, where things
live. Built once, checked once (a task set too small to ever prove an edit is refused here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from overseer.acceptance import Thresholds
from overseer.config import LoadedConfig, Target
from overseer.directives import free_text
from overseer.errors import FatalError
from overseer.evaluate import runs_dir
from overseer.evidence.looks import looks, smallest_p_value
from overseer.llm import client_for
from overseer.optimize.options import OptimizeOptions
from overseer.plugins import load
from overseer.prompts import prompt_file
from overseer.proposers import Proposer
from overseer.proposers.llm import LLMProposer, load_template
from overseer.proposers.panel import panel_from_options
from overseer.proposers.rules import RulesProposer
from overseer.sanitizers import sanitizer
from overseer.tasks import TaskSet, target_task_sets
from overseer.vcs import open_repo


@dataclass(frozen=True)
class Setup:
    loaded: LoadedConfig
    name: str
    target: Target
    options: OptimizeOptions
    repeats: int          # at the first look
    accept: Thresholds    # the target's, with --max-repeats applied
    jobs: int
    race: int             # candidates raced at once (the target's, or --race)
    directive_text: str   # the directives' free text and file, read once
    train: TaskSet
    holdout: TaskSet
    repo: git.Repo | None

    @property
    def runs_dir(self) -> Path:
        return runs_dir(self.loaded)

    @property
    def directory(self) -> Path:
        """``runs/<target>``: session states, JSONL, registry and decisions."""
        return self.runs_dir / self.name

    @property
    def prompt_path(self) -> Path:
        """The prompt's file, symlinks inside the project followed (prompts.prompt_file)."""
        return prompt_file(self.loaded.root, self.target.prompt)

    @property
    def diffs_dir(self) -> Path:
        return self.loaded.root / "diffs" / self.name


def make_setup(loaded: LoadedConfig, name: str, options: OptimizeOptions) -> Setup:
    target = loaded.target(name)
    for sanitizer_name in target.sanitizers:
        sanitizer(sanitizer_name, f"{loaded.path}: targets.{name}.sanitizers")
    accept = target.accept if options.max_repeats is None else \
        target.accept.model_copy(update={"max_repeats": options.max_repeats})
    repeats = options.repeats or target.repeats
    train, holdout = target_task_sets(loaded, target)
    last = looks(repeats, accept)[-1]
    if (floor := smallest_p_value(len(train), last.repeats)) > accept.alpha:
        raise FatalError(
            f"{loaded.path}: targets.{name}: {len(train)} train tasks can never prove "
            f"an edit in {last.repeats} repeats: their smallest p-value is {floor:.3g}, above "
            f"α {accept.alpha:g}; add tasks, raise accept.max_repeats or accept.alpha")
    return Setup(loaded=loaded, name=name, target=target, options=options, repeats=repeats,
                 accept=accept, jobs=options.jobs or target.jobs,
                 race=options.race or target.race,
                 directive_text=free_text(target.directives, loaded.root), train=train, holdout=holdout,
                 repo=open_repo(loaded.root))


def make_proposer(loaded: LoadedConfig, target: Target, name: str = "") -> Proposer:
    kind = target.proposer.kind
    if kind == "rules":
        return RulesProposer()
    if kind == "panel":
        model = target.proposer.model
        try:
            return panel_from_options(
                dict(target.proposer.options), client=client_for(model, target.proposer.max_tokens) if model else None,
                reflection=load_template(loaded.root / target.proposer.reflection_prompt
                                         if target.proposer.reflection_prompt else None),
                max_edit_chars=target.edits.max_edit_chars,
                where=f"{loaded.path}: targets.{name}.proposer.options")
        except ValueError as exc:
            raise FatalError(f"{loaded.path}: targets.{name}.proposer.options: {exc}") from None
    if kind != "llm":  # a plugin's: its factory gets the target's proposer options
        factory = load("proposers", kind, f"{loaded.path}: targets.{name}.proposer.kind")
        proposer: Proposer = factory(dict(target.proposer.options))
        return proposer
    assert target.proposer.model is not None
    template_path = (loaded.root / target.proposer.reflection_prompt
                     if target.proposer.reflection_prompt else None)
    return LLMProposer(client_for(target.proposer.model, target.proposer.max_tokens), load_template(template_path),
                       target.edits.max_edit_chars)
