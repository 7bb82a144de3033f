"""The LLM proposer: a reflection prompt (overseer's own, in prompts/reflect.md) asks a model for
``{hypothesis, rationale, edit}`` as JSON; the reply is validated with pydantic, with one retry
that shows the model its validation error."""

from __future__ import annotations

import json
import string
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from overseer.directives import described
from overseer.edits import Edit
from overseer.effects import KindEffect
from overseer.errors import FatalError, validation_message
from overseer.llm import LLMClient, LLMError
from overseer.proposers.base import PastEdit, Proposal, ProposalContext, ProposalFailed
from overseer.resources import bundled

_HISTORY_LIMIT = 8


class ProposalReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hypothesis: str
    rationale: str = ""
    edit: Edit


def default_template() -> str:
    return (bundled("prompts") / "reflect.md").read_text(encoding="utf-8")


def _json_object(text: str) -> str:
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the reply holds no JSON object")
    return text[start: end + 1]


class RaceReply(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proposals: list[ProposalReply] = Field(min_length=1)


def parse_reply(text: str) -> ProposalReply:
    """A validated reply; raises ValueError with a message fit to show the model."""
    [reply] = parse_replies(text, 1)
    return reply


def parse_replies(text: str, count: int) -> list[ProposalReply]:
    """The validated edits of a reply: ``{"proposals": [...]}`` (at most ``count`` are used) or
    one edit's object; raises ValueError with a message fit to show the model."""
    try:
        data = json.loads(_json_object(text))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the reply is not valid JSON: {exc.msg} at character {exc.pos}") from None
    try:
        replies = RaceReply.model_validate(data).proposals if isinstance(data, dict) and "proposals" in data \
            else [ProposalReply.model_validate(data)]
    except ValidationError as exc:
        raise ValueError(f"the JSON does not match the schema: {validation_message(exc)}") from None
    if any(not reply.hypothesis.strip() for reply in replies):
        raise ValueError("hypothesis must not be empty")
    return replies[:count]


def directives_request(context: ProposalContext) -> str:
    """What the reflection prompt gets appended when the prompt's owners gave directives."""
    said = "\n\n".join(p for p in (context.directive_text, described(context.directives)) if p)
    return f"\n\n## Directives from the prompt's owners (every edit must honour them)\n{said}" if said else ""


def race_request(count: int) -> str:
    """What the reflection prompt gets appended when several candidates are raced."""
    return (f"\n\nThis time propose up to {count} different edits, the most promising first; each "
            "is applied alone to the prompt above and follows the rules above. Reply with a single "
            'JSON object {"proposals": [...]} whose list holds one object of the form above per edit.')


def render(template: str, context: ProposalContext, max_edit_chars: int) -> str:
    failures = "\n\n".join(
        f"### {f.task_id}: {f.error_class}\nSpec:\n{f.spec}\nFailing tests: {', '.join(f.failing_tests) or '-'}\n"
        f"Messages: {' | '.join(f.messages) or '-'}\nOutput:\n{f.output or '(none)'}"
        for f in context.failures) or "(none)"
    evaluated = [p for p in context.history if p.gain is not None][-_HISTORY_LIMIT:]

    def line(p: PastEdit) -> str:
        return f"- [{p.edit.kind or p.edit.op}] {p.edit.summary(100)} (gain {p.gain or 0:+.3f}, {p.outcome})"

    def kind_line(e: KindEffect) -> str:
        return (f"- kind {e.kind}: mean gain {e.mean_gain:+.3f} (95% interval {e.low:+.3f} to "
                f"{e.high:+.3f}) over {e.attempts} attempts, {e.accepted} kept")

    helpful = [kind_line(e) for e in context.prior.values() if e.low > 0] + \
        [line(p) for p in evaluated if (p.gain or 0) > 0]
    harmful = [kind_line(e) for e in context.prior.values() if e.high <= 0] + \
        [line(p) for p in evaluated if (p.gain or 0) <= 0]
    rejected = [p for p in context.history if p.parent_hash == context.prompt_hash and p.outcome != "accepted"]
    return string.Template(template).safe_substitute(
        command_kind=context.command_kind,
        prompt=context.prompt, runs=context.runs, pass_rate=f"{context.pass_rate:.3f}",
        error_counts=", ".join(f"{k}: {v}" for k, v in context.error_counts.items()) or "none",
        failures=failures, max_edit_chars=max_edit_chars,
        helpful="\n".join(helpful) or "(none yet)",
        harmful="\n".join(harmful) or "(none yet)",
        rejected="\n".join(f"- {p.edit.model_dump_json(exclude_defaults=True)} ({p.outcome})"
                           for p in rejected) or "(none)",
    )


class LLMProposer:
    name = "llm"

    def __init__(self, client: LLMClient, template: str, max_edit_chars: int) -> None:
        self.client = client
        self.template = template
        self.max_edit_chars = max_edit_chars

    def propose(self, context: ProposalContext) -> Proposal | None:
        return self.propose_many(context, 1)[0]

    def propose_many(self, context: ProposalContext, count: int) -> list[Proposal]:
        """Up to ``count`` edits from one call of the model (a retry shows it its error)."""
        prompt = render(self.template, context, self.max_edit_chars) + directives_request(context) \
            + (race_request(count) if count > 1 else "")
        problem = ""
        for attempt in (1, 2):
            asked = prompt if attempt == 1 else (
                f"{prompt}\n\nYour previous reply was rejected: {problem}\n"
                "Reply again with only the JSON object.")
            try:
                replies = parse_replies(self.client.complete(asked).text, count)
            except LLMError as exc:
                raise ProposalFailed(f"the model call failed: {exc}") from None
            except ValueError as exc:
                problem = str(exc)
                continue
            return [Proposal(reply.edit, reply.hypothesis, reply.rationale) for reply in replies]
        raise ProposalFailed(f"the reply was invalid twice; last: {problem}")


def load_template(path: Path | None) -> str:
    if path is None:
        return default_template()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"{path}: cannot read the reflection prompt: {exc.strerror}") from None
