"""The proposal panel's LLM roles: personas that propose (the reflection prompt plus their role),
rank the proposals (a ballot) and refine one the reviewer sent back, and a reviewer. Every reply
is JSON validated with pydantic; an invalid reply is retried once with the error shown, and a
second invalid one drops that proposal, ballot or refinement with the reason (recorded by the
panel), never a crash. A directive is checked mechanically before the reviewer is asked: an edit
that breaks one is vetoed whatever a model would say."""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from overseer.directives import described
from overseer.errors import validation_message
from overseer.llm import LLMClient, LLMError
from overseer.proposers.base import CODE_COMMAND, Proposal, ProposalContext
from overseer.proposers.llm import _json_object, directives_request, parse_reply, render
from overseer.proposers.roles import Critique, mechanical_check
from overseer.resources import bundled

DESCRIPTIONS = {
    "minimalist": "you prefer deleting or shortening a line to adding one; a prompt should say only "
                  "what changes the outcome.",
    "edge-case-hunter": "you look for the inputs and limits the code gets wrong: empty input, "
                        "boundaries, off-by-one errors, needlessly slow cases.",
    "format-stickler": "you care that the output has exactly the form the tests need: only code, "
                       "the names and signatures given, every import it uses.",
}
Parsed = TypeVar("Parsed")


def template(name: str) -> str:
    return (bundled("prompts") / f"panel-{name}.md").read_text(encoding="utf-8")


def ask(client: LLMClient, prompt: str, parse: Callable[[str], Parsed]) -> tuple[Parsed | None, str]:
    """The parsed reply, or None and why: a failed call, or a reply invalid twice (the retry
    shows the model what was wrong)."""
    problem = ""
    for attempt in (1, 2):
        asked = prompt if attempt == 1 else (
            f"{prompt}\n\nYour previous reply was rejected: {problem}\nReply again with only the JSON object.")
        try:
            text = client.complete(asked).text
        except LLMError as exc:
            return None, f"the model call failed: {exc}"
        try:
            return parse(text), ""
        except ValueError as exc:
            problem = str(exc)
    return None, f"the reply was invalid twice; last: {problem}"


def _model(text: str, model: type[BaseModel]) -> BaseModel:
    try:
        data = json.loads(_json_object(text))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply is not valid JSON: {exc.msg} at character {exc.pos}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"the JSON does not match the schema: {validation_message(exc)}") from None


class CritiqueReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["keep", "refine", "veto"]
    reason: str = ""


class BallotReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ranking: list[int]


def _edit_text(proposal: Proposal) -> str:
    return proposal.edit.model_dump_json(exclude_defaults=True)


class LLMPersona:
    """A persona played by a model: the reflection prompt with its role appended."""

    def __init__(self, name: str, client: LLMClient, reflection: str, max_edit_chars: int,
                 description: str | None = None) -> None:
        self.name, self.client, self.reflection = name, client, reflection
        self.description = description or DESCRIPTIONS.get(name, "")
        self.max_edit_chars = max_edit_chars
        self.dropped: list[str] = []   # why a reply of this persona was dropped (the panel records it)

    def propose(self, context: ProposalContext) -> Proposal | None:
        this_round = [p for p in context.history
                      if p.parent_hash == context.prompt_hash and p.outcome == "proposed this round"]
        role = string.Template(template("persona")).safe_substitute(
            persona=self.name, description=self.description,
            taken="\n".join(f"- {p.edit.model_dump_json(exclude_defaults=True)}" for p in this_round) or "(none)")
        prompt = render(self.reflection, context, self.max_edit_chars) + directives_request(context) + role
        reply, why = ask(self.client, prompt, parse_reply)
        if reply is None:
            self.dropped.append(f"{self.name}'s proposal: {why}")
            return None
        return Proposal(reply.edit, reply.hypothesis, reply.rationale)

    def rank(self, proposals: Sequence[Proposal], context: ProposalContext) -> list[int]:
        n = len(proposals)
        if n < 2:
            return list(range(n))
        listed = "\n".join(f"{i + 1}. {_edit_text(p)}\n   hypothesis: {p.hypothesis}"
                           for i, p in enumerate(proposals))
        prompt = string.Template(template("vote")).safe_substitute(
            command=command_noun(context), persona=self.name, description=self.description, proposals=listed,
            error_counts=", ".join(f"{k}: {v}" for k, v in context.error_counts.items()) or "none")

        def parse(text: str) -> list[int]:
            ranking = _model(text, BallotReply).ranking  # type: ignore[attr-defined]
            if sorted(ranking) != list(range(1, n + 1)):
                raise ValueError(f"the ranking must list each of the numbers 1 to {n} exactly once")
            return [i - 1 for i in ranking]

        ballot, why = ask(self.client, prompt, parse)
        if ballot is None:
            self.dropped.append(f"{self.name}'s ballot: {why}")
            return []
        return ballot

    def refine(self, proposal: Proposal, critique: str, context: ProposalContext) -> Proposal | None:
        prompt = string.Template(template("refine")).safe_substitute(
            command=command_noun(context), prompt=context.prompt, edit=_edit_text(proposal), hypothesis=proposal.hypothesis,
            critique=critique)
        reply, why = ask(self.client, prompt, parse_reply)
        if reply is None:
            self.dropped.append(f"{self.name}'s refinement: {why}")
            return None
        return Proposal(reply.edit, reply.hypothesis, reply.rationale)


def command_noun(context: ProposalContext) -> str:
    """The command, in a few words, for the panel's prompts."""
    return "a code-writing command" if context.command_kind == CODE_COMMAND else \
        "a command whose answers a test suite's assertions judge"


class LLMReviewer:
    """A reviewer played by a model, after the mechanical checks: an edit that cannot be applied
    or breaks a directive is vetoed without asking."""

    name = "llm"

    def __init__(self, client: LLMClient) -> None:
        self.client = client

    def review(self, proposal: Proposal, context: ProposalContext) -> Critique:
        if isinstance(checked := mechanical_check(proposal, context), Critique):
            return checked
        said = "\n\n".join(p for p in (context.directive_text, described(context.directives)) if p)
        prompt = string.Template(template("review")).safe_substitute(
            command=command_noun(context), prompt=context.prompt, edit=_edit_text(proposal), hypothesis=proposal.hypothesis,
            error_counts=", ".join(f"{k}: {v}" for k, v in context.error_counts.items()) or "none",
            directives=f"\n## Directives from the prompt's owners\n{said}\n" if said else "")
        reply, why = ask(self.client, prompt, lambda text: _model(text, CritiqueReply))
        if reply is None:
            return Critique("veto", f"dropped: the reviewer's {why}")
        assert isinstance(reply, CritiqueReply)
        return Critique(reply.verdict, reply.reason.strip() or f"the reviewer said {reply.verdict}")
